import { describe, expect, it } from "vitest";
import type { PaymentEvent } from "../src/domain/events.js";
import type { Payment } from "../src/domain/payment.js";
import { PaymentError } from "../src/errors/index.js";
import { decorateGateway } from "../src/decorate/index.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { PaymentService } from "../src/service/payment-service.js";
import { SIMULATED_SIGNATURE_HEADER, signSimulatedPayload } from "../src/simulated/webhook-signature.js";
import { samplePayment } from "../src/testing/fixtures.js";
import { paidPayment, setup } from "./helpers.js";

type Rig = ReturnType<typeof setup>;

async function deliver(rig: Rig, disputeId: string, type?: string) {
  const webhook = rig.gateway.disputeWebhookFor(disputeId, type);
  return rig.service.handleWebhook("simulated", webhook.rawBody, webhook.headers);
}

let resignedEvents = 0;

/** The webhook with its dispute changed by `edit`, signed again as the provider would: only the content differs. */
function resigned(rig: Rig, webhook: { rawBody: string }, edit: (object: Record<string, unknown>) => void) {
  const body = JSON.parse(webhook.rawBody) as { id: string; data: { object: Record<string, unknown> } };
  edit(body.data.object);
  // Another delivery, so another event: the inbox would answer the same id as a duplicate.
  body.id = `evt_resigned_${++resignedEvents}`;
  const rawBody = JSON.stringify(body);
  const signature = signSimulatedPayload(rawBody, "whsec_simulated_development", Math.floor(rig.clock.now().getTime() / 1000));
  return { rawBody, headers: { [SIMULATED_SIGNATURE_HEADER]: signature } };
}

async function eventsOf(rig: Rig, payment: Payment): Promise<PaymentEvent[]> {
  return (await rig.store.listOutbox({ paymentId: payment.id, limit: 100 })).map((entry) => entry.event);
}

async function disputeEvents(rig: Rig, payment: Payment) {
  return (await eventsOf(rig, payment)).filter((e) => e.type.startsWith("dispute.") || e.type === "payment.disputed");
}

describe("disputes recorded from the provider's webhooks", () => {
  it("a chargeback's lifecycle: one record with its status history, the payment flagged and its status kept, three events in order", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service, 5000);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!, { amount: 3000, reason: "product_not_received" });
    expect(await deliver(rig, disputeId, "dispute.created")).toMatchObject({ status: "applied", paymentId: payment.id });
    rig.clock.advance(60_000);
    rig.gateway.moveDispute(disputeId, "under_review");
    expect((await deliver(rig, disputeId)).status).toBe("applied");
    rig.clock.advance(60_000);
    rig.gateway.moveDispute(disputeId, "won");
    const closed = await deliver(rig, disputeId);
    expect(closed.outcome).toMatch(/closed, now won/);

    const [dispute, ...others] = await rig.service.listPaymentDisputes(payment.id);
    expect(others).toEqual([]);
    expect(dispute).toMatchObject({
      paymentId: payment.id,
      providerDisputeId: disputeId,
      providerPaymentId: payment.providerPaymentId,
      amount: 3000,
      currency: "USD",
      status: "won",
      reason: "product_not_received",
      evidenceDueBy: null,
      closedAt: "2026-03-01T10:02:00.000Z",
      version: 3,
    });
    expect(dispute!.statusHistory.map((s) => s.status)).toEqual(["needs_response", "under_review", "won"]);
    expect(await rig.service.getDispute(dispute!.id)).toEqual(dispute);

    const after = await rig.service.getPayment(payment.id);
    expect(after).toMatchObject({ status: "succeeded", disputed: true, amountCaptured: 5000 });
    const events = await disputeEvents(rig, payment);
    expect(events.map((e) => [e.type, e.data.dispute?.status, e.data.previousDisputeStatus])).toEqual([
      ["payment.disputed", "needs_response", undefined],
      ["dispute.updated", "under_review", "needs_response"],
      ["dispute.closed", "won", "under_review"],
    ]);
    // Each moves the payment's version, so a consumer can order them with the payment's own events.
    const versions = events.map((e) => e.data.payment.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(3);
    const history = await rig.store.listHistory(payment.id);
    expect(history.filter((h) => h.kind === "dispute").map((h) => [h.from, h.to, h.details?.["status"]])).toEqual([
      ["succeeded", "succeeded", "needs_response"],
      ["succeeded", "succeeded", "under_review"],
      ["succeeded", "succeeded", "won"],
    ]);
  });

  it("a redelivered event is a duplicate, and a new event saying what is recorded changes nothing", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    const webhook = rig.gateway.disputeWebhookFor(disputeId, "dispute.created");
    await rig.service.handleWebhook("simulated", webhook.rawBody, webhook.headers);
    expect((await rig.service.handleWebhook("simulated", webhook.rawBody, webhook.headers)).status).toBe("duplicate");
    const again = await deliver(rig, disputeId, "dispute.updated");
    expect(again).toMatchObject({ status: "ignored", outcome: expect.stringMatching(/is already needs_response/) });
    expect(await disputeEvents(rig, payment)).toHaveLength(1);
    expect((await rig.service.listPaymentDisputes(payment.id))[0]!.version).toBe(1);
  });

  it("a report older than what is recorded is stale and changes nothing (the provider retries out of order)", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    const early = rig.gateway.disputeWebhookFor(disputeId, "dispute.created");
    rig.clock.advance(60_000);
    rig.gateway.moveDispute(disputeId, "under_review");
    await deliver(rig, disputeId);
    expect((await rig.service.handleWebhook("simulated", early.rawBody, early.headers)).outcome).toMatch(/^ignored: stale/);
    const [dispute] = await rig.service.listPaymentDisputes(payment.id);
    expect(dispute).toMatchObject({ status: "under_review", version: 1 });
    expect((await disputeEvents(rig, payment)).map((e) => e.type)).toEqual(["payment.disputed"]);
  });

  it("a report older than the last one applied is stale also when that one moved only the evidence deadline", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    await deliver(rig, disputeId, "dispute.created");
    rig.clock.advance(60_000);
    rig.gateway.moveDispute(disputeId, "under_review");
    const review = rig.gateway.disputeWebhookFor(disputeId);
    rig.clock.advance(60_000);
    // The bank sends the dispute back for more evidence, with a new deadline: a status change, then a deadline-only one.
    const back = resigned(rig, review, (object) => {
      object.status = "needs_response";
      object.evidenceDueBy = "2026-03-20T00:00:00.000Z";
      object.updatedAt = rig.clock.now().toISOString();
    });
    rig.clock.advance(60_000);
    const extended = resigned(rig, review, (object) => {
      object.status = "needs_response";
      object.evidenceDueBy = "2026-03-25T00:00:00.000Z";
      object.updatedAt = rig.clock.now().toISOString();
    });
    await rig.service.handleWebhook("simulated", back.rawBody, back.headers);
    expect((await rig.service.handleWebhook("simulated", extended.rawBody, extended.headers)).status).toBe("applied");
    // The under_review report (older than both) arrives last: it must not move the dispute back.
    expect((await rig.service.handleWebhook("simulated", review.rawBody, review.headers)).outcome).toMatch(/^ignored: stale/);
    const [dispute] = await rig.service.listPaymentDisputes(payment.id);
    expect(dispute).toMatchObject({ status: "needs_response", evidenceDueBy: "2026-03-25T00:00:00.000Z" });
  });

  it("of two reports stamped in the same second, the one further along stands, in either order", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    const opened = rig.gateway.disputeWebhookFor(disputeId, "dispute.created");
    const second = "2026-03-01T10:00:05.000Z";
    const stamp = (status: string) =>
      resigned(rig, opened, (object) => {
        object.status = status;
        object.updatedAt = second;
      });
    await rig.service.handleWebhook("simulated", opened.rawBody, opened.headers);
    const review = stamp("under_review");
    const back = stamp("needs_response");
    expect((await rig.service.handleWebhook("simulated", review.rawBody, review.headers)).status).toBe("applied");
    expect((await rig.service.handleWebhook("simulated", back.rawBody, back.headers)).outcome).toMatch(/^ignored: stale/);
    expect((await rig.service.listPaymentDisputes(payment.id))[0]).toMatchObject({ status: "under_review" });
  });

  it("an event naming another provider's payment by id is not applied to it", async () => {
    const rig = setup();
    const paypals = samplePayment({ provider: "paypal", status: "succeeded", amountCaptured: 2500 });
    await rig.store.transaction((tx) => tx.insertPayment(paypals));
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    const misnamed = resigned(rig, rig.gateway.disputeWebhookFor(disputeId, "dispute.created"), (object) => {
      object.paymentId = paypals.id;
      object.providerPaymentId = "sim_pi_unknown";
    });
    expect((await rig.service.handleWebhook("simulated", misnamed.rawBody, misnamed.headers)).status).toBe("held");
    expect(await rig.store.listPaymentDisputes(paypals.id)).toEqual([]);
    expect(await rig.store.getPayment(paypals.id)).toMatchObject({ disputed: false });
  });

  it("a final dispute never reopens, even on a later report; first heard of already final, it is opened and closed at once", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    rig.gateway.moveDispute(disputeId, "lost");
    await deliver(rig, disputeId, "dispute.created");
    rig.clock.advance(60_000);
    const later = resigned(rig, rig.gateway.disputeWebhookFor(disputeId), (object) => {
      object.status = "under_review";
      object.updatedAt = rig.clock.now().toISOString();
    });
    expect((await rig.service.handleWebhook("simulated", later.rawBody, later.headers)).outcome).toMatch(/^ignored: stale/);
    const [dispute] = await rig.service.listPaymentDisputes(payment.id);
    expect(dispute).toMatchObject({ status: "lost", version: 1 });
    const events = await disputeEvents(rig, payment);
    expect(events.map((e) => e.type)).toEqual(["payment.disputed", "dispute.closed"]);
    expect(events[1]!.data.previousDisputeStatus).toBeUndefined();
  });

  it("a report the core cannot record (no amount) fails the webhook, stored for retry, and records nothing", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const disputeId = rig.gateway.openDispute(payment.providerPaymentId!);
    const { rawBody, headers } = resigned(rig, rig.gateway.disputeWebhookFor(disputeId, "dispute.created"), (object) => {
      object.amount = 0;
    });
    expect(await rig.service.handleWebhook("simulated", rawBody, headers)).toMatchObject({ status: "failed" });
    expect(await rig.service.listPaymentDisputes(payment.id)).toEqual([]);
    expect(await rig.service.getPayment(payment.id)).toMatchObject({ disputed: false, version: payment.version });
    expect(await disputeEvents(rig, payment)).toEqual([]);
  });

  it("disputes of several payments: the operator's list filters, and stats sum disputed money per currency by outcome", async () => {
    const rig = setup();
    const first = await paidPayment(rig.service, 4000);
    const second = await paidPayment(rig.service, 6000);
    const lost = rig.gateway.openDispute(first.providerPaymentId!);
    const open = rig.gateway.openDispute(second.providerPaymentId!, { amount: 2500 });
    rig.gateway.moveDispute(lost, "lost");
    await deliver(rig, lost, "dispute.created");
    await deliver(rig, open, "dispute.created");
    const page = await rig.service.listDisputes({ status: "needs_response" });
    expect(page.items.map((d) => d.providerDisputeId)).toEqual([open]);
    await expect(rig.service.listDisputes({ state: "lost" } as never)).rejects.toMatchObject({ code: "validation_error" });
    await expect(rig.service.getDispute("dp_missing")).rejects.toMatchObject({ code: "not_found" });
    await expect(rig.service.listPaymentDisputes("pay_missing")).rejects.toMatchObject({ code: "not_found" });
    const stats = await rig.service.stats();
    expect(stats.disputes).toEqual({
      byStatus: { lost: 1, needs_response: 1 },
      byCurrency: [{ currency: "USD", count: 2, disputed: "6500", open: "2500", won: "0", lost: "4000" }],
    });
  });
});

describe("reconcile records the disputes whose webhooks never came", () => {
  it("a dry run proposes, apply records (and moves) them through the webhooks' writer, and a second run finds nothing", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const missed = rig.gateway.openDispute(payment.providerPaymentId!, { reason: "duplicate" });
    const moved = rig.gateway.openDispute(payment.providerPaymentId!, { amount: 100 });
    await deliver(rig, moved, "dispute.created");
    rig.clock.advance(60_000);
    rig.gateway.moveDispute(moved, "under_review");
    const since = new Date("2026-03-01T00:00:00.000Z");

    const dry = await rig.service.reconcile({ provider: "simulated", since });
    expect(dry.disputes?.drifts.map((d) => [d.kind, d.providerDisputeId, d.outcome])).toEqual([
      ["missing_locally", missed, "proposed"],
      ["status_mismatch", moved, "proposed"],
    ]);
    expect(dry.unresolved).toBe(2);
    expect(await rig.service.listPaymentDisputes(payment.id)).toHaveLength(1);

    const applied = await rig.service.reconcile({ provider: "simulated", since, apply: true });
    expect(applied.disputes).toMatchObject({ examined: 2, recorded: 2 });
    expect(applied.disputes?.drifts.every((d) => d.outcome === "corrected")).toBe(true);
    const disputes = await rig.service.listPaymentDisputes(payment.id);
    expect(disputes.map((d) => [d.providerDisputeId, d.status])).toEqual(
      expect.arrayContaining([
        [missed, "needs_response"],
        [moved, "under_review"],
      ]),
    );
    const again = await rig.service.reconcile({ provider: "simulated", since, apply: true });
    expect(again.disputes).toMatchObject({ examined: 2, drifts: [], recorded: 0 });
    expect(again.unresolved).toBe(0);
  });

  it("a listed dispute without its own update time never makes a webhook sent after the list was read look stale", async () => {
    let wonWebhook: { rawBody: string; headers: Record<string, string> } | undefined;
    const rig = setup({
      wrapGateway: (gateway) =>
        decorateGateway(gateway, () => ({
          // As Stripe's list: no update time. The dispute is won at the provider while reconcile is under way.
          async *listDisputes(window: { since: Date; until: Date }) {
            const listed = [];
            for await (const dispute of gateway.listDisputes(window)) listed.push({ ...dispute, updatedAt: undefined });
            for (const dispute of listed) {
              rig.clock.advance(1_500);
              gateway.moveDispute(dispute.providerDisputeId, "won");
              wonWebhook = gateway.disputeWebhookFor(dispute.providerDisputeId);
              rig.clock.advance(1_500);
              yield dispute;
            }
          },
        })),
    });
    const payment = await paidPayment(rig.service);
    rig.gateway.openDispute(payment.providerPaymentId!);
    const report = await rig.service.reconcile({ provider: "simulated", since: new Date("2026-03-01T00:00:00.000Z"), apply: true });
    expect(report.disputes).toMatchObject({ recorded: 1 });
    expect((await rig.service.handleWebhook("simulated", wonWebhook!.rawBody, wonWebhook!.headers)).status).toBe("applied");
    expect((await rig.service.listPaymentDisputes(payment.id))[0]).toMatchObject({ status: "won" });
  });

  it("a dispute list that fails part-way keeps what it compared and the payments' report, and says why it stopped", async () => {
    const rig = setup({
      wrapGateway: (gateway) =>
        decorateGateway(gateway, () => ({
          async *listDisputes(window: { since: Date; until: Date }) {
            for await (const dispute of gateway.listDisputes(window)) {
              yield dispute;
              throw new PaymentError("gateway_error", "the provider's dispute list failed");
            }
          },
        })),
    });
    const payment = await paidPayment(rig.service);
    const first = rig.gateway.openDispute(payment.providerPaymentId!);
    rig.gateway.openDispute(payment.providerPaymentId!, { amount: 1 });
    const report = await rig.service.reconcile({ provider: "simulated", since: new Date("2026-03-01T00:00:00.000Z"), apply: true });
    expect(report.disputes).toMatchObject({ examined: 1, recorded: 1, error: "gateway_error: the provider's dispute list failed" });
    expect(report.disputes?.drifts.map((d) => d.providerDisputeId)).toEqual([first]);
    expect(report.examined.gateway).toBe(1);
    expect(report.unresolved).toBe(1);
  });

  it("a dispute of a payment this database does not hold is reported for a person, never invented", async () => {
    const rig = setup();
    const payment = await paidPayment(rig.service);
    const foreign = rig.gateway.openDispute(payment.providerPaymentId!);
    // Another database over the same provider account: the payment is not in it.
    const elsewhere = new PaymentService({ store: new MemoryPaymentStore(), gateways: [rig.gateway], clock: rig.clock });
    const report = await elsewhere.reconcile({ provider: "simulated", since: new Date("2026-03-01T00:00:00.000Z"), apply: true });
    expect(report.disputes?.drifts).toEqual([
      expect.objectContaining({ kind: "unmatched", providerDisputeId: foreign, paymentId: null, outcome: "manual" }),
    ]);
    expect(report.unresolved).toBeGreaterThanOrEqual(1);
    expect((await elsewhere.listDisputes()).items).toEqual([]);
  });
});
