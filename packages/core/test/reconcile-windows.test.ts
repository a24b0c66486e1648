import { describe, expect, it } from "vitest";
import { parsePaymentEvent } from "../src/domain/event-schemas.js";
import type { GatewayPayment, PaymentGateway } from "../src/ports/payment-gateway.js";
import type { SimulatedGateway } from "../src/simulated/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

const HOUR = 3_600_000;

/** The simulated provider seen through a lens that edits what it reports: a refund deleted, an order left open. */
function reportedThrough(inner: SimulatedGateway, edit: (payment: GatewayPayment) => GatewayPayment): PaymentGateway {
  return {
    provider: inner.provider,
    capabilities: inner.capabilities,
    checkPaymentMethod: (id) => inner.checkPaymentMethod(id),
    createPayment: (r, o) => inner.createPayment(r, o),
    resumePayment: (r, o) => inner.resumePayment(r, o),
    capture: (r, o) => inner.capture(r, o),
    cancel: (r, o) => inner.cancel(r, o),
    refund: (r, o) => inner.refund(r, o),
    parseWebhook: (b, h) => inner.parseWebhook(b, h),
    retrieve: async (id) => edit(await inner.retrieve(id)),
    findByPaymentId: async (id) => {
      const found = await inner.findByPaymentId(id);
      return found && edit(found);
    },
    listTransactions: async function* (window) {
      for await (const payment of inner.listTransactions(window)) yield edit(payment);
    },
  };
}

describe("reconcile's window and what it must not miss", () => {
  it("compares a payment created before the window whose refund happened in it: a refund gone at the provider is drift", async () => {
    let deleteRefunds = false;
    const { service, clock } = setup({
      wrapGateway: (g) => reportedThrough(g, (p) => (deleteRefunds ? { ...p, refunds: [], amountRefunded: 0 } : p)),
    });
    const old = await paidPayment(service, 5000);
    clock.advance(48 * HOUR);
    const windowStart = clock.now();
    clock.advance(HOUR);
    await service.refundPayment(old.id, { amount: 2000, reason: "late pickup" }, ctx("r1", "admin"));
    deleteRefunds = true;
    clock.advance(HOUR);
    const report = await service.reconcile({ provider: "simulated", since: windowStart });
    expect(report.examined.local).toBe(1);
    expect(report.drifts.map((d) => [d.paymentId, d.kind])).toEqual([[old.id, "amount_mismatch"]]);
  });

  it("fails a pending refund the provider reports failed (a missed refund.failed webhook), releasing its reservation with the provider's reason", async () => {
    const { service, gateway, clock, store } = setup();
    const paid = await paidPayment(service, 5000);
    gateway.injectFault({ kind: "fail_refund_later", operation: "refund" });
    const { refund } = await service.refundPayment(paid.id, { amount: 1500, reason: "goodwill" }, ctx("r1", "admin"));
    expect(refund.status).toBe("pending");
    expect((await service.getPayment(paid.id)).amountRefundReserved).toBe(1500);
    clock.advance(HOUR);
    const dry = await service.reconcile({ provider: "simulated", since: new Date(clock.now().getTime() - 2 * HOUR) });
    expect(dry.drifts).toHaveLength(1);
    expect(dry.drifts[0]!.correction?.refunds).toMatchObject([{ action: "fail", refundId: refund.id }]);
    await service.reconcile({ provider: "simulated", since: new Date(clock.now().getTime() - 2 * HOUR), apply: true });
    const after = await service.getPaymentDetails(paid.id);
    expect(after.payment).toMatchObject({ status: "succeeded", amountRefundReserved: 0, amountRefunded: 0 });
    expect(after.refunds[0]).toMatchObject({ status: "failed", failure: { message: expect.stringContaining("insufficient_funds") } });
    // Consumers saw refund.created: they learn of the failure, and why, as a webhook's would tell them.
    const events = (await store.listOutbox({ paymentId: paid.id, limit: 50 })).map((e) => e.event);
    const failed = events.filter((e) => e.type === "refund.failed");
    expect(failed).toHaveLength(1);
    expect(parsePaymentEvent(failed[0])).toMatchObject({
      data: { refund: { id: refund.id, status: "failed", reason: "goodwill" }, error: { code: "processing_error", message: expect.stringContaining("insufficient_funds") } },
    });
    expect(events.slice(-3).map((e) => e.type)).toEqual(["refund.failed", "payment.succeeded", "payment.corrected"]);
  });

  it("never revives a declined payment because the provider's object is still open", async () => {
    let reopen = false;
    const { service, clock } = setup({
      wrapGateway: (g) => reportedThrough(g, (p) => (reopen && p.status === "failed" ? { ...p, status: "requires_action", failure: null, nextAction: null } : p)),
    });
    const { payment } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("c"));
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("d"))).rejects.toThrow();
    reopen = true; // as PayPal keeps an order APPROVED after INSTRUMENT_DECLINED
    clock.advance(HOUR);
    const report = await service.reconcile({ provider: "simulated", since: new Date(clock.now().getTime() - 2 * HOUR), apply: true });
    expect(report.drifts).toEqual([]);
    expect((await service.getPayment(payment.id)).status).toBe("failed");
  });

  it("a retry loop is stuck by its age and attempts, although every retry refreshes the record", async () => {
    const { service, gateway, clock } = setup({ gatewayRetryPolicy: { maxAttempts: 100 } });
    const { payment } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("c"));
    for (let i = 0; i < 8; i++) {
      gateway.injectFault({ kind: "server_error", operation: "createPayment" });
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("k"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
      clock.advance(10 * 60_000);
    }
    // The last retry touched the record a moment ago, but the operation is 80 minutes old.
    const report = await service.reconcile({ provider: "simulated", since: new Date(clock.now().getTime() - 3 * HOUR), recover: false });
    expect(report.inFlight).toBe(0);
    expect(report.drifts).toMatchObject([{ kind: "stuck", paymentId: payment.id, message: expect.stringContaining("8 attempts") }]);
  });
});
