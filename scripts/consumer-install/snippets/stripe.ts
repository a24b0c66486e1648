// @org/payments-stripe: the gateway is built from a key (no request is made) and carries its pinned API version.
import type { PaymentGateway } from "@org/payments-core";
import { STRIPE_API_VERSION, createStripeGateway } from "@org/payments-stripe";

const gateway: PaymentGateway = createStripeGateway({ secretKey: "sk_test_consumer_install", webhookSecrets: "whsec_consumer_install" });
console.log(`stripe: provider ${gateway.provider}, API ${STRIPE_API_VERSION}`);
