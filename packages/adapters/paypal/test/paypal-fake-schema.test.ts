import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvedPayment, paymentId, rejection } from "./support/drive.js";
import { startPayPalRig, violationsIn, type PayPalTestRig } from "./support/paypal-harness.js";
import { checkResponse, checkSchema, operationFor } from "./support/paypal-schema.js";

/**
 * The fake is only worth its tests if it speaks PayPal's wire format: every response it sends is validated against
 * PayPal's published OpenAPI documents (every suite checks this when its rig closes). Here a tour makes it send
 * every kind of answer the adapter meets, and the validator is shown to catch the forms the fake used to send.
 */
let rig: PayPalTestRig;

beforeAll(async () => {
  rig = await startPayPalRig();
});
afterAll(() => rig.close());

async function raw(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const token = init.token === undefined ? rig.fake.issuedTokens.at(-1) : init.token;
  const headers: Record<string, string> = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return fetch(`${rig.fake.baseUrl}${path}`, { ...init, headers });
}

describe("every answer the fake gives validates against PayPal's OpenAPI documents", () => {
  it("a tour of orders, captures, authorizations, refunds, errors, search and webhook verification: no violation", async () => {
    // Orders: created (approve / payer-action), approved, completed; captures completed, pending, declined.
    const paid = await approvedPayment(rig.gateway, rig.fake);
    await rig.gateway.retrieve(paid.providerPaymentId);
    await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "pending", reason: "PENDING_REVIEW" } });
    await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_201", responseCode: "5120" } });
    await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_422", issue: "PAYER_ACTION_REQUIRED" } });
    await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_422", issue: "INSTRUMENT_DECLINED" } });
    const id = paymentId();
    await rig.gateway.createPayment({ paymentId: id, amount: 100, currency: "JPY", captureMethod: "automatic", returnUrl: "https://shop.example/r" }, { idempotencyKey: `${id}:c` });
    // Authorizations: created, captured, voided, denied, pending; a void of a voided one.
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    await rig.gateway.capture({ paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount: 1500, currency: "USD" }, { idempotencyKey: "k-cap" });
    const voided = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    await rig.gateway.cancel({ paymentId: voided.paymentId!, providerPaymentId: voided.providerPaymentId }, { idempotencyKey: "k-void" });
    const authorizationId = rig.fake.ledger.orders.get(voided.providerPaymentId)!.authorizationIds[0]!;
    await raw(`/v2/payments/authorizations/${authorizationId}/void`, { method: "POST", body: "{}" });
    await raw(`/v2/payments/authorizations/${authorizationId}`);
    await approvedPayment(rig.gateway, rig.fake, { manual: true, outcome: { kind: "decline_201", responseCode: "5120" } });
    await approvedPayment(rig.gateway, rig.fake, { manual: true, outcome: { kind: "pending", reason: "PENDING_REVIEW" } });
    // Refunds: completed, pending then failed, refused; the capture and the refund read on their own.
    const refund = (refundId: string, amount: number) =>
      rig.gateway.refund({ paymentId: paid.paymentId!, refundId, providerPaymentId: paid.providerPaymentId, amount, currency: "USD", reason: "r" }, { idempotencyKey: refundId });
    const done = await refund("rf_done", 500);
    rig.fake.planNextRefund({ status: "PENDING", then: "FAILED" });
    await refund("rf_pending", 500);
    await rig.gateway.retrieve(paid.providerPaymentId);
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue: "REFUND_FAILED_INSUFFICIENT_FUNDS" } });
    await refund("rf_refused", 500);
    await raw(`/v2/payments/refunds/${done.providerRefundId}`);
    await raw(`/v2/payments/captures/${rig.fake.ledger.orders.get(paid.providerPaymentId)!.captureIds[0]}`);
    // Errors: 400 malformed, 401 without and with a dead token, 404, 409 in flight, 500 after acting, 503.
    await raw("/v2/checkout/orders", { method: "POST", body: "{not json" });
    await raw("/v2/checkout/orders/XXXXXXXXXXXXXXXXX", { token: null });
    await raw("/v2/checkout/orders/XXXXXXXXXXXXXXXXX", { token: "A21AAnot-a-token" });
    await rejection(rig.gateway.retrieve("XXXXXXXXXXXXXXXXX"));
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "delay", ms: 150 } });
    const slow = rig.gateway.createPayment({ paymentId: "pay_slow", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-slow" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await rejection(rig.gateway.createPayment({ paymentId: "pay_slow", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-slow" }));
    await slow;
    await rig.gateway.createPayment({ paymentId: "pay_slow", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-slow" });
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "answer_after_success", status: 500 } });
    await rejection(rig.gateway.createPayment({ paymentId: "pay_lost", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-lost" }));
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", fault: { kind: "status", status: 503 } });
    await rejection(rig.gateway.createPayment({ paymentId: "pay_down", amount: 100, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-down" }));
    // Search with rows and an empty window; webhook verification, both answers.
    await rig.gateway.findByPaymentId(paid.paymentId!);
    await rig.gateway.findByPaymentId("pay_never_made");
    for await (const _ of rig.gateway.listTransactions({ since: new Date(Date.now() + 3_600_000), until: new Date(Date.now() + 7_200_000) })) void _;
    await raw("/v1/notifications/verify-webhook-signature", { method: "POST", body: JSON.stringify({ webhook_event: {} }) });

    const seen = new Set(
      rig.fake.responses.flatMap((r) => {
        const op = operationFor(r.method, r.path);
        return op ? [`${op.operationId} ${r.status}`] : [];
      }),
    );
    for (const answer of [
      "orders.create 201", "orders.create 200", "orders.create 400", "orders.create 409", "orders.create 500", "orders.create 503",
      "orders.get 200", "orders.get 401", "orders.get 404", "orders.capture 201", "orders.capture 422", "orders.authorize 201",
      "authorizations.get 200", "authorizations.capture 201", "authorizations.void 204", "authorizations.void 422",
      "captures.get 200", "captures.refund 201", "captures.refund 422", "refunds.get 200", "search.get 200",
      "verify-webhook-signature.post 200",
    ]) {
      expect(seen, answer).toContain(answer);
    }
    expect(violationsIn(rig.fake)).toEqual([]);
  });

  it("webhook envelopes, and the captures, authorizations, refunds and orders they carry, validate too", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    const refunded = await rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_hook", providerPaymentId: paid.providerPaymentId, amount: 100, currency: "USD", reason: "r" },
      { idempotencyKey: "k-hook" },
    );
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    const order = rig.fake.ledger.orders.get(paid.providerPaymentId)!;
    const resources = [
      { api: "payments", schema: "capture-2", value: rig.fake.capture(order.captureIds[0]!), type: "PAYMENT.CAPTURE.COMPLETED" },
      { api: "payments", schema: "refund", value: rig.fake.refund(refunded.providerRefundId), type: "PAYMENT.CAPTURE.REFUNDED" },
      { api: "payments", schema: "authorization-2", value: rig.fake.authorization(rig.fake.ledger.orders.get(authorized.providerPaymentId)!.authorizationIds[0]!), type: "PAYMENT.AUTHORIZATION.CREATED" },
      { api: "orders", schema: "order", value: rig.fake.order(paid.providerPaymentId), type: "CHECKOUT.ORDER.COMPLETED" },
    ] as const;
    for (const { api, schema, value, type } of resources) {
      expect(checkSchema(api, schema, value)).toBeNull();
      expect(checkSchema("webhooks", "event", rig.fake.webhookEvent(type, value, schema))).toBeNull();
    }
    expect(checkSchema("webhooks", "event", rig.fake.webhookEvent("CUSTOMER.DISPUTE.CREATED", rig.fake.disputeResource(order.captureIds[0]!), "dispute"))).toBeNull();
  });
});

describe("the validator catches the forms the fake used to send", () => {
  // Its own good answers to spoil, whatever ran before.
  beforeAll(async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    await rig.gateway.retrieve(paid.providerPaymentId);
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue: "REFUND_FAILED_INSUFFICIENT_FUNDS" } });
    await rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_spoil", providerPaymentId: paid.providerPaymentId, amount: 100, currency: "USD", reason: "r" },
      { idempotencyKey: "k-spoil" },
    );
    await rig.gateway.findByPaymentId(paid.paymentId!);
  });
  const ok = (method: string, path: string, status: number, body: unknown) => checkResponse(method, path, status, body);
  const pick = (path: RegExp, status: number) => structuredClone(rig.fake.responses.findLast((r) => path.test(r.path) && r.status === status)!);

  it("merchant and payer ids that are not PayPal's 13-character account ids", () => {
    const order = pick(/^\/v2\/checkout\/orders\/[^/]+$/, 200);
    expect(ok(order.method, order.path, 200, order.body)).toBeNull();
    const body = order.body as { purchase_units: Array<{ payee: Record<string, string> }>; payer?: Record<string, string> };
    body.purchase_units[0]!.payee["merchant_id"] = "FAKEMERCHANT01";
    expect(ok(order.method, order.path, 200, body)).not.toBeNull();
    const buyer = pick(/^\/v2\/checkout\/orders\/[^/]+\/capture$/, 201);
    (buyer.body as { payer: Record<string, string> }).payer["payer_id"] = "FAKEBUYER0001";
    expect(ok(buyer.method, buyer.path, 200, buyer.body)).not.toBeNull();
  });

  it("search dates in +0000 form, an empty links list and an empty transaction list", () => {
    const search = rig.fake.responses.findLast((r) => r.path === "/v1/reporting/transactions" && (r.body as { transaction_details?: unknown[] }).transaction_details)!;
    expect(ok("GET", search.path, 200, search.body)).toBeNull();
    const dated = structuredClone(search.body) as { transaction_details: Array<{ transaction_info: Record<string, string> }> };
    dated.transaction_details[0]!.transaction_info["transaction_initiation_date"] = "2026-01-05T10:00:00+0000";
    expect(ok("GET", search.path, 200, dated)).not.toBeNull();
    expect(ok("GET", search.path, 200, { ...(search.body as object), links: [] })).not.toBeNull();
    expect(ok("GET", search.path, 200, { ...(search.body as object), transaction_details: [] })).not.toBeNull();
  });

  it("an error whose description is not the one PayPal documents for the issue, or an issue the operation does not list", () => {
    const refused = pick(/\/refund$/, 422);
    expect(ok(refused.method, refused.path, 422, refused.body)).toBeNull();
    const body = refused.body as { details: Array<Record<string, string>> };
    const described = structuredClone(body);
    described.details[0]!["description"] = described.details[0]!["issue"]!;
    expect(ok(refused.method, refused.path, 422, described)).not.toBeNull();
    const foreign = structuredClone(body);
    foreign.details[0] = { issue: "INSTRUMENT_DECLINED", description: "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment." };
    expect(ok(refused.method, refused.path, 422, foreign)).not.toBeNull();
  });
});
