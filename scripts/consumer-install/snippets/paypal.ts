// @org/payments-paypal: the gateway is built from credentials (no request is made).
import type { PaymentGateway } from "@org/payments-core";
import { createPayPalGateway, toPayPalValue } from "@org/payments-paypal";

const gateway: PaymentGateway = createPayPalGateway({
  clientId: "consumer-install",
  clientSecret: "consumer-install-secret",
  environment: "sandbox",
  webhookId: "WH-CONSUMER-INSTALL",
  verification: "api",
});
console.log(`paypal: provider ${gateway.provider}, 1234 EUR minor units = ${toPayPalValue(1234, "EUR")}`);
