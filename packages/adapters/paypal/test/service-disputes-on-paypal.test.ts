import { ManualClock, createMemoryStore, createPaymentService, type PaymentService } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { checkDisputeEvent } from "./support/dispute-schema.js";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * The core service on the PayPal adapter, over HTTP to the fake with its disputes: webhooks record Dispute rows with
 * their status history and write the three dispute events, stale reports (PayPal retries out of order) change
 * nothing, and reconcile records a dispute whose webhooks never came from PayPal's dispute list.
 */
const clock = new ManualClock(new Date());
const rig: PayPalTestRig = await startPayPalRig({ clock: () => clock.now() }, { now: () => clock.now() });
afterAll(() => rig.close());

let store: ReturnType<typeof createMemoryStore>;
let service: PaymentService;
let seq = 0;
const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });

beforeEach(() => {
  rig.fake.reset();
  rig.disputes.reset();
  clock.set(new Date());
  store = createMemoryStore();
  service = createPaymentService({ store, gateways: [rig.gateway], clock });
});

async function captured(amount = 5000) {
  const { payment } = await service.createPayment({ owner, amount, currency: "USD", provider: "paypal" }, ctx("create"));
  const confirmed = await service.confirmPayment(payment.id, { returnUrl: "https://shop.example/return" }, ctx("confirm"));
  rig.fake.approveOrder(confirmed.payment.providerPaymentId!);
  const paid = (await service.confirmPayment(payment.id, {}, ctx("resume"))).payment;
  expect(paid.status).toBe("succeeded");
  return { payment: paid, captureId: rig.fake.ledger.orders.get(paid.providerPaymentId!)!.captureIds[0]! };
}

type DisputeEventType = "CUSTOMER.DISPUTE.CREATED" | "CUSTOMER.DISPUTE.UPDATED" | "CUSTOMER.DISPUTE.RESOLVED";

/** Delivers a dispute webhook as PayPal does: the event built and signed now, around `resource` (default: as it stands). */
async function deliver(type: DisputeEventType, disputeId: string, resource?: Record<string, unknown>) {
  const event = rig.disputes.webhookEvent(type, resource ?? disputeId);
  expect(checkDisputeEvent(event)).toBeNull();
  const { rawBody, headers } = rig.disputes.signed(event);
  return service.handleWebhook("paypal", Buffer.from(rawBody), headers);
}

async function disputeEvents(paymentId: string) {
  return (await store.listOutbox({ paymentId, limit: 100 }))
    .map((entry) => entry.event)
    .filter((e) => e.type === "payment.disputed" || e.type.startsWith("dispute."));
}

const later = () => clock.advance(60_000);

describe("disputes on PayPal, end to end", () => {
  it("a claim won: one Dispute with its status history in PayPal's words, the payment flagged and still succeeded, three events", async () => {
    const { payment, captureId } = await captured();
    const id = rig.disputes.open(captureId, { reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", value: "30.00" });
    expect(await deliver("CUSTOMER.DISPUTE.CREATED", id)).toMatchObject({ status: "applied", paymentId: payment.id });
    later();
    rig.disputes.move(id, { status: "WAITING_FOR_BUYER_RESPONSE" });
    expect((await deliver("CUSTOMER.DISPUTE.UPDATED", id)).status).toBe("applied");
    later();
    rig.disputes.move(id, { status: "RESOLVED", outcome: "RESOLVED_SELLER_FAVOUR" });
    expect((await deliver("CUSTOMER.DISPUTE.RESOLVED", id)).outcome).toMatch(/closed, now won/);

    const wire = rig.disputes.disputes.get(id)!;
    const [dispute, ...others] = await service.listPaymentDisputes(payment.id);
    expect(others).toEqual([]);
    expect(dispute).toMatchObject({
      provider: "paypal",
      providerDisputeId: id,
      providerPaymentId: payment.providerPaymentId,
      amount: 3000,
      currency: "USD",
      status: "won",
      reason: "product_not_received",
      providerReason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
      evidenceDueBy: null,
      openedAt: wire.createTime.toISOString(),
      closedAt: wire.updateTime.toISOString(),
      version: 3,
    });
    expect(dispute!.statusHistory.map((s) => [s.status, s.providerStatus])).toEqual([
      ["needs_response", "WAITING_FOR_SELLER_RESPONSE"],
      ["under_review", "WAITING_FOR_BUYER_RESPONSE"],
      ["won", "RESOLVED"],
    ]);
    expect(await service.getDispute(dispute!.id)).toEqual(dispute);
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", disputed: true });
    expect((await disputeEvents(payment.id)).map((e) => e.type)).toEqual(["payment.disputed", "dispute.updated", "dispute.closed"]);
  });

  it("a claim lost, and an inquiry closed without a claim, beside it on another payment", async () => {
    const { payment, captureId } = await captured();
    const lost = rig.disputes.open(captureId, { reason: "UNAUTHORISED" });
    await deliver("CUSTOMER.DISPUTE.CREATED", lost);
    later();
    rig.disputes.move(lost, { status: "RESOLVED", outcome: "RESOLVED_BUYER_FAVOUR" });
    await deliver("CUSTOMER.DISPUTE.RESOLVED", lost);
    const other = await captured(2500);
    const inquiry = rig.disputes.open(other.captureId, { stage: "INQUIRY" });
    await deliver("CUSTOMER.DISPUTE.CREATED", inquiry);
    later();
    rig.disputes.move(inquiry, { status: "RESOLVED", outcome: "CANCELED_BY_BUYER" });
    await deliver("CUSTOMER.DISPUTE.RESOLVED", inquiry);

    expect(await service.listPaymentDisputes(payment.id)).toMatchObject([{ status: "lost", reason: "fraudulent", amount: 5000 }]);
    const [closed] = await service.listPaymentDisputes(other.payment.id);
    expect(closed!.statusHistory.map((s) => s.status)).toEqual(["warning_needs_response", "warning_closed"]);
    expect((await disputeEvents(payment.id)).map((e) => e.type)).toEqual(["payment.disputed", "dispute.closed"]);
  });

  it("out of order: an older UPDATED after a newer one is stale by update_time, and an UPDATED retried after the RESOLVED too", async () => {
    const { payment, captureId } = await captured();
    const id = rig.disputes.open(captureId, { stage: "INQUIRY" });
    await deliver("CUSTOMER.DISPUTE.CREATED", id);
    later();
    rig.disputes.move(id, { status: "WAITING_FOR_BUYER_RESPONSE" });
    const waitingForBuyer = rig.disputes.resource(id);
    later();
    rig.disputes.move(id, { status: "WAITING_FOR_SELLER_RESPONSE", stage: "CHARGEBACK" });
    const escalated = rig.disputes.resource(id);
    later();
    // The newer change arrives first; the older one comes after, in an event PayPal builds (and signs) later: only
    // the resource's update_time tells it is older.
    expect(await deliver("CUSTOMER.DISPUTE.UPDATED", id, escalated)).toMatchObject({ status: "applied" });
    later();
    const older = await deliver("CUSTOMER.DISPUTE.UPDATED", id, waitingForBuyer);
    expect(older).toMatchObject({ status: "ignored" });
    expect(older.outcome).toMatch(/stale/);
    expect(await service.listPaymentDisputes(payment.id)).toMatchObject([{ status: "needs_response", version: 2 }]);

    rig.disputes.move(id, { status: "RESOLVED", outcome: "DENIED" });
    await deliver("CUSTOMER.DISPUTE.RESOLVED", id);
    later();
    const retried = await deliver("CUSTOMER.DISPUTE.UPDATED", id, escalated);
    expect(retried.outcome).toMatch(/stale/);
    const [dispute] = await service.listPaymentDisputes(payment.id);
    expect(dispute!.statusHistory.map((s) => [s.status, s.at])).toEqual([
      ["warning_needs_response", escalated["create_time"]],
      ["needs_response", escalated["update_time"]],
      ["won", rig.disputes.disputes.get(id)!.updateTime.toISOString()],
    ]);
    expect((await disputeEvents(payment.id)).map((e) => e.type)).toEqual(["payment.disputed", "dispute.updated", "dispute.closed"]);
  });

  it("reconcile records a dispute whose webhooks never came, moves one that changed without us, and a second run finds nothing", async () => {
    const since = new Date(clock.now().getTime() - 60_000);
    const { payment, captureId } = await captured();
    const missed = rig.disputes.open(captureId, { reason: "DUPLICATE_TRANSACTION", value: "10.00" });
    const moved = rig.disputes.open(captureId, { stage: "INQUIRY" });
    await deliver("CUSTOMER.DISPUTE.CREATED", moved);
    later();
    rig.disputes.move(moved, { status: "UNDER_REVIEW" });
    later();

    const dry = await service.reconcile({ provider: "paypal", since });
    expect(dry.disputes?.drifts.map((d) => [d.kind, d.providerDisputeId, d.outcome]).sort()).toEqual(
      [
        ["missing_locally", missed, "proposed"],
        ["status_mismatch", moved, "proposed"],
      ].sort(),
    );
    expect(await service.listPaymentDisputes(payment.id)).toHaveLength(1);

    const applied = await service.reconcile({ provider: "paypal", since, apply: true });
    expect(applied.disputes).toMatchObject({ examined: 2, recorded: 2 });
    const disputes = await service.listPaymentDisputes(payment.id);
    const byId = new Map(disputes.map((d) => [d.providerDisputeId, d]));
    expect(byId.get(missed)).toMatchObject({ status: "needs_response", reason: "duplicate", amount: 1000, paymentId: payment.id });
    expect(byId.get(moved)!.statusHistory.map((s) => [s.status, s.at])).toEqual([
      ["warning_needs_response", rig.disputes.disputes.get(moved)!.createTime.toISOString()],
      // PayPal's update_time, not the time reconcile ran.
      ["warning_under_review", rig.disputes.disputes.get(moved)!.updateTime.toISOString()],
    ]);
    expect((await disputeEvents(payment.id)).map((e) => e.type).sort()).toEqual(["dispute.updated", "payment.disputed", "payment.disputed"]);

    const again = await service.reconcile({ provider: "paypal", since, apply: true });
    expect(again.disputes).toMatchObject({ examined: 2, drifts: [], recorded: 0 });
  });
});
