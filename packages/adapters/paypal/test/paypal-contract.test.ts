import { describeGatewayContract } from "@org/payments-core/testing";
import { startPayPalRig } from "./support/paypal-harness.js";

describeGatewayContract("paypal", async () => (await startPayPalRig()).harness);
