import type { GatewayDispute, GatewayWebhookEvent, PaymentGateway } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { checkDispute, checkDisputeEvent } from "./support/dispute-schema.js";
import { approvedPayment, rejection } from "./support/drive.js";
import type { FakeDisputeStage } from "./support/fake-disputes.js";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * Disputes through the real SDK and HTTP: webhooks signed as PayPal signs them, and the Disputes API's list and show
 * endpoints served by the disputes fake. Every event is held to PayPal's published webhook envelope and our
 * transcription of the dispute docs; every list and show answer is checked when the rig closes.
 */
const rig: PayPalTestRig = await startPayPalRig({}, {});
afterAll(() => rig.close());
beforeEach(() => {
  rig.fake.reset();
  rig.disputes.reset();
});

async function capturedPayment(amount = 2000) {
  const paid = await approvedPayment(rig.gateway, rig.fake, { amount });
  return { paid, captureId: rig.fake.ledger.orders.get(paid.providerPaymentId)!.captureIds[0]! };
}

type DisputeEventType = "CUSTOMER.DISPUTE.CREATED" | "CUSTOMER.DISPUTE.UPDATED" | "CUSTOMER.DISPUTE.RESOLVED";

/** The webhook for the dispute as it stands, checked against the schemas, delivered to `gateway`. */
async function reported(type: DisputeEventType, disputeId: string, gateway: PaymentGateway = rig.gateway): Promise<GatewayDispute> {
  const event = rig.disputes.webhookEvent(type, disputeId);
  expect(checkDisputeEvent(event)).toBeNull();
  const { rawBody, headers } = rig.disputes.signed(event);
  const parsed: GatewayWebhookEvent = await gateway.parseWebhook(rawBody, headers);
  if (parsed.kind !== "dispute") throw new Error(`expected a dispute event, got ${parsed.kind}`);
  expect(parsed).toMatchObject({ type, paymentId: parsed.dispute.paymentId, providerPaymentId: parsed.dispute.providerPaymentId });
  return parsed.dispute;
}

async function collect(window: { since: Date; until: Date }): Promise<GatewayDispute[]> {
  const out: GatewayDispute[] = [];
  for await (const dispute of rig.gateway.listDisputes!(window)) out.push(dispute);
  return out;
}

describe("a dispute's webhooks through its lifecycle", () => {
  it("a claim the seller wins: created → waiting for the buyer → resolved in the seller's favour", async () => {
    const { paid, captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId, { reason: "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED" });
    const opened = await reported("CUSTOMER.DISPUTE.CREATED", id);
    expect(opened).toMatchObject({
      providerDisputeId: id,
      paymentId: paid.paymentId,
      providerPaymentId: paid.providerPaymentId,
      status: "needs_response",
      providerStatus: "WAITING_FOR_SELLER_RESPONSE",
      reason: "product_unacceptable",
      providerReason: "MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED",
      amount: 2000,
      currency: "USD",
    });
    expect(opened.evidenceDueBy).toBe(rig.disputes.disputes.get(id)!.sellerResponseDueDate!.toISOString());
    expect(opened.updatedAt).toBe(opened.openedAt);

    rig.disputes.move(id, { status: "WAITING_FOR_BUYER_RESPONSE" });
    const waiting = await reported("CUSTOMER.DISPUTE.UPDATED", id);
    expect(waiting).toMatchObject({ status: "under_review", providerStatus: "WAITING_FOR_BUYER_RESPONSE", evidenceDueBy: null });
    expect(waiting.updatedAt! > opened.updatedAt!).toBe(true);

    rig.disputes.move(id, { status: "RESOLVED", outcome: "RESOLVED_SELLER_FAVOUR" });
    expect(await reported("CUSTOMER.DISPUTE.RESOLVED", id)).toMatchObject({ status: "won", providerStatus: "RESOLVED", evidenceDueBy: null });
  });

  it("a claim the seller loses: resolved in the buyer's favour", async () => {
    const { captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId, { reason: "UNAUTHORISED", value: "15.00" });
    expect(await reported("CUSTOMER.DISPUTE.CREATED", id)).toMatchObject({ status: "needs_response", reason: "fraudulent", amount: 1500 });
    rig.disputes.move(id, { status: "UNDER_REVIEW" });
    expect(await reported("CUSTOMER.DISPUTE.UPDATED", id)).toMatchObject({ status: "under_review" });
    rig.disputes.move(id, { status: "RESOLVED", outcome: "RESOLVED_BUYER_FAVOUR" });
    expect(await reported("CUSTOMER.DISPUTE.RESOLVED", id)).toMatchObject({ status: "lost", amount: 1500 });
  });

  it("an inquiry: warning statuses while buyer and seller talk, warning_closed when it ends without a claim", async () => {
    const { captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId, { stage: "INQUIRY" });
    expect(await reported("CUSTOMER.DISPUTE.CREATED", id)).toMatchObject({ status: "warning_needs_response", providerStatus: "OPEN", reason: "product_not_received" });
    rig.disputes.move(id, { status: "WAITING_FOR_BUYER_RESPONSE" });
    expect(await reported("CUSTOMER.DISPUTE.UPDATED", id)).toMatchObject({ status: "warning_under_review" });
    rig.disputes.move(id, { status: "RESOLVED", outcome: "CANCELED_BY_BUYER" });
    expect(await reported("CUSTOMER.DISPUTE.RESOLVED", id)).toMatchObject({ status: "warning_closed" });
  });

  it("an inquiry escalated to a claim becomes a dispute proper", async () => {
    const { captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId, { stage: "INQUIRY" });
    rig.disputes.move(id, { status: "WAITING_FOR_SELLER_RESPONSE", stage: "CHARGEBACK" });
    expect(await reported("CUSTOMER.DISPUTE.UPDATED", id)).toMatchObject({ status: "needs_response" });
  });

  it("dispute webhooks verified by PayPal's own verify call map the same", async () => {
    const { captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId);
    expect(await reported("CUSTOMER.DISPUTE.CREATED", id, rig.gatewayWith({ verification: "api" }))).toMatchObject({ providerDisputeId: id, status: "needs_response" });
  });
});

describe("listDisputes reads PayPal's Disputes API", () => {
  it("pages by the next link's next_page_token, reads each summary's details once, and maps every dispute", async () => {
    const payments = [await capturedPayment(), await capturedPayment(3000)];
    const since = new Date(Date.now() - 60_000);
    const opened = Array.from({ length: 53 }, (_, i) => {
      const { captureId } = payments[i % 2]!;
      const stage: FakeDisputeStage = i % 3 === 0 ? "INQUIRY" : "CHARGEBACK";
      return rig.disputes.open(captureId, { stage });
    });
    rig.disputes.move(opened[0]!, { status: "RESOLVED", outcome: "RESOLVED_SELLER_FAVOUR", stage: "CHARGEBACK" });
    const listed = await collect({ since, until: new Date(Date.now() + 60_000) });

    expect(listed.map((d) => d.providerDisputeId).sort()).toEqual([...opened].sort());
    const lists = rig.disputes.calls.filter((c) => c.path === "/v1/customer/disputes");
    expect(lists.map((c) => [c.query.get("page_size"), c.query.has("next_page_token")])).toEqual([
      ["50", false],
      ["50", true],
    ]);
    expect(lists[0]!.query.get("start_time")).toBe(since.toISOString());
    // Summaries carry no transaction: one show per dispute, never two.
    expect(rig.disputes.calls.filter((c) => c.path !== "/v1/customer/disputes")).toHaveLength(53);
    const byId = new Map(listed.map((d) => [d.providerDisputeId, d]));
    expect(byId.get(opened[0]!)).toMatchObject({ status: "won" });
    expect(byId.get(opened[3]!)).toMatchObject({ status: "warning_needs_response", paymentId: payments[1]!.paid.paymentId, amount: 3000 });
    expect(byId.get(opened[1]!)).toMatchObject({ status: "needs_response", paymentId: payments[1]!.paid.paymentId, providerPaymentId: payments[1]!.paid.providerPaymentId });
    expect(byId.get(opened[2]!)).toMatchObject({ paymentId: payments[0]!.paid.paymentId, amount: 2000 });
    for (const dispute of listed) expect(dispute.updatedAt).toBeDefined();
  });

  it("keeps to the window: disputes opened before `since` or from `until` on are not listed", async () => {
    const { captureId } = await capturedPayment();
    const before = rig.disputes.open(captureId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const since = new Date();
    const inside = rig.disputes.open(captureId);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const until = new Date();
    rig.disputes.open(captureId);
    expect((await collect({ since, until })).map((d) => d.providerDisputeId)).toEqual([inside]);
    expect(before).not.toBe(inside);
  });

  it("an empty window is one call with no items; a window reaching past PayPal's 180 days starts at the limit", async () => {
    expect(await collect({ since: new Date(Date.now() - 400 * 86_400_000), until: new Date() })).toEqual([]);
    const started = Date.parse(rig.disputes.calls[0]!.query.get("start_time")!);
    // An hour inside the limit: a start at exactly 180 days by our clock is refused once the request arrives.
    expect(Math.abs(started - (Date.now() - 180 * 86_400_000 + 3_600_000))).toBeLessThan(60_000);
  });

  it("a failed read is a PaymentError that ends the listing, never an empty or partial list taken as complete", async () => {
    const { captureId } = await capturedPayment();
    rig.disputes.open(captureId);
    const window = { since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 60_000) };
    // A 5xx is the adapter's usual unknown outcome (retry later); a 400 is a refused request.
    rig.disputes.failNext(503);
    expect(await rejection(collect(window))).toMatchObject({ code: "gateway_outcome_unknown", retryAfterSeconds: 1 });
    rig.disputes.failNext(400, "INVALID_PARAMETER_VALUE");
    expect((await rejection(collect(window))).code).not.toMatch(/^gateway_outcome_unknown$/);
    // The show call fails too: the listing stops there.
    rig.disputes.calls.length = 0;
    const listing = rig.gateway.listDisputes!(window)[Symbol.asyncIterator]();
    const list = rig.disputes.answer.bind(rig.disputes);
    let calls = 0;
    rig.disputes.answer = (method, path, query) => (++calls === 2 ? { status: 503, body: { name: "SERVICE_UNAVAILABLE", debug_id: "x" } } : list(method, path, query));
    try {
      expect((await rejection(listing.next())).code).toBe("gateway_outcome_unknown");
    } finally {
      rig.disputes.answer = list;
    }
  });
});

describe("the dispute schema (our transcription of PayPal's docs) catches what PayPal would not send", () => {
  it("an empty items array, a summary with transactions, an unknown status, a numeric amount", async () => {
    const { captureId } = await capturedPayment();
    const id = rig.disputes.open(captureId);
    expect(checkDispute("dispute", rig.disputes.resource(id))).toBeNull();
    expect(checkDispute("dispute_info", rig.disputes.summary(id))).toBeNull();
    expect(checkDispute("dispute_search", { items: [], links: [{ href: "https://x", rel: "self" }] })).not.toBeNull();
    expect(checkDispute("dispute_info", rig.disputes.resource(id))).not.toBeNull();
    expect(checkDispute("dispute", { ...rig.disputes.resource(id), status: "CLOSED" })).not.toBeNull();
    expect(checkDispute("dispute", { ...rig.disputes.resource(id), dispute_amount: { currency_code: "USD", value: 20 } })).not.toBeNull();
  });
});
