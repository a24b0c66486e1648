import { isPaymentError, type GatewayDispute, type GatewayWebhookEvent, type PaymentError } from "@org/payments-core";
import type { FakeEvent } from "@org/payments-test-support/stripe-fake";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STRIPE_API_VERSION } from "../src/index.js";
import { disputeReads, key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

// Disputes end to end on the adapter: the real SDK, the fake's disputes (kept, moved, listed), signed webhooks.
let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig();
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

async function paid(amount = 1500, currency = "USD") {
  const paymentId = newPaymentId();
  const payment = await rig.gateway.createPayment(
    { paymentId, amount, currency, captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
    { idempotencyKey: key("dispute") },
  );
  return { paymentId, providerPaymentId: payment.providerPaymentId };
}

async function parse(event: FakeEvent): Promise<Extract<GatewayWebhookEvent, { kind: "dispute" }>> {
  const { rawBody, headers } = rig.fake.webhook(event);
  const parsed = await rig.gateway.parseWebhook(rawBody, headers);
  expect(parsed.kind).toBe("dispute");
  return parsed as Extract<GatewayWebhookEvent, { kind: "dispute" }>;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("charge.dispute.* webhooks", () => {
  it("the lifecycle: created needs_response → updated under_review → closed won, each event the dispute's state then", async () => {
    const { paymentId, providerPaymentId } = await paid();
    const { dispute, event: created } = rig.fake.openDispute(providerPaymentId, { reason: "product_not_received" });
    const review = rig.fake.moveDispute(dispute.id, "under_review");
    const won = rig.fake.moveDispute(dispute.id, "won");
    expect([created.type, review.type, won.type]).toEqual(["charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"]);

    const first = await parse(created);
    expect(first).toMatchObject({
      provider: "stripe",
      eventId: created.id,
      type: "charge.dispute.created",
      occurredAt: new Date(created.created * 1000).toISOString(),
      paymentId,
      providerPaymentId,
    });
    expect(first.dispute).toEqual({
      providerDisputeId: dispute.id,
      providerPaymentId,
      paymentId,
      status: "needs_response",
      providerStatus: "needs_response",
      reason: "product_not_received",
      providerReason: "product_not_received",
      amount: 1500,
      currency: "USD",
      evidenceDueBy: new Date((dispute["evidence_details"] as { due_by: number }).due_by * 1000).toISOString(),
      openedAt: new Date(dispute.created * 1000).toISOString(),
    } satisfies GatewayDispute);
    expect((await parse(review)).dispute).toMatchObject({ status: "under_review", evidenceDueBy: first.dispute.evidenceDueBy });
    expect((await parse(won)).dispute).toMatchObject({ status: "won", providerStatus: "won", evidenceDueBy: null });
  });

  it("a lost dispute, and the funds events, are the dispute's state too", async () => {
    const { providerPaymentId } = await paid(2500, "EUR");
    const { dispute } = rig.fake.openDispute(providerPaymentId);
    const withdrawn = await parse(rig.fake.disputeFunds(dispute.id, "funds_withdrawn"));
    expect(withdrawn).toMatchObject({ type: "charge.dispute.funds_withdrawn", dispute: { status: "needs_response", amount: 2500, currency: "EUR" } });
    const lost = await parse(rig.fake.moveDispute(dispute.id, "lost"));
    expect(lost).toMatchObject({ type: "charge.dispute.closed", dispute: { status: "lost", reason: "fraudulent", evidenceDueBy: null } });
  });

  it("an inquiry: warning_needs_response → warning_closed", async () => {
    const { providerPaymentId } = await paid();
    const { dispute, event } = rig.fake.openDispute(providerPaymentId, { inquiry: true, reason: "general" });
    expect((await parse(event)).dispute).toMatchObject({ status: "warning_needs_response", reason: "general" });
    expect((await parse(rig.fake.moveDispute(dispute.id, "warning_under_review"))).dispute.status).toBe("warning_under_review");
    const closed = await parse(rig.fake.moveDispute(dispute.id, "warning_closed"));
    expect(closed).toMatchObject({ type: "charge.dispute.closed", dispute: { status: "warning_closed", evidenceDueBy: null } });
  });

  it("a dispute naming only its charge finds the PaymentIntent and our payment id through the charge", async () => {
    const { paymentId, providerPaymentId } = await paid();
    const { event } = rig.fake.openDispute(providerPaymentId, { withoutPaymentIntent: true });
    expect(event.data.object["payment_intent"]).toBeNull();
    const parsed = await parse(event);
    expect(parsed).toMatchObject({ paymentId, providerPaymentId, dispute: { paymentId, providerPaymentId } });
  });

  it("a reason the core does not know is general, with Stripe's word kept", async () => {
    const { providerPaymentId } = await paid();
    const { event } = rig.fake.openDispute(providerPaymentId, { reason: "noncompliant" });
    expect((await parse(event)).dispute).toMatchObject({ reason: "general", providerReason: "noncompliant" });
  });

  it("a status the adapter cannot map fails the webhook loudly (validation_error, reason dispute_status_unknown), so it is not acknowledged", async () => {
    const { providerPaymentId } = await paid();
    const { event } = rig.fake.openDispute(providerPaymentId);
    // Built by hand: the wire check's definition (2023-08-16) rightly refuses a status Stripe has not published.
    const future: FakeEvent = { ...event, id: "evt_future", type: "charge.dispute.updated", data: { object: { ...event.data.object, status: "escalated" } } };
    expect(future["api_version"]).toBe(STRIPE_API_VERSION);
    const { rawBody, headers } = rig.fake.webhook(future);
    const error = await rig.gateway.parseWebhook(rawBody, headers).then(
      () => null,
      (e: unknown) => e as PaymentError,
    );
    expect(error !== null && isPaymentError(error)).toBe(true);
    expect(error).toMatchObject({ code: "validation_error", details: { field: "dispute.status", reason: "dispute_status_unknown" } });
  });
});

describe("listDisputes", () => {
  it("lists the window's disputes across pages (105 at 100 a page), each mapped with our payment id from the expanded intent", async () => {
    const opened: Array<{ id: string; paymentId: string; providerPaymentId: string }> = [];
    for (let i = 0; i < 105; i++) {
      const payment = await paid(1000 + i);
      opened.push({ id: rig.fake.openDispute(payment.providerPaymentId).dispute.id, ...payment });
    }
    const before = rig.fake.requests.length;
    const since = new Date(Date.now() - 60_000);
    const listed = await all(rig.gateway.listDisputes!({ since, until: new Date(Date.now() + 1000) }));
    // Everything the listing sent besides the dispute list's own pages.
    const calls = rig.fake.requests.slice(before).filter((r) => !r.path.startsWith("/v1/disputes"));
    expect(listed).toHaveLength(105);
    expect(new Set(listed.map((d) => d.providerDisputeId))).toEqual(new Set(opened.map((o) => o.id)));
    for (const dispute of listed) {
      const source = opened.find((o) => o.id === dispute.providerDisputeId)!;
      expect(dispute).toMatchObject({ paymentId: source.paymentId, providerPaymentId: source.providerPaymentId, status: "needs_response" });
    }
    // Two pages of Stripe's list, the second after the first's last id; the expanded intents spared every
    // per-dispute read (nothing else reached the fake).
    const reads = disputeReads(rig.fake);
    expect(reads).toHaveLength(2);
    const [page1, page2] = reads;
    expect(page1).toMatchObject({ path: "/v1/disputes", params: { limit: "100", expand: ["data.payment_intent"], created: { gte: String(Math.floor(since.getTime() / 1000)), lt: expect.any(String) } } });
    expect(page1!.params["starting_after"]).toBeUndefined();
    expect(page2!.params).toMatchObject({ limit: "100", starting_after: listed[99]!.providerDisputeId });
    expect(calls).toEqual([]);
  });

  it("keeps to the window: a dispute opened before `since` is not listed", async () => {
    const early = await paid();
    const old = rig.fake.openDispute(early.providerPaymentId).dispute;
    rig.fake.advanceClock(120_000);
    const late = await paid();
    const recent = rig.fake.openDispute(late.providerPaymentId).dispute;
    const since = new Date(rig.fake.now() - 60_000);
    const listed = await all(rig.gateway.listDisputes!({ since, until: new Date(rig.fake.now() + 1000) }));
    expect(listed.map((d) => d.providerDisputeId)).toContain(recent.id);
    expect(listed.map((d) => d.providerDisputeId)).not.toContain(old.id);
  });

  it("a dispute naming only its charge is listed with our payment id (through the charge)", async () => {
    const { paymentId, providerPaymentId } = await paid();
    rig.fake.openDispute(providerPaymentId, { withoutPaymentIntent: true });
    const [listed] = await all(rig.gateway.listDisputes!({ since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 1000) }));
    expect(listed).toMatchObject({ paymentId, providerPaymentId });
  });
});
