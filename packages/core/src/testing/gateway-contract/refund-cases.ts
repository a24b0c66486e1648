import { expect } from "vitest";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { drivePayment, refundRequest } from "./drive-payment.js";

/** Refunds, whole and in parts, each carrying our refund id back. */
export function defineRefundCases(define: DefineCase, subject: GatewayUnderTest): void {
  define("fullRefund", async () => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const refund = await harness.gateway.refund(refundRequest(paid, "rf_full", amount, harness.currency, "requested_by_customer"), {
      idempotencyKey: `${paid.paymentId}:refund:rf_full`,
    });
    expect(refund).toMatchObject({ amount, currency: harness.currency, providerPaymentId: paid.providerPaymentId });
    expect(["succeeded", "pending"]).toContain(refund.status);
    expect((await harness.gateway.retrieve(paid.providerPaymentId)).amountRefunded).toBe(refund.status === "succeeded" ? amount : 0);
  });

  define("partialRefunds", async () => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const parts = [Math.floor(amount / 4), Math.floor(amount / 4)];
    for (const [i, part] of parts.entries()) {
      const refund = await harness.gateway.refund(refundRequest(paid, `rf_part_${i}`, part, harness.currency, "partial"), {
        idempotencyKey: `${paid.paymentId}:refund:rf_part_${i}`,
      });
      expect(refund).toMatchObject({ amount: part, refundId: `rf_part_${i}` });
    }
    const found = await harness.gateway.findByPaymentId(paid.paymentId!);
    expect(found?.refunds?.map((r) => r.refundId).sort()).toEqual(["rf_part_0", "rf_part_1"]);
    expect(found?.amountRefunded).toBe(parts[0]! + parts[1]!);
  });
}
