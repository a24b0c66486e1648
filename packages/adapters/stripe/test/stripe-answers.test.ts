import { classifyGatewayError, isPaymentError, type CreateGatewayPaymentRequest, type GatewayPayment, type GatewayRefund, type PaymentError } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/**
 * Every Stripe answer onto exactly one of the core's five kinds (ports/payment-gateway.ts), provoked over HTTP
 * against the fake as Stripe gives it. The table in the README lists the same rows with Stripe's documentation.
 */
type Kind = "declined" | "needs_customer" | "invalid_request" | "retryable" | "unknown_outcome";

/** The port's words as a lookup: which thrown codes are which kind (the core classifies by the same lists). */
const THROWN_KIND: Record<string, Kind> = {
  card_declined: "declined",
  insufficient_funds: "declined",
  expired_card: "declined",
  incorrect_cvc: "declined",
  processing_error: "declined",
  authentication_required: "declined",
  validation_error: "invalid_request",
  invalid_amount: "invalid_request",
  amount_too_small: "invalid_request",
  currency_not_supported: "invalid_request",
  not_found: "invalid_request",
  invalid_state_transition: "invalid_request",
  refund_exceeds_captured: "invalid_request",
  gateway_error: "retryable",
  gateway_rate_limited: "retryable",
  gateway_outcome_unknown: "unknown_outcome",
};

function kindOf(outcome: GatewayPayment | GatewayRefund | PaymentError): Kind | "pending" | "succeeded" {
  if (isPaymentError(outcome)) return THROWN_KIND[outcome.code] ?? "unknown_outcome";
  if (outcome.status === "failed") return "declined";
  if (outcome.status === "requires_action") return "needs_customer";
  return outcome.status === "succeeded" ? "succeeded" : "pending";
}

let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig({ timeoutMs: 1000 });
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

function request(overrides: Partial<CreateGatewayPaymentRequest> = {}): CreateGatewayPaymentRequest {
  return { paymentId: newPaymentId(), amount: 2500, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa", ...overrides };
}

async function outcome<T>(promise: Promise<T>): Promise<T | PaymentError> {
  return promise.catch((error: unknown) => {
    if (!isPaymentError(error)) throw error;
    return error;
  });
}

async function paid(amount = 2500): Promise<GatewayPayment> {
  return rig.gateway.createPayment(request({ amount }), { idempotencyKey: key("paid") });
}

function refund(payment: GatewayPayment, refundId: string, amount: number) {
  return {
    paymentId: payment.paymentId ?? "",
    refundId,
    providerPaymentId: payment.providerPaymentId,
    amount,
    currency: "USD",
    reason: "requested_by_customer",
  };
}

/** Thrown errors name the kind of problem, never what was sent nor Stripe's free text about it. */
function expectNoEcho(error: PaymentError, ...sent: string[]): void {
  for (const value of sent) expect(error.message).not.toContain(value);
  const stripeMessage = (error.cause as { message?: string } | undefined)?.message;
  if (stripeMessage) expect(error.message).not.toContain(stripeMessage);
}

describe("Stripe's answers on a payment", () => {
  it("402 card_error: declined, returned as a failed payment with Stripe's decline code", async () => {
    const result = await rig.gateway.createPayment(request({ paymentMethodId: "pm_card_visa_chargeDeclined" }), { idempotencyKey: key("c") });
    expect(kindOf(result)).toBe("declined");
    expect(result.failure).toMatchObject({ code: "card_declined", declineCode: "generic_decline" });
  });

  it("402 card_error for the buyer's account or limits (transaction_not_allowed): declined, never retryable", async () => {
    rig.fake.injectFault({ kind: "decline", declineCode: "transaction_not_allowed", method: "POST", path: "/v1/payment_intents" });
    const result = await rig.gateway.createPayment(request(), { idempotencyKey: key("c") });
    expect(kindOf(result)).toBe("declined");
    expect(result.failure).toMatchObject({ code: "card_declined", declineCode: "transaction_not_allowed" });
  });

  it("400 card_decline_rate_limit_exceeded (a decline in all but its type): declined", async () => {
    rig.fake.injectFault({ kind: "status", status: 400, code: "card_decline_rate_limit_exceeded", saved: true, message: "This card has been declined too many times." });
    const result = await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }));
    expect(kindOf(result)).toBe("declined");
    expect(result).toMatchObject({ code: "card_declined", declineCode: "card_decline_rate_limit_exceeded" });
  });

  it("requires_action (3-D Secure): needs the customer, with the client secret", async () => {
    const result = await rig.gateway.createPayment(request({ paymentMethodId: "pm_card_authenticationRequired" }), { idempotencyKey: key("c") });
    expect(kindOf(result)).toBe("needs_customer");
    expect(result.nextAction?.clientSecret).toBeTruthy();
  });

  it("processing (money in flight): returned as processing, and settles on a later read", async () => {
    rig.fake.injectFault({ kind: "processing", method: "POST", path: "/v1/payment_intents" });
    const result = await rig.gateway.createPayment(request(), { idempotencyKey: key("c") });
    expect(result.status).toBe("processing");
    rig.fake.settlePayment(result.providerPaymentId, "succeeded");
    expect((await rig.gateway.retrieve(result.providerPaymentId)).status).toBe("succeeded");
  });

  it("400 resource_missing for the caller's payment method: invalid request naming the field, not the value, and nothing made", async () => {
    const result = await outcome(rig.gateway.createPayment(request({ paymentMethodId: "pm_bogus_4c1" }), { idempotencyKey: key("c") }));
    expect(kindOf(result)).toBe("invalid_request");
    const error = result as PaymentError;
    expect(error.code).toBe("validation_error");
    expect(error.details).toMatchObject({ field: "paymentMethodId", param: "payment_method", stripeCode: "resource_missing" });
    expectNoEcho(error, "pm_bogus_4c1");
    expect(rig.fake.paymentIntents()).toHaveLength(0);
  });

  it("400 parameter_invalid_* and other invalid requests: validation_error with Stripe's code and parameter, not its message", async () => {
    rig.fake.injectFault({
      kind: "status",
      status: 400,
      code: "parameter_invalid_empty",
      message: "You passed an empty string for 'description'. We assume empty values are an attempt to unset a parameter; ...",
    });
    const error = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(error)).toBe("invalid_request");
    expect(error).toMatchObject({ code: "validation_error", details: { stripeCode: "parameter_invalid_empty" } });
    expectNoEcho(error);
  });

  it("400 amount_too_small from Stripe (settlement-currency minimum): invalid request", async () => {
    rig.fake.injectFault({ kind: "status", status: 400, code: "amount_too_small", saved: true, message: "Amount must convert to at least 50 cents. 0.51 usd converts to approximately €0.48." });
    const error = (await outcome(rig.gateway.createPayment(request({ amount: 51 }), { idempotencyKey: key("c") }))) as PaymentError;
    expect(error.code).toBe("amount_too_small");
    expectNoEcho(error, "0.51");
  });

  it("400 payment_intent_unexpected_state (capturing a canceled intent): invalid request, invalid_state_transition", async () => {
    const authorized = await rig.gateway.createPayment(request({ captureMethod: "manual" }), { idempotencyKey: key("c") });
    await rig.gateway.cancel({ paymentId: "p", providerPaymentId: authorized.providerPaymentId }, { idempotencyKey: key("x") });
    const error = (await outcome(
      rig.gateway.capture({ paymentId: "p", providerPaymentId: authorized.providerPaymentId, amount: 2500, currency: "USD" }, { idempotencyKey: key("cap") }),
    )) as PaymentError;
    expect(kindOf(error)).toBe("invalid_request");
    expect(error.code).toBe("invalid_state_transition");
  });

  it("404 resource_missing on our own object: not_found", async () => {
    const error = (await outcome(rig.gateway.retrieve("pi_3NotThere"))) as PaymentError;
    expect(error.code).toBe("not_found");
    expectNoEcho(error, "pi_3NotThere");
  });

  it("400 idempotency_error (the key was first used with other parameters): unknown outcome whose key only replays", async () => {
    const req = request();
    await rig.gateway.createPayment(req, { idempotencyKey: "reused-key" });
    const error = (await outcome(rig.gateway.createPayment({ ...req, amount: 2600 }, { idempotencyKey: "reused-key" }))) as PaymentError;
    expect(kindOf(error)).toBe("unknown_outcome");
    expect(error.details).toMatchObject({ sameKeyReplays: true });
    // What the first request made is found by our payment id, as the core will look.
    expect(await rig.gateway.findByPaymentId(req.paymentId)).toMatchObject({ status: "succeeded", amount: 2500 });
  });

  it("409 idempotency_key_in_use (a concurrent request on the key): unknown outcome, nothing saved, the same key answers later", async () => {
    rig.fake.injectFault({ kind: "slow", ms: 300, method: "POST", path: "/v1/payment_intents" });
    const req = request();
    const first = rig.gateway.createPayment(req, { idempotencyKey: "busy-key" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = (await outcome(rig.gateway.createPayment(req, { idempotencyKey: "busy-key" }))) as PaymentError;
    expect(kindOf(second)).toBe("unknown_outcome");
    expect(second.details).toMatchObject({ status: 409, stripeCode: "idempotency_key_in_use" });
    // Not a saved answer: the same key is the right retry, and replays the first request's success.
    expect(second.details?.["sameKeyReplays"]).toBeUndefined();
    const made = await first;
    const again = await rig.gateway.createPayment(req, { idempotencyKey: "busy-key" });
    expect(again.providerPaymentId).toBe(made.providerPaymentId);
    expect(rig.fake.requests.at(-1)?.replayed).toBe(true);
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it("500 after Stripe acted (saved for the key): unknown outcome with sameKeyReplays, and the same key only replays the 500", async () => {
    rig.fake.injectFault({ kind: "answer_lost", method: "POST", path: "/v1/payment_intents" });
    const req = request();
    const lost = (await outcome(rig.gateway.createPayment(req, { idempotencyKey: "lost-key" }))) as PaymentError;
    expect(kindOf(lost)).toBe("unknown_outcome");
    expect(lost.details).toMatchObject({ sameKeyReplays: true, status: 500 });
    const replayed = (await outcome(rig.gateway.createPayment(req, { idempotencyKey: "lost-key" }))) as PaymentError;
    expect(replayed.details).toMatchObject({ sameKeyReplays: true, replayed: true });
    expect(rig.fake.requests.at(-1)?.replayed).toBe(true);
    // The lookup the core makes at once finds what Stripe made.
    expect(await rig.gateway.findByPaymentId(req.paymentId)).toMatchObject({ paymentId: req.paymentId, status: "succeeded" });
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it.each([502, 503, 504])("%i: unknown outcome with sameKeyReplays", async (status) => {
    rig.fake.injectFault({ kind: "status", status, saved: true });
    const error = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(error)).toBe("unknown_outcome");
    expect(error.details).toMatchObject({ sameKeyReplays: true });
  });

  it("a dropped connection or a timeout: unknown outcome, same key (Stripe replays whatever it saved)", async () => {
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", times: 2 });
    const dropped = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(dropped)).toBe("unknown_outcome");
    expect(dropped.details?.["sameKeyReplays"]).toBeUndefined();
    rig.fake.injectFault({ kind: "delay", ms: 1500, method: "POST" });
    const slow = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(slow)).toBe("unknown_outcome");
  });

  it("429: retryable (gateway_rate_limited), answered before Stripe's idempotency layer", async () => {
    rig.fake.injectFault({ kind: "status", status: 429 });
    const error = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(error)).toBe("retryable");
    expect(error.code).toBe("gateway_rate_limited");
    // stripe-node may have sent it once already: the core must never settle it as "certainly did nothing".
    expect(error.details).toMatchObject({ mayHaveActed: true });
    expect(classifyGatewayError(error)).toBe("unknown_outcome");
  });

  it.each([401, 403])("%i: retryable (gateway_error) without the key in the message", async (status) => {
    rig.fake.injectFault({ kind: "status", status, message: "Invalid API Key provided: sk_test_****fake" });
    const error = (await outcome(rig.gateway.createPayment(request(), { idempotencyKey: key("c") }))) as PaymentError;
    expect(kindOf(error)).toBe("retryable");
    expect(error.message).not.toContain("sk_test");
  });
});

describe("Stripe's answers on a refund", () => {
  it("400 charge_disputed: a definite failed refund with Stripe's code, and the key replays the same refusal", async () => {
    const payment = await paid();
    rig.fake.createDispute(payment.providerPaymentId);
    const first = await rig.gateway.refund(refund(payment, "rf_1", 500), { idempotencyKey: "refund-disputed" });
    expect(kindOf(first)).toBe("declined");
    expect(first).toMatchObject({ status: "failed", failureReason: "charge_disputed", providerRefundId: "", refundId: "rf_1", amount: 500 });
    const again = await rig.gateway.refund(refund(payment, "rf_1", 500), { idempotencyKey: "refund-disputed" });
    expect(again).toEqual(first);
    expect(rig.fake.requests.at(-1)?.replayed).toBe(true);
    expect(rig.fake.refunds()).toHaveLength(0);
  });

  it("400 charge_already_refunded (refunded in the Dashboard meanwhile): a definite failed refund", async () => {
    const payment = await paid();
    await rig.stripe.refunds.create({ payment_intent: payment.providerPaymentId });
    const result = await rig.gateway.refund(refund(payment, "rf_2", 500), { idempotencyKey: key("r") });
    expect(result).toMatchObject({ status: "failed", failureReason: "charge_already_refunded" });
  });

  it("400 charge_not_refundable: a definite failed refund", async () => {
    const payment = await paid();
    rig.fake.injectFault({ kind: "status", status: 400, code: "charge_not_refundable", saved: true, path: "/v1/refunds" });
    const result = await rig.gateway.refund(refund(payment, "rf_3", 500), { idempotencyKey: key("r") });
    expect(result).toMatchObject({ status: "failed", failureReason: "charge_not_refundable" });
  });

  it("400 amount_too_large: refund_exceeds_captured (the caller may ask for less)", async () => {
    const payment = await paid(1000);
    const error = (await outcome(rig.gateway.refund(refund(payment, "rf_4", 1001), { idempotencyKey: key("r") }))) as PaymentError;
    expect(error.code).toBe("refund_exceeds_captured");
  });

  it("a refund accepted as pending that fails at the network: failed with Stripe's failure_reason on the next read", async () => {
    const payment = await paid();
    rig.fake.injectFault({ kind: "refund_fails_later", method: "POST", path: "/v1/refunds" });
    const created = await rig.gateway.refund(refund(payment, "rf_5", 500), { idempotencyKey: key("r") });
    expect(created.status).toBe("pending");
    const seen = (await rig.gateway.retrieve(payment.providerPaymentId)).refunds?.find((r) => r.refundId === "rf_5");
    expect(seen).toMatchObject({ status: "failed", failureReason: "expired_or_canceled_card" });
  });

  it("a 500 on a refund: unknown outcome with sameKeyReplays, and the lookup finds the refund by our refund id", async () => {
    const payment = await paid();
    rig.fake.injectFault({ kind: "answer_lost", method: "POST", path: "/v1/refunds" });
    const error = (await outcome(rig.gateway.refund(refund(payment, "rf_6", 500), { idempotencyKey: key("r") }))) as PaymentError;
    expect(error.details).toMatchObject({ sameKeyReplays: true });
    const found = await rig.gateway.findByPaymentId(payment.paymentId ?? "");
    expect(found?.refunds?.find((r) => r.refundId === "rf_6")).toMatchObject({ status: "succeeded", amount: 500 });
  });
});

describe("payment method ids checked before the payment moves", () => {
  it("accepts the shapes Stripe takes and refuses anything else without echoing it", async () => {
    const { createStripeGateway } = await import("../src/index.js");
    const gateway = createStripeGateway({ secretKey: "sk_test_local" });
    expect(gateway.capabilities.paymentMethodRequired).toBe(true);
    for (const ok of ["pm_card_visa", "pm_1QabcDEF", "card_1Qx", "src_1Qx", "ba_1Qx"]) expect(gateway.checkPaymentMethod?.(ok), ok).toBeNull();
    for (const bad of ["pm_bogus!", "4242424242424242", "tok_visa", "cus_123", "pm_x y", "PM_card_visa"]) {
      const refused = gateway.checkPaymentMethod?.(bad);
      expect(refused, bad).toMatchObject({ code: "validation_error" });
      expect(refused!.message).not.toContain(bad);
    }
  });
});
