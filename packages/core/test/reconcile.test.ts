import { describe, expect, it } from "vitest";
import type { Payment } from "../src/domain/payment.js";
import type { PaymentStore } from "../src/ports/payment-store.js";
import { ctx, paidPayment, setup } from "./helpers.js";

const HOUR = 3_600_000;
const since = new Date("2026-03-01T00:00:00.000Z");

/** Plants local drift the way a bug or a lost webhook would leave it: a raw compare-and-set, no history. */
async function plant(store: PaymentStore, id: string, changes: Partial<Payment>): Promise<Payment> {
  return store.transaction(async (tx) => {
    const current = (await tx.getPayment(id))!;
    const next = { ...current, ...changes, version: current.version + 1 };
    await tx.updatePayment(next, current.version);
    return next;
  });
}

async function versions(store: PaymentStore): Promise<Record<string, number>> {
  const page = await store.listPayments({}, { limit: 500 });
  return Object.fromEntries(page.items.map((p) => [p.id, p.version]));
}

describe("reconcile", () => {
  it("finds no drift when every payment agrees with the provider, whatever its state", async () => {
    const { service, gateway } = setup();
    await paidPayment(service, 5000);
    const refunded = await paidPayment(service, 4000);
    await service.refundPayment(refunded.id, { amount: 1000, reason: "late" }, ctx("r1", "admin"));
    await paidPayment(service, 3000, "manual");
    const { payment: pending } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("p1"));
    const { payment: declined } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("p2"));
    await expect(service.confirmPayment(declined.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("p3"))).rejects.toThrow();
    const { payment: threeDs } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("p4"));
    await service.confirmPayment(threeDs.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("p5"));
    await service.cancelPayment(pending.id, {}, ctx("p6"));
    expect(gateway.listObjects().length).toBeGreaterThan(0);

    const report = await service.reconcile({ provider: "simulated", since });
    expect(report.drifts).toEqual([]);
    expect(report.examined.local).toBe(6);
  });

  it("classifies each kind of drift, corrects the correctable through audited corrections, and a second apply changes nothing", async () => {
    const { service, gateway, store, clock } = setup();
    // status_mismatch: we never heard that the provider captured it (lost webhook, crash before settling).
    const missedCapture = await paidPayment(service, 2000);
    await plant(store, missedCapture.id, { status: "processing", amountCaptured: 0, receiptNumber: null });
    // status_mismatch: we marked it failed, the provider did charge.
    const wrongFail = await paidPayment(service, 2500);
    await plant(store, wrongFail.id, { status: "failed", amountCaptured: 0, receiptNumber: null });
    // status_mismatch: an authorization voided in the provider's dashboard.
    const voided = await paidPayment(service, 3000, "manual");
    await gateway.cancel({ paymentId: voided.id, providerPaymentId: voided.providerPaymentId! }, { idempotencyKey: "dashboard-void" });
    // amount_mismatch: a refund made in the provider's dashboard.
    const dashboardRefund = await paidPayment(service, 4000);
    await gateway.refund(
      { paymentId: dashboardRefund.id, refundId: "", providerPaymentId: dashboardRefund.providerPaymentId!, amount: 1500, currency: "USD", reason: "dashboard" },
      { idempotencyKey: "dashboard-refund" },
    );
    // missing_at_gateway (correctable): an authorization we recorded that the provider never made.
    const { payment: ghostAuth } = await service.createPayment({ owner: "u", amount: 3500, currency: "USD", captureMethod: "manual" }, ctx("ga"));
    await plant(store, ghostAuth.id, { status: "authorized", providerPaymentId: "sim_pi_does_not_exist" });
    // missing_at_gateway (manual): money we recorded as captured that the provider does not know.
    const { payment: ghostCapture } = await service.createPayment({ owner: "u", amount: 4500, currency: "USD" }, ctx("gc"));
    await plant(store, ghostCapture.id, { status: "succeeded", amountCaptured: 4500, providerPaymentId: "sim_pi_gone", receiptNumber: "R-2026-999999" });
    // missing_locally: a provider object for a payment this database never had.
    await gateway.createPayment(
      { paymentId: "pay_from_elsewhere", amount: 999, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
      { idempotencyKey: "elsewhere" },
    );
    // stuck: processing for two hours with nothing at the provider.
    const { payment: stuck } = await service.createPayment({ owner: "u", amount: 700, currency: "USD" }, ctx("stuck"));
    await plant(store, stuck.id, { status: "processing", updatedAt: new Date(clock.now().getTime() - 2 * HOUR).toISOString() });

    const dryRun = await service.reconcile({ provider: "simulated", since });
    const byPayment = new Map(dryRun.drifts.map((d) => [d.paymentId, d]));
    expect(byPayment.get(missedCapture.id)).toMatchObject({ kind: "status_mismatch", outcome: "proposed" });
    expect(byPayment.get(wrongFail.id)).toMatchObject({ kind: "status_mismatch", correction: { from: "failed", to: "succeeded" } });
    expect(byPayment.get(voided.id)).toMatchObject({ kind: "status_mismatch", correction: { to: "canceled" } });
    expect(byPayment.get(dashboardRefund.id)).toMatchObject({
      kind: "amount_mismatch",
      correction: { to: "partially_refunded", amountRefunded: 1500, refunds: [{ action: "record", amount: 1500 }] },
    });
    expect(byPayment.get(ghostAuth.id)).toMatchObject({ kind: "missing_at_gateway", correction: { to: "failed" } });
    expect(byPayment.get(ghostCapture.id)).toMatchObject({ kind: "missing_at_gateway", correction: null, outcome: "manual" });
    expect(byPayment.get("pay_from_elsewhere")).toMatchObject({ kind: "missing_locally", outcome: "manual" });
    expect(byPayment.get(stuck.id)).toMatchObject({ kind: "stuck", correction: { to: "failed" } });
    expect(dryRun.drifts).toHaveLength(8);
    expect(dryRun.corrected).toBe(0);

    const before = await versions(store);
    // A dry run writes nothing.
    expect(await versions(store)).toEqual(before);

    const applied = await service.reconcile({ provider: "simulated", since, apply: true, actor: "operator:ana" });
    expect(applied.corrected).toBe(6);
    expect(applied.unresolved).toBe(2);
    expect(await service.getPayment(missedCapture.id)).toMatchObject({ status: "succeeded", amountCaptured: 2000, receiptNumber: expect.any(String) });
    expect(await service.getPayment(wrongFail.id)).toMatchObject({ status: "succeeded", amountCaptured: 2500 });
    expect(await service.getPayment(voided.id)).toMatchObject({ status: "canceled" });
    expect(await service.getPayment(dashboardRefund.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1500 });
    expect(await service.listRefunds(dashboardRefund.id)).toMatchObject([{ status: "succeeded", amount: 1500 }]);
    expect(await service.getPayment(ghostAuth.id)).toMatchObject({ status: "failed" });
    expect(await service.getPayment(stuck.id)).toMatchObject({ status: "failed" });
    expect(await service.getPayment(ghostCapture.id)).toMatchObject({ status: "succeeded", version: before[ghostCapture.id] });

    const history = await store.listHistory(wrongFail.id);
    expect(history.at(-1)).toMatchObject({
      from: "failed",
      to: "succeeded",
      kind: "correction",
      reason: "reconcile",
      actor: "operator:ana",
      details: { drift: "status_mismatch", gateway: { status: "succeeded", amountCaptured: 2500 } },
    });
    const events = (await store.listOutbox({ paymentId: wrongFail.id, limit: 100 })).map((e) => e.event.type);
    expect(events.slice(-2)).toEqual(["payment.succeeded", "payment.corrected"]);

    const afterFirst = await versions(store);
    const again = await service.reconcile({ provider: "simulated", since, apply: true });
    expect(again.corrected).toBe(0);
    expect(again.drifts.map((d) => d.kind).sort()).toEqual(["missing_at_gateway", "missing_locally"]);
    expect(await versions(store)).toEqual(afterFirst);
  });

  it("leaves an operation between its phases to recovery, and recovers it first", async () => {
    const { service, gateway, clock } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 1200, currency: "USD" }, ctx("c"));
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("k"))).rejects.toMatchObject({
      code: "gateway_outcome_unknown",
    });
    clock.advance(1000);
    const withoutRecovery = await service.reconcile({ provider: "simulated", since, recover: false });
    expect(withoutRecovery.drifts).toEqual([]);
    expect(withoutRecovery.inFlight).toBe(1);
    const report = await service.reconcile({ provider: "simulated", since, apply: true });
    expect(report.recovery).toMatchObject({ examined: 1, settled: 1 });
    expect(report.drifts).toEqual([]);
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded" });
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("does not overwrite a payment that changed after it was judged", async () => {
    const { service, store } = setup();
    const paid = await paidPayment(service, 2000);
    await plant(store, paid.id, { status: "processing", amountCaptured: 0 });
    const original = store.transaction.bind(store);
    let first = true;
    // Between judging and correcting, another writer moves the payment on.
    store.transaction = (async (work: Parameters<PaymentStore["transaction"]>[0]) => {
      if (first) {
        first = false;
        const current = (await store.getPayment(paid.id))!;
        await original((tx) => tx.updatePayment({ ...current, version: current.version + 1 }, current.version));
      }
      return original(work);
    }) as PaymentStore["transaction"];
    const report = await service.reconcile({ provider: "simulated", since, apply: true, recover: false });
    store.transaction = original;
    expect(report.drifts[0]).toMatchObject({ kind: "status_mismatch", outcome: "changed" });
    expect(report.corrected).toBe(0);
  });
});
