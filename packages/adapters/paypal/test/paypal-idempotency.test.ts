import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { approvedPayment, paymentId, rejection } from "./support/drive.js";

const SIX_HOURS = 6 * 3600 * 1000;
let now = new Date();
const rig: PayPalTestRig = await startPayPalRig({ clock: () => now }, { now: () => now });
afterAll(() => rig.close());
beforeEach(() => {
  now = new Date();
  rig.fake.reset();
});

describe("PayPal-Request-Id carries the gateway key", () => {
  it("is sent on every mutating call", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    await rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_1", providerPaymentId: paid.providerPaymentId, amount: 500, currency: "USD", reason: "r" },
      { idempotencyKey: "k-refund-1" },
    );
    const manual = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    await rig.gateway.cancel({ paymentId: manual.paymentId!, providerPaymentId: manual.providerPaymentId }, { idempotencyKey: "k-void-1" });
    const posts = rig.fake.requests.filter((r) => r.method === "POST" && r.path !== "/v1/oauth2/token");
    expect(posts.map((r) => r.path.replace(/[A-Z0-9]{17}/g, ":id"))).toEqual([
      "/v2/checkout/orders",
      "/v2/checkout/orders/:id/capture",
      "/v2/payments/captures/:id/refund",
      "/v2/checkout/orders",
      "/v2/checkout/orders/:id/authorize",
      "/v2/payments/authorizations/:id/void",
    ]);
    expect(posts.every((r) => typeof r.requestId === "string" && r.requestId.length > 0)).toBe(true);
    expect(posts[2]!.requestId).toBe("k-refund-1");
    // The SDK aimed at PayPal's sandbox host; the fake only stripped it.
    expect(new Set(rig.fake.requests.map((r) => r.host))).toEqual(new Set(["api-m.sandbox.paypal.com"]));
  });

  it("keys longer than PayPal's 108 characters become a stable digest", async () => {
    const id = paymentId();
    const key = `${id}:${"x".repeat(200)}`;
    const first = await rig.gateway.createPayment({ paymentId: id, amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: key });
    const second = await rig.gateway.createPayment({ paymentId: id, amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: key });
    expect(second.providerPaymentId).toBe(first.providerPaymentId);
    expect(rig.fake.requests.find((r) => r.method === "POST" && r.path === "/v2/checkout/orders")!.requestId!.length).toBeLessThanOrEqual(108);
  });

  it("10 concurrent creates under one key make exactly one order", async () => {
    const id = paymentId();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "manual" }, { idempotencyKey: `${id}:confirm` }),
      ),
    );
    expect(new Set(results.map((r) => r.providerPaymentId)).size).toBe(1);
    expect(rig.fake.ledger.orders.size).toBe(1);
  });
});

describe("a lost response, then a retry with the same key, yields one provider object", () => {
  it("create: the order is made once", async () => {
    const id = paymentId();
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "drop_after_success" } });
    const request = { paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" as const };
    expect((await rejection(rig.gateway.createPayment(request, { idempotencyKey: `${id}:confirm` }))).code).toBe("gateway_outcome_unknown");
    const retried = await rig.gateway.createPayment(request, { idempotencyKey: `${id}:confirm` });
    expect(retried.status).toBe("requires_action");
    expect(rig.fake.ledger.orders.size).toBe(1);
  });

  it("capture: the buyer is charged once", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:confirm` });
    rig.fake.approveOrder(created.providerPaymentId);
    rig.fake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "drop_after_success" } });
    const resume = { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" as const };
    expect((await rejection(rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` }))).code).toBe("gateway_outcome_unknown");
    const retried = await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` });
    expect(retried).toMatchObject({ status: "succeeded", amountCaptured: 2000, paymentId: id });
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("refund: the money goes back once", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "drop_after_success" } });
    const request = { paymentId: paid.paymentId!, refundId: "rf_lost", providerPaymentId: paid.providerPaymentId, amount: 700, currency: "USD", reason: "r" };
    expect((await rejection(rig.gateway.refund(request, { idempotencyKey: "k-rf-lost" }))).code).toBe("gateway_outcome_unknown");
    const retried = await rig.gateway.refund(request, { idempotencyKey: "k-rf-lost" });
    expect(retried).toMatchObject({ refundId: "rf_lost", amount: 700, status: "succeeded" });
    expect(rig.fake.ledger.refunds.size).toBe(1);
  });
});

describe("past the 6 h key retention", () => {
  it("recovery finds the captured order by our payment id, and a retried capture does not charge again", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:confirm` });
    rig.fake.approveOrder(created.providerPaymentId);
    rig.fake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "drop_after_success" } });
    const resume = { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" as const };
    await rejection(rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` }));
    now = new Date(now.getTime() + SIX_HOURS + 60_000);

    const found = await rig.gateway.findByPaymentId(id);
    expect(found).toMatchObject({ providerPaymentId: created.providerPaymentId, paymentId: id, status: "succeeded", amountCaptured: 2000 });
    // PayPal has forgotten the key; it refuses a second capture (ORDER_ALREADY_CAPTURED) and the order tells the outcome.
    const retried = await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` });
    expect(retried).toMatchObject({ status: "succeeded", amountCaptured: 2000 });
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("a manual-capture payment is found through its authorization", async () => {
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    now = new Date(now.getTime() + SIX_HOURS + 60_000);
    expect(await rig.gateway.findByPaymentId(authorized.paymentId!)).toMatchObject({ status: "authorized", amountCapturable: 2000 });
  });

  it("a retried refund finds its own refund by our refund id instead of refunding twice", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "drop_after_success" } });
    const request = { paymentId: paid.paymentId!, refundId: "rf_late", providerPaymentId: paid.providerPaymentId, amount: 2000, currency: "USD", reason: "r" };
    await rejection(rig.gateway.refund(request, { idempotencyKey: "k-rf-late" }));
    now = new Date(now.getTime() + SIX_HOURS + 60_000);
    expect(await rig.gateway.refund(request, { idempotencyKey: "k-rf-late" })).toMatchObject({ refundId: "rf_late", amount: 2000 });
    expect(rig.fake.ledger.refunds.size).toBe(1);
  });

  it("finds nothing for a payment that never moved money (documented limit)", async () => {
    const id = paymentId();
    await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:confirm` });
    expect(await rig.gateway.findByPaymentId(id)).toBeNull();
  });
});

describe("the fake keeps PayPal's PayPal-Request-Id promises (the latest status of the previous request, per id)", () => {
  const create = (id: string, key: string) =>
    rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: key });

  it("a refusal is the answer for its id: the same id gets the same 422 again, a new id is tried afresh", async () => {
    const id = paymentId();
    const created = await create(id, `${id}:confirm`);
    rig.fake.approveOrder(created.providerPaymentId, { kind: "decline_422", issue: "TRANSACTION_REFUSED" });
    const resume = { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" as const };
    expect((await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` })).status).toBe("failed");
    rig.fake.approveOrder(created.providerPaymentId);
    // PayPal answers the stored refusal for the old id, whatever the order is now (so every resume needs its own key).
    expect((await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` })).status).toBe("failed");
    expect((await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:2` })).status).toBe("succeeded");
    const captures = rig.fake.responses.filter((r) => r.path.endsWith("/capture")).slice(-3).map((r) => r.status);
    expect(captures).toEqual([422, 422, 201]);
  });

  it("a second request with an id still in flight is told 409 PREVIOUS_REQUEST_IN_PROGRESS (an unknown outcome: the first may act); its retry gets the first one's order", async () => {
    const id = paymentId();
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "delay", ms: 300 } });
    const first = create(id, `${id}:confirm`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await rejection(create(id, `${id}:confirm`));
    expect(second).toMatchObject({ code: "gateway_outcome_unknown", retryAfterSeconds: 1 });
    expect((second as { details?: Record<string, unknown> }).details).toMatchObject({ status: 409, issue: "PREVIOUS_REQUEST_IN_PROGRESS" });
    const made = await first;
    expect((await create(id, `${id}:confirm`)).providerPaymentId).toBe(made.providerPaymentId);
    expect(rig.fake.ledger.orders.size).toBe(1);
  });

  it("an answer lost after PayPal captured: the retry with the same id gets the capture PayPal made (200), once", async () => {
    const id = paymentId();
    const created = await create(id, `${id}:confirm`);
    rig.fake.approveOrder(created.providerPaymentId);
    rig.fake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "answer_after_success", status: 500 } });
    const resume = { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" as const };
    expect((await rejection(rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` }))).code).toBe("gateway_outcome_unknown");
    expect(await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:resume:1` })).toMatchObject({ status: "succeeded", amountCaptured: 2000 });
    expect(rig.fake.responses.filter((r) => r.path.endsWith("/capture")).slice(-2).map((r) => r.status)).toEqual([500, 200]);
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("a 5xx PayPal saved for the id is given again: each try is an unknown outcome, and nothing is made", async () => {
    const id = paymentId();
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "status", status: 500, saved: true } });
    expect((await rejection(create(id, `${id}:confirm`))).code).toBe("gateway_outcome_unknown");
    expect((await rejection(create(id, `${id}:confirm`))).code).toBe("gateway_outcome_unknown");
    expect(rig.fake.ledger.orders.size).toBe(0);
  });
});

describe("refunds PayPal refuses, or accepts and then fails", () => {
  const refund = (paid: { paymentId: string | null; providerPaymentId: string }, refundId: string, amount = 700) =>
    rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId, providerPaymentId: paid.providerPaymentId, amount, currency: "USD", reason: "r" },
      { idempotencyKey: `${paid.paymentId}:refund:${refundId}` },
    );

  it.each(["REFUND_FAILED_INSUFFICIENT_FUNDS", "REFUND_TIME_LIMIT_EXCEEDED", "REFUND_NOT_ALLOWED", "TRANSACTION_DISPUTED"])(
    "422 %s → a definite failed refund with PayPal's reason, never a retryable error",
    async (issue) => {
      const paid = await approvedPayment(rig.gateway, rig.fake);
      rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue } });
      expect(await refund(paid, "rf_refused")).toEqual({
        providerRefundId: "",
        refundId: "rf_refused",
        providerPaymentId: paid.providerPaymentId,
        amount: 700,
        currency: "USD",
        status: "failed",
        failureReason: issue,
      });
      expect(rig.fake.ledger.refunds.size).toBe(0);
    },
  );

  it("a refund accepted PENDING that fails at PayPal is failed on the next retrieve, gives nothing back, and frees the amount", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    rig.fake.planNextRefund({ status: "PENDING", then: "FAILED" });
    expect(await refund(paid, "rf_bounced", 2000)).toMatchObject({ status: "pending", refundId: "rf_bounced" });
    const after = await rig.gateway.retrieve(paid.providerPaymentId);
    expect(after).toMatchObject({ status: "succeeded", amountRefunded: 0 });
    expect(after.refunds).toMatchObject([{ refundId: "rf_bounced", status: "failed", failureReason: "ECHECK", amount: 2000 }]);
    expect(await refund(paid, "rf_again", 2000)).toMatchObject({ status: "succeeded" });
  });
});
