/** A local, stateful imitation of PayPal's REST API (OAuth, Orders v2, Payments v2, Vault v3, reporting, webhooks). */
export { startPayPalFake } from "./paypal-fake-server.js";
export type { PayPalFake, PayPalFakeOptions, RecordedRequest, SentResponse } from "./paypal-fake-server.js";
export type { ApprovalOutcome, FakeLedger, RefundPlan } from "./fake-ledger.js";
export type { FaultRule, PayPalFault } from "./faults.js";
export type { FakePaymentToken, FakeSetupToken, FakeVault, FakeVaultCard, OffSessionBehaviour, SetupPlan } from "./fake-vault.js";
export { errorBody, issueDescription } from "./error-bodies.js";
export { createPayPalWebhookSigner } from "./webhook-signer.js";
export type { PayPalWebhookHeaders, PayPalWebhookSigner, SignOptions } from "./webhook-signer.js";
export { PAYPAL_CURRENCIES, paypalDecimals } from "./paypal-money.js";
