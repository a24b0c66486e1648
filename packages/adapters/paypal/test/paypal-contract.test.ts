import { GATEWAY_CONTRACT_TESTS, describeGatewayContract, type GatewayContractTest } from "@org/payments-core/testing";
import { startPayPalRig } from "./support/paypal-harness.js";

// The core's conformance suite over the fake PayPal, webhooks verified offline (RSA against PayPal's certificate).
describeGatewayContract("paypal", async () => (await startPayPalRig()).harness);

// Again with webhooks verified by PayPal's own verify-webhook-signature call: only how a signature is checked
// changes, so only the signature cases run; the rest ran above on the same adapter and fake.
const signatureCases = new Set<GatewayContractTest>([
  "webhookSignedAccepted",
  "webhookUnsignedRefused",
  "webhookForeignSecretRefused",
  "webhookTamperedBodyRefused",
  "webhookStaleRefused",
]);
const ranAbove = Object.fromEntries(
  (Object.keys(GATEWAY_CONTRACT_TESTS) as GatewayContractTest[])
    .filter((key) => !signatureCases.has(key))
    .map((key) => [key, "not about webhook verification; run by the offline-verification contract above"]),
);
describeGatewayContract("paypal (webhooks verified by PayPal's API)", async () => (await startPayPalRig({}, { verification: "api" })).harness, {
  skip: ranAbove,
});
