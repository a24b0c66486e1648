import { ManualClock, createMemoryStore, createPaymentService, isPaymentError, type PaymentError, type PaymentService } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/**
 * The whole core service (three phases, idempotency records, recovery) on the real Stripe adapter, over HTTP to the
 * fake. The adapter's own tests prove single calls; these prove the service never charges twice around them.
 */

// Starts at the real time because payment ids are ULIDs of the real time, and the adapter's findByPaymentId looks
// for PaymentIntents created since then; the fake reads the same clock, so moving it moves both sides at once.
const clock = new ManualClock(new Date());
let rig: StripeTestRig;
let service: PaymentService;
let seq = 0;

const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });

beforeAll(async () => {
  rig = await startStripeRig({ fake: { now: () => clock.now().getTime() }, timeoutMs: 1000 });
});
afterAll(() => rig.close());
beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  // A fresh store per test, so recovery only ever sees the records this test left behind.
  service = createPaymentService({ store: createMemoryStore(), gateways: [rig.gateway], clock });
});

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

async function pending(amount = 5000) {
  return (await service.createPayment({ owner, amount, currency: "USD" }, ctx("create"))).payment;
}

function intentsFor(paymentId: string) {
  return rig.fake.paymentIntents().filter((pi) => pi.metadata["payment_id"] === paymentId);
}

describe("the payment service on Stripe", () => {
  it("charges a card once, with our payment id in the PaymentIntent's metadata", async () => {
    const created = await pending();
    const confirmed = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    expect(confirmed.payment).toMatchObject({ status: "succeeded", provider: "stripe", amountCaptured: 5000 });
    const [intent] = intentsFor(created.id);
    expect(intent).toMatchObject({ id: confirmed.payment.providerPaymentId, amount: 5000, status: "succeeded" });
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it.each([
    ["pm_card_visa_chargeDeclined", "card_declined", "generic_decline"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds", "insufficient_funds"],
    ["pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"],
  ])("a decline (%s) answers 402 %s, keeps Stripe's code as declineCode, and leaves the payment failed", async (method, code, declineCode) => {
    const created = await pending();
    const error = await failure(service.confirmPayment(created.id, { paymentMethodId: method }, ctx("decline")));
    expect({ code: error.code, declineCode: error.declineCode, httpStatus: error.httpStatus }).toEqual({ code, declineCode, httpStatus: 402 });
    expect(await service.getPayment(created.id)).toMatchObject({ status: "failed", lastError: { code } });
  });

  it("a response lost after Stripe charged is gateway_outcome_unknown; the client's retry with the same key settles the one PaymentIntent", async () => {
    const created = await pending();
    // Twice, because stripe-node itself retries a reset connection once with the same key.
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 2 });
    const confirmCtx = ctx("confirm-lost");
    const lost = await failure(service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx));
    expect(lost.code).toBe("gateway_outcome_unknown");
    expect(lost.httpStatus).toBe(503);
    expect(await service.getPayment(created.id)).toMatchObject({ status: "processing" });
    expect(intentsFor(created.id)).toHaveLength(1);

    const retried = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx);
    expect(retried.payment).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    expect(intentsFor(created.id)).toHaveLength(1);
    expect(rig.fake.paymentIntents()).toHaveLength(1);
    // A third call is a stored replay and does not reach Stripe.
    const before = rig.fake.requests.length;
    expect((await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx)).replayed).toBe(true);
    expect(rig.fake.requests.length).toBe(before);
  });

  it("past Stripe's 24 h key retention, recovery finds the PaymentIntent by payment id instead of charging again", async () => {
    const created = await pending();
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 2 });
    await failure(service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-old")));
    clock.advance(rig.gateway.capabilities.idempotencyKeyRetentionMs + 60 * 60_000);

    const report = await service.recoverStale({ olderThanMs: 60_000 });
    expect(report).toMatchObject({ examined: 1, stillPending: [], settled: [{ paymentId: created.id, ok: true }] });
    expect(await service.getPayment(created.id)).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    // Stripe has forgotten the key, so re-sending it would have made a second PaymentIntent; nothing was created.
    expect(rig.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents")).toHaveLength(2);
    expect(intentsFor(created.id)).toHaveLength(1);
    expect(rig.fake.requests.some((r) => r.method === "GET" && r.path === "/v1/payment_intents")).toBe(true);
    // Running recovery again finds nothing left to do.
    expect(await service.recoverStale({ olderThanMs: 0 })).toMatchObject({ examined: 0 });
  });

  it("past retention, a lost refund is found on the payment by our refund id instead of refunding twice", async () => {
    const created = await pending();
    await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/refunds", times: 2 });
    const lost = await failure(service.refundPayment(created.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund-old")));
    expect(lost.code).toBe("gateway_outcome_unknown");
    clock.advance(rig.gateway.capabilities.idempotencyKeyRetentionMs + 60 * 60_000);

    expect((await service.recoverStale({ olderThanMs: 60_000 })).settled).toMatchObject([{ paymentId: created.id, ok: true }]);
    const [refund] = await service.listRefunds(created.id);
    expect(refund).toMatchObject({ amount: 1200, status: "succeeded" });
    expect(rig.fake.refunds()).toHaveLength(1);
    expect(await service.getPayment(created.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1200, amountRefundReserved: 0 });
  });

  it("reconcile counts a refund still pending at Stripe once: not as refunded while reserved, and once when it settles", async () => {
    const created = await pending(5000);
    await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.setRefundStatus("pending");
    const { refund } = await service.refundPayment(created.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund"));
    expect(refund.status).toBe("pending");
    const since = new Date(clock.now().getTime() - 60 * 60_000);

    // Stripe's charge already counts the pending refund in amount_refunded; our reservation holds it. No drift.
    const whilePending = await service.reconcile({ provider: "stripe", since, apply: true });
    expect(whilePending.drifts).toEqual([]);
    expect(await service.getPayment(created.id)).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundReserved: 1200 });

    // The bank confirms; reconcile (standing in for a lost webhook) settles it once.
    rig.fake.settleRefund(refund.providerRefundId!, "succeeded");
    await service.reconcile({ provider: "stripe", since, apply: true });
    expect(await service.getPayment(created.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1200, amountRefundReserved: 0 });
  });

  it("partial refunds never exceed the capture, one after another or 8 at once", async () => {
    const sequential = await pending(5000);
    await service.confirmPayment(sequential.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    await service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund"));
    await service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund"));
    const tooMuch = await failure(service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund")));
    expect({ code: tooMuch.code, httpStatus: tooMuch.httpStatus }).toEqual({ code: "refund_exceeds_captured", httpStatus: 422 });
    const rest = await service.refundPayment(sequential.id, { amount: 1000, reason: "detour" }, ctx("refund"));
    expect(rest.payment).toMatchObject({ status: "refunded", amountRefunded: 5000 });
    expect((await failure(service.refundPayment(sequential.id, { reason: "again" }, ctx("refund")))).code).toBe("refund_exceeds_captured");

    const raced = await pending(5000);
    const paid = await service.confirmPayment(raced.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => service.refundPayment(raced.id, { amount: 1500, reason: "race" }, ctx("race"))),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(3);
    for (const r of results) {
      if (r.status === "rejected") expect(isPaymentError(r.reason, "refund_exceeds_captured")).toBe(true);
    }
    const atStripe = rig.fake.refunds().filter((r) => r.payment_intent === paid.payment.providerPaymentId);
    expect(atStripe.reduce((sum, r) => sum + r.amount, 0)).toBe(4500);
    expect(await service.getPayment(raced.id)).toMatchObject({ amountRefunded: 4500, amountRefundReserved: 0, status: "partially_refunded" });
  });

  it("a 500 Stripe saved for the confirm's key is looked up at once: the client's retry settles the one PaymentIntent, no 24 h wait", async () => {
    const created = await pending();
    rig.fake.injectFault({ kind: "answer_lost", method: "POST", path: "/v1/payment_intents" });
    const confirmCtx = ctx("confirm-500");
    const lost = await failure(service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx));
    expect(lost.code).toBe("gateway_outcome_unknown");
    const retried = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx);
    expect(retried.payment).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    expect(intentsFor(created.id)).toHaveLength(1);
    // Settled by the lookup, not by re-sending the key (which Stripe answers with its saved 500 for 24 h).
    expect(rig.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents")).toHaveLength(1);
  });

  it("a 500 Stripe saved before it made anything: the retry finds nothing by payment id and charges once under a fresh key", async () => {
    const created = await pending();
    rig.fake.injectFault({ kind: "status", status: 500, saved: true, method: "POST", path: "/v1/payment_intents" });
    const confirmCtx = ctx("confirm-saved-500");
    expect((await failure(service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx))).code).toBe("gateway_outcome_unknown");
    const retried = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, confirmCtx);
    expect(retried.payment).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    const creates = rig.fake.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents");
    // Re-sending the first key would only have replayed the saved 500 until Stripe forgot it, 24 h later.
    expect(new Set(creates.map((r) => r.idempotencyKey)).size).toBe(2);
    expect(creates.some((r) => r.replayed)).toBe(false);
    expect(intentsFor(created.id)).toHaveLength(1);
  });

  it("a refund Stripe refuses (charge disputed) fails at once and releases its reservation", async () => {
    const created = await pending();
    const paid = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.createDispute(paid.payment.providerPaymentId as string);
    const outcome = await service
      .refundPayment(created.id, { amount: 1000, reason: "requested_by_customer" }, ctx("refund-disputed"))
      .then((r) => r.refund, (e: unknown) => e);
    if (isPaymentError(outcome)) expect(outcome.code).not.toMatch(/^gateway_/);
    const [refund] = await service.listRefunds(created.id);
    expect(refund).toMatchObject({ status: "failed" });
    expect(JSON.stringify(refund?.failure)).toContain("charge_disputed");
    expect(await service.getPayment(created.id)).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundReserved: 0 });
  });

  it("an unknown payment method leaves the payment confirmable, and a corrected confirm charges once", async () => {
    const created = await pending();
    const refused = await failure(service.confirmPayment(created.id, { paymentMethodId: "pm_typo_1234" }, ctx("confirm-bad")));
    expect(refused.code).toBe("validation_error");
    expect(refused.message).not.toContain("pm_typo_1234");
    expect((await service.getPayment(created.id)).status).toBe("pending");
    const confirmed = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-good"));
    expect(confirmed.payment.status).toBe("succeeded");
    expect(intentsFor(created.id)).toHaveLength(1);
  });

  it("reconcile reports and fails a first refund Stripe failed after a missed webhook, releasing the reservation", async () => {
    const created = await pending(5000);
    await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.setRefundStatus("pending");
    const { refund } = await service.refundPayment(created.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund"));
    rig.fake.settleRefund(refund.providerRefundId!, "failed", "lost_or_stolen_card");
    const since = new Date(clock.now().getTime() - 60 * 60_000);
    const report = await service.reconcile({ provider: "stripe", since, apply: true });
    expect(report.drifts.map((d) => d.paymentId)).toContain(created.id);
    const [after] = await service.listRefunds(created.id);
    expect(after).toMatchObject({ status: "failed" });
    // Stripe's own reason is kept: reconcile saw the failed refund itself, not merely a pending one gone missing.
    expect(JSON.stringify(after?.failure)).toContain("lost_or_stolen_card");
    expect(await service.getPayment(created.id)).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundReserved: 0 });
  });
});
