import { buildEvent, correctPayment, transitionPayment, type TransitionResult } from "../domain/state-machine.js";
import { pathTo, statusGroup } from "../domain/transitions.js";
import { snapshotRefund } from "../domain/events.js";
import { refundFailedData } from "../domain/refund-failed-data.js";
import type { Payment, PaymentFailure, PaymentStatus, Refund } from "../domain/payment.js";
import { releaseRefund, reverseSettledRefund, settleReservedRefund } from "../domain/refunds.js";
import { PaymentError } from "../errors/index.js";
import { toStorableMessage } from "../validation/acceptable-text.js";
import type { GatewayPayment, GatewayRefund } from "../ports/payment-gateway.js";
import type { PaymentStoreTx } from "../ports/payment-store.js";

export interface ApplyContext {
  at: string;
  actor: string;
  reason: string;
  newId: (prefix: string) => string;
  /** Used when a provider authorizes without saying until when. */
  authorizationValidityMs: number;
  /**
   * Set where everything the transaction makes of the payment leaves it only through its writes and its result
   * (the settle of a gateway call): a receipt number may then be taken at commit, as a stand-in the store resolves
   * (`ReceiptsTx.allocateReceiptNumberAtCommit`).
   */
  receiptNumberAtCommit?: boolean;
}

/**
 * The version-guarded update of a payment whose lost race abandons the transaction as a retryable `conflict`. A
 * store that can report the loss later (with the phase's other writes, in one round trip) does so through
 * `updatePaymentOrConflict`; the others answer at once.
 */
export async function storePaymentOrConflict(tx: PaymentStoreTx, next: Payment, expectedVersion: number): Promise<Payment> {
  if (tx.updatePaymentOrConflict !== undefined) return tx.updatePaymentOrConflict(next, expectedVersion);
  const stored = await tx.updatePayment(next, expectedVersion);
  if (!stored) throw new PaymentError("conflict", `payment ${next.id} changed concurrently`);
  return stored;
}

/** Stores a transition with its history row and events; a lost version race becomes a retryable `conflict`. */
export async function persistTransition(tx: PaymentStoreTx, current: Payment, result: TransitionResult): Promise<Payment> {
  const stored = await storePaymentOrConflict(tx, result.payment, current.version);
  await tx.appendHistory([result.history]);
  await tx.appendOutbox(result.events);
  return stored;
}

/** Stores a change that is not a status transition (a reservation, a dispute flag) with its events. */
export async function persistUpdate(
  tx: PaymentStoreTx,
  current: Payment,
  changes: Partial<Payment>,
  at: string,
): Promise<Payment> {
  const next: Payment = { ...current, ...changes, updatedAt: at, version: current.version + 1 };
  return storePaymentOrConflict(tx, next, current.version);
}

/** What the provider reported about a payment, as far as reaching a status records it. */
export type ReportedFields = Pick<GatewayPayment, "amountCaptured" | "nextAction" | "authorizationExpiresAt" | "failure">;

const UNREPORTED_FAILURE: PaymentFailure = { code: "processing_error", message: "the provider reported a failure" };

/** The payment's receipt number: taken at commit where the context allows it and the store can, else now. */
function allocateReceiptNumber(tx: PaymentStoreTx, paymentId: string, ctx: Pick<ApplyContext, "at" | "receiptNumberAtCommit">): Promise<string> {
  if (ctx.receiptNumberAtCommit === true && tx.allocateReceiptNumberAtCommit !== undefined) return tx.allocateReceiptNumberAtCommit(paymentId, ctx.at);
  return tx.allocateReceiptNumber(paymentId, ctx.at);
}

/**
 * The fields a payment records on reaching `to` as the provider reports it — the one home of this rule, for the
 * settle steps and webhooks (advancePayment) and reconcile's corrections alike:
 * - requires_action: the provider's next action (a 3-D Secure step, an approval URL);
 * - authorized: until when (the provider's expiry, else the validity we assume);
 * - a captured status: what was captured (the provider's amount, never more than the payment's, and the whole
 *   amount when it reports none), a receipt number (allocated once, kept after), no error;
 * - failed: the failure, as storable text (the provider's own, else `unreported`);
 * - authorized, captured, failed, canceled: no next action, the customer's step is over.
 * processing and pending record nothing of their own.
 */
export async function fieldsOnReaching(
  tx: PaymentStoreTx,
  current: Payment,
  to: PaymentStatus,
  reported: ReportedFields | null,
  ctx: Pick<ApplyContext, "at" | "authorizationValidityMs" | "receiptNumberAtCommit">,
  unreported: PaymentFailure,
): Promise<Partial<Payment>> {
  const changes: Partial<Payment> = {};
  if (to === "requires_action") {
    changes.nextAction = reported?.nextAction ?? null;
    // Why the customer is needed, when the provider says (a bank demanding authentication off-session).
    changes.lastError = reported?.failure ? { ...reported.failure, message: toStorableMessage(reported.failure.message) } : null;
  }
  if (to === "authorized") {
    changes.nextAction = null;
    changes.authorizationExpiresAt =
      reported?.authorizationExpiresAt ?? new Date(Date.parse(ctx.at) + ctx.authorizationValidityMs).toISOString();
  }
  if (statusGroup(to) === "captured") {
    const captured = reported && reported.amountCaptured > 0 ? reported.amountCaptured : current.amount;
    changes.amountCaptured = Math.min(captured, current.amount);
    changes.nextAction = null;
    changes.lastError = null;
    changes.receiptNumber = current.receiptNumber ?? (await allocateReceiptNumber(tx, current.id, ctx));
  }
  if (to === "failed") {
    changes.nextAction = null;
    changes.lastError = reported?.failure ? { ...reported.failure, message: toStorableMessage(reported.failure.message) } : unreported;
  }
  if (to === "canceled") changes.nextAction = null;
  return changes;
}

/**
 * Moves a payment forward to what the provider reports, along the table only; a report that would move it
 * backwards (a late webhook) changes nothing. Returns the stored payment.
 */
export async function advancePayment(
  tx: PaymentStoreTx,
  payment: Payment,
  reported: GatewayPayment,
  ctx: ApplyContext,
): Promise<Payment> {
  const path = pathTo(payment.status, reported.status);
  if (path === null) return payment;
  let current = payment;
  const common = {
    providerPaymentId: reported.providerPaymentId,
    paymentMethodType: reported.paymentMethodType ?? current.paymentMethodType,
  };
  if (path.length === 0) {
    // Same status: keep the provider's latest next action (a second 3-D Secure step) without a history row.
    if (reported.status === "requires_action" && reported.nextAction && current.nextAction?.url !== reported.nextAction.url) {
      return persistUpdate(tx, current, { ...common, nextAction: reported.nextAction }, ctx.at);
    }
    if (current.providerPaymentId === null) return persistUpdate(tx, current, common, ctx.at);
    return current;
  }
  for (const to of path) {
    const changes: Partial<Payment> = { ...common, ...(await fieldsOnReaching(tx, current, to, reported, ctx, UNREPORTED_FAILURE)) };
    current = await persistTransition(tx, current, transitionPayment(current, to, ctx, changes));
  }
  return current;
}

/**
 * The provider failed the very refund it reported succeeded: it names that refund by its own id. A failure without
 * the provider's id (a refusal, our own giving up) never un-counts money that was refunded.
 */
export function isReportedReversal(refund: Refund, reported: GatewayRefund): boolean {
  return (
    refund.status === "succeeded" &&
    reported.status === "failed" &&
    reported.providerRefundId !== "" &&
    refund.providerRefundId !== null &&
    reported.providerRefundId === refund.providerRefundId
  );
}

/**
 * A provider's refund reason that is a code (Stripe's `failure_reason` `lost_or_stolen_card` or refusal
 * `charge_disputed`, PayPal's issue `REFUND_FAILED_INSUFFICIENT_FUNDS`) rather than a sentence: kept as the refund's
 * decline code too, as a declined payment keeps its provider's code, so `refund.failed` says why the same way.
 */
const PROVIDER_REASON_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/**
 * Our refund, failed as the provider reports it: under the provider's id (else the one we knew), with its reason as
 * storable text (else `unreportedReason`) and, when that reason is a provider code, as its decline code.
 */
export function failedRefund(
  refund: Refund,
  reported: { providerRefundId: string | null; failureReason?: string | null | undefined },
  at: string,
  unreportedReason = "the provider did not complete the refund",
): Refund {
  const failure: PaymentFailure = {
    code: "processing_error",
    message: reported.failureReason ? toStorableMessage(reported.failureReason) : unreportedReason,
  };
  // Tested on the storable text: a reason holding a card number is masked there and never becomes a code.
  if (reported.failureReason && PROVIDER_REASON_CODE.test(failure.message)) failure.declineCode = failure.message;
  return { ...refund, status: "failed", providerRefundId: reported.providerRefundId || refund.providerRefundId, failure, updatedAt: at };
}

/** Our refund, succeeded under the provider's id. */
export function succeededRefund(refund: Refund, providerRefundId: string | null, at: string): Refund {
  return { ...refund, status: "succeeded", providerRefundId, failure: null, updatedAt: at };
}

/**
 * Settles a refund exactly once: success moves its reservation into `amountRefunded`, failure releases it. A
 * refund already settled is left alone, so a webhook and the synchronous answer cannot both apply — except that a
 * provider may fail a refund it first reported succeeded (Stripe's `refund.failed` after `succeeded`, when the
 * money could not reach the customer): that is reversed (`reverseRefund`).
 */
export async function settleRefund(
  tx: PaymentStoreTx,
  refund: Refund,
  payment: Payment,
  reported: GatewayRefund,
  ctx: ApplyContext,
): Promise<{ refund: Refund; payment: Payment }> {
  if (isReportedReversal(refund, reported)) return reverseRefund(tx, refund, payment, reported, ctx);
  if (refund.status !== "pending") return { refund, payment };
  // Once the provider named its refund, only that refund's own answer settles ours.
  if (refund.providerRefundId !== null && reported.providerRefundId !== refund.providerRefundId) return { refund, payment };
  if (reported.status === "pending") {
    if (refund.providerRefundId === reported.providerRefundId) return { refund, payment };
    const updated = { ...refund, providerRefundId: reported.providerRefundId, updatedAt: ctx.at };
    await tx.updateRefund(updated);
    return { refund: updated, payment };
  }
  if (reported.status === "succeeded") {
    const settled = succeededRefund(refund, reported.providerRefundId, ctx.at);
    const { status, ...amounts } = settleReservedRefund(payment, refund.amount);
    const result = transitionPayment(payment, status, ctx, amounts);
    for (const event of result.events) event.data.refund = snapshotRefund(settled);
    await tx.updateRefund(settled);
    return { refund: settled, payment: await persistTransition(tx, payment, result) };
  }
  const failed = failedRefund(refund, reported, ctx.at);
  await tx.updateRefund(failed);
  const released = await persistUpdate(tx, payment, releaseRefund(payment, refund.amount), ctx.at);
  await tx.appendOutbox([buildEvent("refund.failed", released, ctx, refundFailedData(failed))]);
  return { refund: failed, payment: released };
}

/**
 * A refund the provider failed after reporting it succeeded: the money did not reach the customer, so it no longer
 * counts as refunded. Recorded as an audited correction (refunded → partially_refunded or succeeded is off the
 * table), with `refund.failed` and `payment.corrected` — never a second `payment.succeeded`, which consumers act on.
 */
async function reverseRefund(
  tx: PaymentStoreTx,
  refund: Refund,
  payment: Payment,
  reported: GatewayRefund,
  ctx: ApplyContext,
): Promise<{ refund: Refund; payment: Payment }> {
  const failed = failedRefund(refund, reported, ctx.at);
  const { status, amountRefunded } = reverseSettledRefund(payment, refund.amount);
  const result = correctPayment(payment, status, { ...ctx, reason: "refund failed at the provider after it succeeded" }, { amountRefunded }, {
    refundId: refund.id,
    providerRefundId: failed.providerRefundId,
    failureReason: failed.failure?.message ?? null,
    refundedBefore: payment.amountRefunded,
  });
  const corrected = result.events.find((e) => e.type === "payment.corrected")!;
  result.events = [buildEvent("refund.failed", result.payment, ctx, refundFailedData(failed)), corrected];
  await tx.updateRefund(failed);
  return { refund: failed, payment: await persistTransition(tx, payment, result) };
}
