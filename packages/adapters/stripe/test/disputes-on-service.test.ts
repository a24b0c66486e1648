import { ManualClock, createMemoryStore, createPaymentService, type MemoryPaymentStore, type PaymentService } from "@org/payments-core";
import type { FakeEvent } from "@org/payments-test-support/stripe-fake";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/**
 * Disputes through the whole core service on the Stripe adapter: webhooks recorded as Dispute records (with their
 * status history, the payment flagged, and their events in the outbox), a stale delivery ignored, and reconcile
 * recording a dispute whose webhooks never arrived, from Stripe's dispute list.
 */

// The fake reads the service's clock, so an event's `created` and the service's times move together.
const clock = new ManualClock(new Date());
let rig: StripeTestRig;
let store: MemoryPaymentStore;
let service: PaymentService;
let seq = 0;
const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });

beforeAll(async () => {
  rig = await startStripeRig({ fake: { now: () => clock.now().getTime() } });
});
afterAll(() => rig.close());
beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  store = createMemoryStore();
  service = createPaymentService({ store, gateways: [rig.gateway], clock });
});

async function paidPayment(amount = 5000) {
  const created = (await service.createPayment({ owner, amount, currency: "USD" }, ctx("create"))).payment;
  const confirmed = await service.confirmPayment(created.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
  expect(confirmed.payment.status).toBe("succeeded");
  return confirmed.payment;
}

function deliver(event: FakeEvent) {
  const { rawBody, headers } = rig.fake.webhook(event);
  return service.handleWebhook("stripe", rawBody, headers);
}

async function eventTypes(paymentId: string): Promise<string[]> {
  return (await store.listOutbox({ paymentId, limit: 100 })).map((entry) => entry.event.type).filter((type) => type.startsWith("dispute.") || type === "payment.disputed");
}

/** Moves both clocks a few seconds, so each event is a later second than the one before (Stripe's `created`). */
function later(seconds = 5): void {
  clock.set(new Date(clock.now().getTime() + seconds * 1000));
}

describe("disputes on the payment service", () => {
  it("webhooks record the dispute with its status history; payment.disputed, dispute.updated, dispute.closed in the outbox", async () => {
    const payment = await paidPayment();
    const { dispute, event: created } = rig.fake.openDispute(payment.providerPaymentId!, { reason: "product_not_received" });
    expect(await deliver(created)).toMatchObject({ status: "applied", paymentId: payment.id });
    later();
    const review = rig.fake.moveDispute(dispute.id, "under_review");
    expect(await deliver(review)).toMatchObject({ status: "applied" });
    later();
    const won = rig.fake.moveDispute(dispute.id, "won");
    expect(await deliver(won)).toMatchObject({ status: "applied" });

    const [recorded] = await service.listPaymentDisputes(payment.id);
    expect(recorded).toMatchObject({
      paymentId: payment.id,
      provider: "stripe",
      providerDisputeId: dispute.id,
      providerPaymentId: payment.providerPaymentId,
      amount: 5000,
      currency: "USD",
      status: "won",
      reason: "product_not_received",
      providerReason: "product_not_received",
      evidenceDueBy: null,
      openedAt: new Date(dispute.created * 1000).toISOString(),
      closedAt: new Date(won.created * 1000).toISOString(),
    });
    expect(recorded!.statusHistory).toEqual([
      { status: "needs_response", providerStatus: "needs_response", at: new Date(created.created * 1000).toISOString() },
      { status: "under_review", providerStatus: "under_review", at: new Date(review.created * 1000).toISOString() },
      { status: "won", providerStatus: "won", at: new Date(won.created * 1000).toISOString() },
    ]);
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", disputed: true });
    expect(await eventTypes(payment.id)).toEqual(["payment.disputed", "dispute.updated", "dispute.closed"]);
    // A redelivery of any of them is a duplicate and writes nothing.
    expect(await deliver(review)).toMatchObject({ status: "duplicate" });
    expect(await eventTypes(payment.id)).toHaveLength(3);
  });

  it("an inquiry closes without a chargeback: warning_needs_response → warning_closed", async () => {
    const payment = await paidPayment();
    const { dispute, event } = rig.fake.openDispute(payment.providerPaymentId!, { inquiry: true, reason: "general" });
    await deliver(event);
    later();
    await deliver(rig.fake.moveDispute(dispute.id, "warning_closed"));
    const [recorded] = await service.listPaymentDisputes(payment.id);
    expect(recorded!.statusHistory.map((s) => s.status)).toEqual(["warning_needs_response", "warning_closed"]);
    expect(await eventTypes(payment.id)).toEqual(["payment.disputed", "dispute.closed"]);
  });

  it("a stale (older) event delivered after a newer one changes nothing", async () => {
    const payment = await paidPayment();
    const { dispute, event: created } = rig.fake.openDispute(payment.providerPaymentId!);
    later();
    const review = rig.fake.moveDispute(dispute.id, "under_review");
    // Stripe does not promise order: the update arrives first, then the older creation.
    expect(await deliver(review)).toMatchObject({ status: "applied" });
    const stale = await deliver(created);
    expect(stale.status).toBe("ignored");
    expect(stale.outcome).toMatch(/stale/);
    const [recorded] = await service.listPaymentDisputes(payment.id);
    expect(recorded!.status).toBe("under_review");
    expect(recorded!.statusHistory.map((s) => s.status)).toEqual(["under_review"]);
    expect(await eventTypes(payment.id)).toEqual(["payment.disputed"]);
  });

  it("a charge-only dispute is matched to its payment; a funds event sent before the close and delivered after it changes nothing", async () => {
    const payment = await paidPayment();
    const { dispute, event } = rig.fake.openDispute(payment.providerPaymentId!, { withoutPaymentIntent: true });
    expect(await deliver(event)).toMatchObject({ status: "applied", paymentId: payment.id });
    later();
    const withdrawn = rig.fake.disputeFunds(dispute.id, "funds_withdrawn");
    later();
    expect(await deliver(rig.fake.moveDispute(dispute.id, "lost"))).toMatchObject({ status: "applied" });
    // It carries the dispute as it was when sent (needs_response): older, and it would reopen a final dispute.
    expect(await deliver(withdrawn)).toMatchObject({ status: "ignored" });
    const [recorded] = await service.listPaymentDisputes(payment.id);
    expect(recorded).toMatchObject({ status: "lost", providerPaymentId: payment.providerPaymentId });
    expect(recorded!.statusHistory.map((s) => s.status)).toEqual(["needs_response", "lost"]);
    expect(await eventTypes(payment.id)).toEqual(["payment.disputed", "dispute.closed"]);
  });

  it("reconcile records a dispute whose webhooks were never delivered, from Stripe's dispute list", async () => {
    const since = new Date(clock.now().getTime() - 60_000);
    const payment = await paidPayment();
    const { dispute } = rig.fake.openDispute(payment.providerPaymentId!, { reason: "duplicate" });
    later();
    rig.fake.moveDispute(dispute.id, "under_review");
    // No webhook delivered: the store knows nothing of it.
    expect(await service.listPaymentDisputes(payment.id)).toEqual([]);

    const report = await service.reconcile({ provider: "stripe", since, apply: true });
    expect(report.disputes).toMatchObject({ examined: 1, recorded: 1 });
    expect(report.disputes!.drifts).toEqual([
      expect.objectContaining({ kind: "missing_locally", providerDisputeId: dispute.id, paymentId: payment.id, outcome: "corrected" }),
    ]);
    const [recorded] = await service.listPaymentDisputes(payment.id);
    expect(recorded).toMatchObject({ providerDisputeId: dispute.id, status: "under_review", reason: "duplicate", amount: 5000, currency: "USD" });
    expect(await service.getPayment(payment.id)).toMatchObject({ disputed: true });
    expect(await eventTypes(payment.id)).toEqual(["payment.disputed"]);

    // A second run finds nothing to do.
    const again = await service.reconcile({ provider: "stripe", since, apply: true });
    expect(again.disputes).toMatchObject({ examined: 1, recorded: 0, drifts: [] });
  });
});
