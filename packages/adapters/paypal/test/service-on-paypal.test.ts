import { ManualClock, createMemoryStore, createPaymentService, isPaymentError, type PaymentError, type PaymentService } from "@org/payments-core";
import type { ApprovalOutcome } from "@org/payments-test-support/paypal-fake";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * The whole core service (three phases, idempotency records, recovery) on the real PayPal adapter, over HTTP to the
 * fake. PayPal is a redirect flow: confirm creates the order (requires_action, the approval link), the buyer
 * approves, and a second confirm resumes it, which is when money moves (capture or authorize).
 */

// One clock for the service, the adapter (search windows) and the fake (request-id retention, timestamps).
const clock = new ManualClock(new Date());
const rig: PayPalTestRig = await startPayPalRig({ clock: () => clock.now() }, { now: () => clock.now() });
afterAll(() => rig.close());

let service: PaymentService;
let seq = 0;
const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });
const SIX_HOURS = 6 * 3600 * 1000;

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

/** Creates the payment and its order, and lets the buyer approve it; the caller resumes. */
async function approved(amount = 5000, outcome?: ApprovalOutcome) {
  const { payment } = await service.createPayment({ owner, amount, currency: "USD", provider: "paypal" }, ctx("create"));
  const confirmed = await service.confirmPayment(payment.id, { returnUrl: "https://shop.example/return", cancelUrl: "https://shop.example/cancel" }, ctx("confirm"));
  expect(confirmed.payment).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
  rig.fake.approveOrder(confirmed.payment.providerPaymentId!, outcome);
  return confirmed.payment;
}

async function captured(amount = 5000) {
  const payment = await approved(amount);
  return (await service.confirmPayment(payment.id, {}, ctx("resume"))).payment;
}

const captureCount = () => rig.fake.ledger.captures.size;

/** Delivers a signed event to the service as PayPal would (raw bytes, PayPal's headers). */
async function deliver(event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  return service.handleWebhook("paypal", Buffer.from(body), rig.signer.sign(body, { webhookId: rig.fake.webhookId, transmissionTime: clock.now() }));
}
const refundedUnits = (captureId: string) =>
  [...rig.fake.ledger.refunds.values()].filter((r) => r.captureId === captureId).reduce((sum, r) => sum + r.units, 0n);

describe("the payment service on PayPal", () => {
  it("charges once: the order carries our payment id, the second confirm after approval captures it", async () => {
    const payment = await captured();
    expect(payment).toMatchObject({ status: "succeeded", provider: "paypal", amountCaptured: 5000 });
    const order = rig.fake.ledger.orders.get(payment.providerPaymentId!);
    expect(order).toMatchObject({ customId: payment.id, status: "COMPLETED" });
    expect(captureCount()).toBe(1);
  });

  it.each([
    [{ kind: "decline_422", issue: "PAYER_ACCOUNT_RESTRICTED" }, "card_declined", "PAYER_ACCOUNT_RESTRICTED"],
    [{ kind: "decline_422", issue: "TRANSACTION_LIMIT_EXCEEDED" }, "card_declined", "TRANSACTION_LIMIT_EXCEEDED"],
    [{ kind: "decline_201", responseCode: "5120" }, "insufficient_funds", "5120"],
  ] as const)("a decline at capture (%o) answers 402 %s with PayPal's code as declineCode and leaves the payment failed", async (outcome, code, declineCode) => {
    const payment = await approved(5000, outcome);
    const error = await failure(service.confirmPayment(payment.id, {}, ctx("resume")));
    expect({ code: error.code, declineCode: error.declineCode, httpStatus: error.httpStatus }).toEqual({ code, declineCode, httpStatus: 402 });
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "failed", amountCaptured: 0, lastError: { code } });
  });

  it("INSTRUMENT_DECLINED at capture sends the buyer back to the same order; once they pick another source it captures", async () => {
    const payment = await approved(5000, { kind: "decline_422", issue: "INSTRUMENT_DECLINED" });
    const declined = await service.confirmPayment(payment.id, {}, ctx("resume"));
    expect(declined.payment).toMatchObject({
      status: "requires_action",
      nextAction: { type: "redirect", url: `https://www.sandbox.paypal.com/checkoutnow?token=${payment.providerPaymentId}` },
    });
    expect(captureCount()).toBe(0);
    rig.fake.approveOrder(payment.providerPaymentId!);
    const paid = await service.confirmPayment(payment.id, {}, ctx("resume"));
    expect(paid.payment).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    expect(captureCount()).toBe(1);
  });

  it("PAYER_ACTION_REQUIRED keeps the payment in requires_action with PayPal's payer-action link", async () => {
    const payment = await approved(5000, { kind: "decline_422", issue: "PAYER_ACTION_REQUIRED" });
    const waiting = await service.confirmPayment(payment.id, {}, ctx("resume"));
    const links = rig.fake.order(payment.providerPaymentId!)["links"] as Array<{ rel: string; href: string }>;
    expect(waiting.payment).toMatchObject({ status: "requires_action", nextAction: { url: links.find((l) => l.rel === "payer-action")!.href } });
  });

  it("a refund PayPal refuses (REFUND_FAILED_INSUFFICIENT_FUNDS) is failed at once and its amount released, never pending", async () => {
    const payment = await captured();
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue: "REFUND_FAILED_INSUFFICIENT_FUNDS" } });
    await service.refundPayment(payment.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund")).catch(() => undefined);
    const [refund] = await service.listRefunds(payment.id);
    expect(refund).toMatchObject({ status: "failed", amount: 1200 });
    expect(refund!.failure?.message).toContain("REFUND_FAILED_INSUFFICIENT_FUNDS");
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundReserved: 0 });
    expect(await service.recoverStale({ olderThanMs: 0 })).toMatchObject({ examined: 0 });
  });

  it("a capture PayPal holds PENDING keeps its reason, and settles from the PAYMENT.CAPTURE.COMPLETED webhook", async () => {
    const payment = await approved(5000, { kind: "pending", reason: "PENDING_REVIEW" });
    const held = await service.confirmPayment(payment.id, {}, ctx("resume"));
    expect(held.payment).toMatchObject({ status: "processing", amountCaptured: 0 });
    expect(await rig.gateway.retrieve(payment.providerPaymentId!)).toMatchObject({ status: "processing", pendingReason: "PENDING_REVIEW" });
    const captureId = rig.fake.ledger.orders.get(payment.providerPaymentId!)!.captureIds[0]!;
    rig.fake.settleCapture(captureId, "COMPLETED");
    const result = await deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", rig.fake.capture(captureId), "capture"));
    expect(result).toMatchObject({ status: "applied", paymentId: payment.id });
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
  });

  it("a CUSTOMER.DISPUTE.CREATED naming only the capture (no custom) flags our payment", async () => {
    const payment = await captured();
    const captureId = rig.fake.ledger.orders.get(payment.providerPaymentId!)!.captureIds[0]!;
    const result = await deliver(rig.fake.webhookEvent("CUSTOMER.DISPUTE.CREATED", rig.fake.disputeResource(captureId), "dispute"));
    expect(result).toMatchObject({ status: "applied", paymentId: payment.id });
    expect(await service.getPayment(payment.id)).toMatchObject({ disputed: true });
  });

  it("a capture response lost after PayPal charged is gateway_outcome_unknown; the retry with the same key captures once", async () => {
    const payment = await approved();
    rig.fake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "drop_after_success" } });
    const resumeCtx = ctx("resume-lost");
    const lost = await failure(service.confirmPayment(payment.id, {}, resumeCtx));
    expect({ code: lost.code, httpStatus: lost.httpStatus }).toEqual({ code: "gateway_outcome_unknown", httpStatus: 503 });
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "processing" });
    expect(captureCount()).toBe(1);

    const retried = await service.confirmPayment(payment.id, {}, resumeCtx);
    expect(retried.payment).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    expect(captureCount()).toBe(1);
  });

  it("an order-create response lost is retried with the same PayPal-Request-Id: one order", async () => {
    const { payment } = await service.createPayment({ owner, amount: 5000, currency: "USD" }, ctx("create"));
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "drop_after_success" } });
    const confirmCtx = ctx("confirm-lost");
    expect((await failure(service.confirmPayment(payment.id, {}, confirmCtx))).code).toBe("gateway_outcome_unknown");
    const retried = await service.confirmPayment(payment.id, {}, confirmCtx);
    expect(retried.payment.status).toBe("requires_action");
    expect(rig.fake.ledger.orders.size).toBe(1);
  });

  it("past the 6 h key retention, recovery finds the captured order instead of capturing again", async () => {
    const payment = await approved();
    rig.fake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "drop_after_success" } });
    await failure(service.confirmPayment(payment.id, {}, ctx("resume-old")));
    clock.advance(SIX_HOURS + 60 * 60_000);

    const report = await service.recoverStale({ olderThanMs: 60_000 });
    expect(report).toMatchObject({ examined: 1, stillPending: [], settled: [{ paymentId: payment.id, ok: true }] });
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountCaptured: 5000 });
    expect(captureCount()).toBe(1);
    // The object the service settled on is the one PayPal's reporting knows under our payment id.
    expect(await rig.gateway.findByPaymentId(payment.id)).toMatchObject({ providerPaymentId: payment.providerPaymentId, amountCaptured: 5000 });
    expect(await service.recoverStale({ olderThanMs: 0 })).toMatchObject({ examined: 0 });
  });

  it("past retention, a lost refund is found through our payment id and refund id instead of refunding twice", async () => {
    const payment = await captured();
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "drop_after_success" } });
    const lost = await failure(service.refundPayment(payment.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund-old")));
    expect(lost.code).toBe("gateway_outcome_unknown");
    expect(await service.getPayment(payment.id)).toMatchObject({ amountRefundReserved: 1200, amountRefunded: 0 });
    clock.advance(SIX_HOURS + 60 * 60_000);
    const sentBefore = rig.fake.requests.length;

    expect((await service.recoverStale({ olderThanMs: 60_000 })).settled).toMatchObject([{ paymentId: payment.id, ok: true }]);
    const [refund] = await service.listRefunds(payment.id);
    expect(refund).toMatchObject({ amount: 1200, status: "succeeded" });
    expect(rig.fake.ledger.refunds.size).toBe(1);
    // Found on the payment's own order (its captures' refunds, by our refund id), not by re-sending the forgotten key.
    expect(rig.fake.requests.slice(sentBefore).some((r) => r.method === "POST" && /\/refund$/.test(r.path))).toBe(false);
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1200, amountRefundReserved: 0 });
  });

  it("partial refunds never exceed the capture, one after another or 8 at once", async () => {
    const sequential = await captured(5000);
    const captureId = rig.fake.ledger.orders.get(sequential.providerPaymentId!)!.captureIds[0]!;
    await service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund"));
    await service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund"));
    const tooMuch = await failure(service.refundPayment(sequential.id, { amount: 2000, reason: "detour" }, ctx("refund")));
    expect({ code: tooMuch.code, httpStatus: tooMuch.httpStatus }).toEqual({ code: "refund_exceeds_captured", httpStatus: 422 });
    const rest = await service.refundPayment(sequential.id, { amount: 1000, reason: "detour" }, ctx("refund"));
    expect(rest.payment).toMatchObject({ status: "refunded", amountRefunded: 5000 });
    expect(refundedUnits(captureId)).toBe(5000n);

    const raced = await captured(5000);
    const racedCapture = rig.fake.ledger.orders.get(raced.providerPaymentId!)!.captureIds[0]!;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => service.refundPayment(raced.id, { amount: 1500, reason: "race" }, ctx("race"))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results) {
      if (r.status === "rejected") expect(isPaymentError(r.reason, "refund_exceeds_captured")).toBe(true);
    }
    expect(refundedUnits(racedCapture)).toBe(4500n);
    expect(await service.getPayment(raced.id)).toMatchObject({ amountRefunded: 4500, amountRefundReserved: 0, status: "partially_refunded" });
  });
});
