import type { GatewayPayment } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

// A refund Stripe failed must be visible wherever the core reads a payment: retrieve (webhook fallback),
// findByPaymentId (recovery) and listTransactions (reconcile). Stripe's charge.amount_refunded counts only what was
// not failed, so after a failed first refund it is 0, and a listing driven by it sees nothing.
let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig();
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

async function paid(amount = 3000): Promise<GatewayPayment> {
  return rig.gateway.createPayment(
    { paymentId: newPaymentId(), amount, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
    { idempotencyKey: key("pay") },
  );
}

function refundOf(payment: GatewayPayment, refundId: string, amount: number) {
  return rig.gateway.refund(
    { paymentId: payment.paymentId ?? "", refundId, providerPaymentId: payment.providerPaymentId, amount, currency: "USD", reason: "requested_by_customer" },
    { idempotencyKey: key(refundId) },
  );
}

async function listed(payment: GatewayPayment): Promise<GatewayPayment | undefined> {
  for await (const p of rig.gateway.listTransactions({ since: new Date(rig.fake.now() - 60_000), until: new Date(rig.fake.now() + 60_000) })) {
    if (p.providerPaymentId === payment.providerPaymentId) return p;
  }
  return undefined;
}

describe("failed Stripe refunds are listed whatever amount_refunded says", () => {
  it("the only refund, failed: retrieve, findByPaymentId and listTransactions show it failed with its reason", async () => {
    const payment = await paid();
    rig.fake.setRefundStatus("pending");
    const refund = await refundOf(payment, "rf_only", 1000);
    rig.fake.settleRefund(refund.providerRefundId, "failed", "lost_or_stolen_card");
    expect(rig.fake.charge(rig.fake.paymentIntents()[0]?.latest_charge as string)?.amount_refunded).toBe(0);

    const views = [
      await rig.gateway.retrieve(payment.providerPaymentId),
      await rig.gateway.findByPaymentId(payment.paymentId ?? ""),
      await listed(payment),
    ];
    for (const view of views) {
      expect(view?.amountRefunded).toBe(0);
      expect(view?.refunds).toEqual([
        expect.objectContaining({ refundId: "rf_only", status: "failed", failureReason: "lost_or_stolen_card", amount: 1000 }),
      ]);
    }
  });

  it("a second refund failing after a settled partial one: both listed, only the settled one counted", async () => {
    const payment = await paid();
    await refundOf(payment, "rf_settled", 500);
    rig.fake.setRefundStatus("pending");
    const second = await refundOf(payment, "rf_failing", 700);
    rig.fake.settleRefund(second.providerRefundId, "failed");
    const view = await rig.gateway.retrieve(payment.providerPaymentId);
    expect(view.amountRefunded).toBe(500);
    expect(Object.fromEntries((view.refunds ?? []).map((r) => [r.refundId, r.status]))).toEqual({ rf_settled: "succeeded", rf_failing: "failed" });
  });

  it("a refund Stripe reported succeeded and then failed: failed, and no longer counted as refunded", async () => {
    const payment = await paid();
    const refund = await refundOf(payment, "rf_reversed", 1200);
    expect(refund.status).toBe("succeeded");
    rig.fake.settleRefund(refund.providerRefundId, "failed", "expired_or_canceled_card");
    const view = await rig.gateway.retrieve(payment.providerPaymentId);
    expect(view.amountRefunded).toBe(0);
    expect(view.refunds?.[0]).toMatchObject({ refundId: "rf_reversed", status: "failed", failureReason: "expired_or_canceled_card" });
  });

  it("an intent that never received money costs no refund listing", async () => {
    const authorized = await rig.gateway.createPayment(
      { paymentId: newPaymentId(), amount: 900, currency: "USD", captureMethod: "manual", paymentMethodId: "pm_card_visa" },
      { idempotencyKey: key("auth") },
    );
    const before = rig.fake.requests.length;
    expect((await rig.gateway.retrieve(authorized.providerPaymentId)).refunds).toEqual([]);
    expect(rig.fake.requests.slice(before).map((r) => r.path)).toEqual([`/v1/payment_intents/${authorized.providerPaymentId}`]);
  });
});
