import { buildEvent, correctPayment } from "../../domain/state-machine.js";
import type { Payment, PaymentFailure, Refund } from "../../domain/payment.js";
import { refundFailedData } from "../../domain/refund-failed-data.js";
import { releaseRefund } from "../../domain/refunds.js";
import { PaymentError } from "../../errors/index.js";
import type { Clock } from "../../ports/clock.js";
import type { IdGenerator } from "../../ports/id-generator.js";
import type { GatewayPayment } from "../../ports/payment-gateway.js";
import type { PaymentStore, PaymentStoreTx } from "../../ports/payment-store.js";
import { failedRefund, fieldsOnReaching, persistTransition, succeededRefund } from "../apply-gateway-result.js";
import { gatewaySide, localSide } from "./classify-drift.js";
import type { Drift, PaymentCorrection } from "./report.js";

/*
 * The correction writer: one transaction per correction, a compare-and-set on the version the drift was judged on,
 * and the change recorded as an audited `correction` with its evidence (history row, `payment.corrected`).
 */

export interface CorrectionDeps {
  store: PaymentStore;
  clock: Clock;
  ids: IdGenerator;
  /** Validity assumed for an authorization the provider reports without an expiry. */
  authorizationValidityMs: number;
}

/** Writes one correction: compare-and-set on the version we judged, history row and outbox events, one transaction. */
export async function applyCorrection(
  deps: CorrectionDeps,
  drift: Drift,
  judged: Payment,
  object: GatewayPayment | null,
  actor: string,
): Promise<Drift["outcome"]> {
  const correction = drift.correction;
  if (!correction) return "manual";
  return deps.store.transaction(async (tx) => {
    const current = await tx.getPayment(judged.id);
    if (!current || current.version !== judged.version) return "changed";
    const at = deps.clock.now().toISOString();
    const newId = (prefix: string) => deps.ids.newId(prefix);
    const { amounts: released, failed } = await correctRefunds(tx, current, correction, object, actor, at);
    const unreported: PaymentFailure = {
      code: "processing_error",
      message: object ? "the provider reports the payment failed" : "the provider has no record of this payment",
    };
    const changes: Partial<Payment> = {
      ...(await fieldsOnReaching(tx, current, correction.to, object, { at, authorizationValidityMs: deps.authorizationValidityMs }, unreported)),
      // The provider's amounts, as the drift was judged on them: the source of truth for money.
      amountCaptured: correction.amountCaptured,
      amountRefunded: correction.amountRefunded,
      amountRefundReserved: released.amountRefundReserved,
    };
    if (object) {
      changes.providerPaymentId = object.providerPaymentId;
      changes.paymentMethodType = object.paymentMethodType ?? current.paymentMethodType;
    }
    const evidence: Record<string, unknown> = {
      drift: drift.kind,
      message: drift.message,
      local: localSide(current),
      gateway: object ? gatewaySide(object) : null,
      refunds: correction.refunds,
    };
    const result = correctPayment(current, correction.to, { at, actor, reason: "reconcile", newId }, changes, evidence);
    // A refund reconcile failed is announced as a webhook's failure would be: its consumers saw refund.created.
    result.events.unshift(...failed.map((refund) => buildEvent("refund.failed", result.payment, { at, newId }, refundFailedData(refund))));
    await persistTransition(tx, current, result);
    return "corrected";
  });
}

/**
 * Aligns our refund rows with the provider's: records a refund made at the provider, settles or fails ours. A
 * pending refund that ends either way no longer holds its reservation; returns the payment's amounts after that, and
 * the pending refunds it failed (each gets its refund.failed event).
 */
async function correctRefunds(
  tx: PaymentStoreTx,
  current: Payment,
  correction: PaymentCorrection,
  object: GatewayPayment | null,
  actor: string,
  at: string,
): Promise<{ amounts: Payment; failed: Refund[] }> {
  let amounts = current;
  const failed: Refund[] = [];
  for (const change of correction.refunds) {
    if (change.action === "record") {
      const reportedAt = object?.refunds?.find((r) => r.providerRefundId === change.providerRefundId)?.createdAt;
      await tx.insertRefund({
        id: change.refundId,
        paymentId: current.id,
        amount: change.amount,
        currency: current.currency,
        status: "succeeded",
        reason: "made at the provider; recorded by reconcile",
        actor,
        providerRefundId: change.providerRefundId,
        failure: null,
        createdAt: reportedAt ?? at,
        updatedAt: at,
      });
      continue;
    }
    const refund = await tx.getRefund(change.refundId);
    if (!refund) throw new PaymentError("conflict", `refund ${change.refundId} vanished`);
    if (refund.status === "pending") amounts = { ...amounts, ...releaseRefund(amounts, refund.amount) };
    if (change.action === "settle") {
      await tx.updateRefund(succeededRefund(refund, change.providerRefundId, at));
      continue;
    }
    const updated = failedRefund(refund, change, at, "the provider has no completed refund for it (reconcile)");
    await tx.updateRefund(updated);
    if (refund.status !== "failed") failed.push(updated);
  }
  return { amounts, failed };
}
