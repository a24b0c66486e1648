import { correctPayment } from "../../domain/state-machine.js";
import type { Payment, PaymentFailure } from "../../domain/payment.js";
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
    const released = await correctRefunds(tx, current, correction, object, actor, at);
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
    await persistTransition(tx, current, result);
    return "corrected";
  });
}

/**
 * Aligns our refund rows with the provider's: records a refund made at the provider, settles or fails ours. A
 * pending refund that ends either way no longer holds its reservation; returns the payment's amounts after that.
 */
async function correctRefunds(
  tx: PaymentStoreTx,
  current: Payment,
  correction: PaymentCorrection,
  object: GatewayPayment | null,
  actor: string,
  at: string,
): Promise<Payment> {
  let amounts = current;
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
    await tx.updateRefund(
      change.action === "settle"
        ? succeededRefund(refund, change.providerRefundId, at)
        : failedRefund(refund, change, at, "the provider has no completed refund for it (reconcile)"),
    );
  }
  return amounts;
}
