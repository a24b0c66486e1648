import { isPaymentError, type CreateGatewayPaymentRequest, type PaymentError } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

let rig: StripeTestRig;

beforeAll(async () => {
  rig = await startStripeRig({ timeoutMs: 300 });
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

function request(paymentId = newPaymentId()): CreateGatewayPaymentRequest {
  return { paymentId, amount: 4200, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa" };
}

async function failure(promise: Promise<unknown>): Promise<PaymentError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(isPaymentError(error)).toBe(true);
  return error as PaymentError;
}

describe("stripe adapter under failures", () => {
  it("a response lost after Stripe acted is gateway_outcome_unknown; the retry with the same key yields the one PaymentIntent", async () => {
    // Twice, because stripe-node itself retries a reset connection once even with maxNetworkRetries 0.
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 2 });
    const req = request();
    const lost = await failure(rig.gateway.createPayment(req, { idempotencyKey: "lost-1" }));
    expect(lost.code).toBe("gateway_outcome_unknown");
    expect(lost.cause).toBeDefined();
    expect(rig.fake.paymentIntents()).toHaveLength(1);

    const retried = await rig.gateway.createPayment(req, { idempotencyKey: "lost-1" });
    expect(retried.status).toBe("succeeded");
    expect(rig.fake.paymentIntents()).toHaveLength(1);
    expect(retried.providerPaymentId).toBe(rig.fake.paymentIntents()[0]?.id);
    expect(rig.fake.requests.at(-1)?.replayed).toBe(true);
  });

  it("a single dropped connection is retried by the SDK with the same key and charges once", async () => {
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 1 });
    const payment = await rig.gateway.createPayment(request(), { idempotencyKey: "lost-2" });
    expect(payment.status).toBe("succeeded");
    expect(rig.fake.paymentIntents()).toHaveLength(1);
    expect(rig.fake.requests.map((r) => r.idempotencyKey)).toEqual(["lost-2", "lost-2"]);
  });

  it("past Stripe's key retention a same-key retry would charge twice, so recovery finds the intent by payment id first", async () => {
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 2 });
    const req = request();
    await failure(rig.gateway.createPayment(req, { idempotencyKey: "old-key" }));

    rig.fake.advanceClock(rig.gateway.capabilities.idempotencyKeyRetentionMs + 60_000);
    const found = await rig.gateway.findByPaymentId(req.paymentId);
    expect(found).toMatchObject({ paymentId: req.paymentId, status: "succeeded", amount: 4200 });

    // What recovery must avoid: the forgotten key no longer protects against a second PaymentIntent.
    await rig.gateway.createPayment(req, { idempotencyKey: "old-key" });
    expect(rig.fake.paymentIntents()).toHaveLength(2);
  });

  it("the same key with other parameters is an unknown outcome whose key only replays (look up, then a fresh key), never a second charge", async () => {
    await rig.gateway.createPayment(request(), { idempotencyKey: "reused" });
    const error = await failure(rig.gateway.createPayment({ ...request(), amount: 9999 }, { idempotencyKey: "reused" }));
    // Stripe executed the key's first request: what it made must be found by payment id, and the key can only ever
    // answer this 400 again. A retryable gateway_error would re-send it until the attempts ran out.
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.details).toMatchObject({ sameKeyReplays: true, stripeType: "idempotency_error", status: 400 });
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it("a connection that cannot be made is gateway_outcome_unknown, not a decline", async () => {
    const down = await startStripeRig({ timeoutMs: 300 });
    await down.close();
    const error = await failure(down.gateway.createPayment(request(), { idempotencyKey: "down" }));
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.declineCode).toBeUndefined();
  });

  it("a connection dropped before Stripe acted is also gateway_outcome_unknown (the client cannot tell)", async () => {
    rig.fake.injectFault({ kind: "drop_before", times: 2 });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: "early" }));
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(rig.fake.paymentIntents()).toHaveLength(0);
  });

  it("a timeout is gateway_outcome_unknown", async () => {
    rig.fake.injectFault({ kind: "delay", ms: 1500, method: "POST" });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: "slow" }));
    expect(error.code).toBe("gateway_outcome_unknown");
  });

  it.each([500, 502, 503])("HTTP %i on a mutating call is gateway_outcome_unknown whose key may only replay it", async (status) => {
    rig.fake.injectFault({ kind: "status", status });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: `s${status}` }));
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    // Stripe saves a 5xx for its key: the core must look up at once, not re-send the key for 24 h.
    expect(error.details).toMatchObject({ sameKeyReplays: true, status });
  });

  it("a 5xx on a read is gateway_outcome_unknown without a key to speak of", async () => {
    rig.fake.injectFault({ kind: "status", status: 500, method: "GET" });
    const error = await failure(rig.gateway.retrieve("pi_any"));
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.details?.["sameKeyReplays"]).toBeUndefined();
  });

  it("HTTP 409 (a request with this key still in flight) is gateway_outcome_unknown, and the same key is fine later", async () => {
    rig.fake.injectFault({ kind: "status", status: 409, type: "idempotency_error", code: "idempotency_key_in_use" });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: "conflict" }));
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.details).toMatchObject({ stripeCode: "idempotency_key_in_use" });
    expect(error.details?.["sameKeyReplays"]).toBeUndefined();
  });

  it("HTTP 429 is gateway_rate_limited with a retry hint", async () => {
    rig.fake.injectFault({ kind: "status", status: 429 });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: "busy" }));
    expect(error.code).toBe("gateway_rate_limited");
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("reads are mapped the same way (429 on retrieve)", async () => {
    rig.fake.injectFault({ kind: "status", status: 429, method: "GET" });
    const error = await failure(rig.gateway.retrieve("pi_any"));
    expect(error.code).toBe("gateway_rate_limited");
  });

  it.each([401, 403])("HTTP %i (Stripe refusing our credentials) is gateway_error", async (status) => {
    rig.fake.injectFault({ kind: "status", status });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: `auth${status}` }));
    expect(error.code).toBe("gateway_error");
  });

  it("an unmappable 400 is an invalid request (validation_error), never retried: its answer is saved for the key", async () => {
    rig.fake.injectFault({ kind: "status", status: 400, code: "parameter_unknown", message: "Received unknown parameter: foo" });
    const error = await failure(rig.gateway.createPayment(request(), { idempotencyKey: "bad" }));
    expect(error.code).toBe("validation_error");
    expect(error.details).toMatchObject({ stripeCode: "parameter_unknown" });
    expect((error.cause as { type?: string }).type).toBe("StripeInvalidRequestError");
  });

  it("listTransactions surfaces a failure mid-way as a PaymentError", async () => {
    rig.fake.injectFault({ kind: "status", status: 503, method: "GET" });
    const iterate = async () => {
      for await (const _ of rig.gateway.listTransactions({ since: new Date(0), until: new Date() })) {
        // consume
      }
    };
    expect((await failure(iterate())).code).toBe("gateway_outcome_unknown");
  });
});
