/**
 * A local, stateful Stripe API for the Stripe adapter's tests: the real stripe-node SDK talks to it over HTTP.
 * Our own code on node:http; object shapes follow Stripe's published fixtures (spec-facts.json) and its OpenAPI
 * definition (stripe-openapi-subset.json), against which the adapter's tests check every answer it sends. Its
 * idempotency layer, answers and faults follow Stripe's documentation (idempotency-cache.ts, faults.ts).
 */
export { startStripeFake } from "./server.js";
export type { StripeFake, StripeFakeOptions, RequestLogEntry, SentResponse } from "./server.js";
export type { ActionOutcome, FakeDisputeStatus, OpenDisputeOptions } from "./fake-state.js";
export type { FaultSpec, FaultKind } from "./faults.js";
export { TEST_PAYMENT_METHODS, savedCardRules } from "./test-cards.js";
export type { CardBehaviour, SavedCardRules } from "./test-cards.js";
export { signWebhookPayload } from "./webhook-signing.js";
export type { SignedWebhook, TestHeaderSigner } from "./webhook-signing.js";
export { specMismatches, specFactsSource } from "./spec-facts.js";
export { stripeOpenApiSubset } from "./stripe-openapi-subset.js";
export type { SpecObjectKind } from "./spec-facts.js";
export type {
  FakeCharge,
  FakeCustomer,
  FakeDispute,
  FakeEvent,
  FakePaymentIntent,
  FakePaymentMethod,
  FakeRefund,
  FakeSetupIntent,
  Json,
} from "./stripe-objects.js";
export { parseFormParams } from "./form-params.js";
export { FAKE_MINIMUM_AMOUNTS, FAKE_THREE_DECIMAL, FAKE_ZERO_DECIMAL, stripeAmountText } from "./currency-rules.js";
