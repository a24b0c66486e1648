import { expect } from "vitest";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { failUnless } from "./definite-answer.js";
import { collectTransactions, drivePayment, refundRequest } from "./drive-payment.js";

/** Reconciliation's view: every payment of a window, with its refunds, and nothing outside it. */
export function defineListTransactionsCases(define: DefineCase, subject: GatewayUnderTest): void {
  define("listTransactions", async () => {
    const { harness, amount } = subject;
    const since = new Date(Date.now() - 60_000);
    const paid = await drivePayment(harness, "succeeds", { amount });
    await harness.gateway.refund(refundRequest(paid, "rf_listed", 100, harness.currency, "listed"), { idempotencyKey: `${paid.paymentId}:refund:rf_listed` });
    const listed = await collectTransactions(harness.gateway, since, new Date(Date.now() + 60_000));
    const mine = listed.find((p) => p.paymentId === paid.paymentId);
    expect(mine?.providerPaymentId).toBe(paid.providerPaymentId);
    failUnless(mine?.refunds?.some((r) => r.refundId === "rf_listed") === true, "the listed payment does not carry its refund rf_listed (with our refund id)");
    expect(await collectTransactions(harness.gateway, new Date(Date.now() + 3_600_000), new Date(Date.now() + 7_200_000))).toEqual([]);
  });
}
