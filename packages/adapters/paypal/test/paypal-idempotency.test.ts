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
