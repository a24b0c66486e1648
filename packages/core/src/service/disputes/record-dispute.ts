import { buildEvent } from "../../domain/state-machine.js";
import { type Dispute, type DisputeStatus, isClosedDisputeStatus, snapshotDispute } from "../../domain/dispute.js";
import type { PaymentEvent } from "../../domain/events.js";
import type { HistoryEntry, Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import type { GatewayDispute } from "../../ports/payment-gateway.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";
import { parseInstant } from "../../validation/instant.js";
import { type ApplyContext, persistUpdate } from "../apply-gateway-result.js";

/**
 * What recording a reported dispute did: opened (first heard of), updated, closed (reached a final status),
 * unchanged (the report says what is recorded), stale (older than what is recorded, or reopening a final one).
 */
export type DisputeChange = "opened" | "updated" | "closed" | "unchanged" | "stale";

export interface RecordedDispute {
  change: DisputeChange;
  dispute: Dispute;
  payment: Payment;
}

/**
 * How far along a dispute is, for two reports stamped with the same time: an inquiry before a chargeback, a request
 * for evidence before its review, a review before a decision.
 */
const LIFECYCLE_ORDER: readonly DisputeStatus[] = [
  "warning_needs_response",
  "warning_under_review",
  "warning_closed",
  "needs_response",
  "under_review",
  "won",
  "lost",
];

function refuse(message: string, field: string): PaymentError {
  return new PaymentError("validation_error", message, { details: { field } });
}

/** A report the core can record: the adapter maps, but what it maps is the provider's, so it is checked here. */
function checkReport(reported: GatewayDispute): void {
  if (!Number.isSafeInteger(reported.amount) || reported.amount <= 0) {
    throw refuse("the provider reported a dispute amount that is not a positive amount in minor units", "dispute.amount");
  }
  if (!/^[A-Z]{3}$/.test(reported.currency)) throw refuse("the provider reported a dispute currency that is not an ISO 4217 code", "dispute.currency");
  if (reported.providerDisputeId === "") throw refuse("the provider reported a dispute without an id", "dispute.providerDisputeId");
  parseInstant(reported.openedAt, "dispute.openedAt");
  if (reported.evidenceDueBy !== null) parseInstant(reported.evidenceDueBy, "dispute.evidenceDueBy");
}

const instant = (text: string, field: string) => parseInstant(text, field).toISOString();

/** The fields a later report may change; a report that changes none of them changes nothing. */
function differs(recorded: Dispute, reported: GatewayDispute, evidenceDueBy: string | null): boolean {
  return (
    recorded.status !== reported.status ||
    recorded.amount !== reported.amount ||
    recorded.currency !== reported.currency ||
    recorded.reason !== reported.reason ||
    recorded.providerReason !== reported.providerReason ||
    recorded.evidenceDueBy !== evidenceDueBy
  );
}

/**
 * Records what the provider reports about a dispute of `payment`, inside the caller's transaction (the webhook
 * inbox's, or reconcile's): inserts it the first time, moves it forward after, and leaves it when the report is
 * older than what is recorded (`reportedAt`: the provider's time for the report — its event time, or the dispute's
 * own update time) or would reopen a final one. Every change flags the payment (a guarded update, so the payment's
 * events stay in version order), appends a payment history row of kind `dispute`, and writes its events:
 * `payment.disputed` when opened, `dispute.updated` or `dispute.closed` after (a dispute first seen already final
 * gets both `payment.disputed` and `dispute.closed`). A racing insert of the same provider dispute loses with
 * `conflict`, and the caller's retry finds it recorded.
 */
export async function recordReportedDispute(
  tx: PaymentStoreTx,
  payment: Payment,
  reported: GatewayDispute,
  ctx: ApplyContext,
  reportedAt: string,
): Promise<RecordedDispute> {
  checkReport(reported);
  const at = instant(reported.updatedAt ?? reportedAt, "dispute.updatedAt");
  const evidenceDueBy = reported.evidenceDueBy === null ? null : instant(reported.evidenceDueBy, "dispute.evidenceDueBy");
  const closed = isClosedDisputeStatus(reported.status);
  const recorded = await tx.findDisputeByProviderId(payment.provider, reported.providerDisputeId);

  if (recorded === null) {
    const dispute: Dispute = {
      id: ctx.newId("dp"),
      paymentId: payment.id,
      provider: payment.provider,
      providerDisputeId: reported.providerDisputeId,
      providerPaymentId: reported.providerPaymentId ?? payment.providerPaymentId,
      amount: reported.amount,
      currency: reported.currency,
      status: reported.status,
      reason: reported.reason,
      providerReason: reported.providerReason,
      evidenceDueBy,
      statusHistory: [{ status: reported.status, providerStatus: reported.providerStatus, at }],
      openedAt: instant(reported.openedAt, "dispute.openedAt"),
      closedAt: closed ? at : null,
      reportedAt: at,
      createdAt: ctx.at,
      updatedAt: ctx.at,
      version: 1,
    };
    await tx.insertDispute(dispute);
    const flagged = await flag(tx, payment, dispute, ctx);
    const events = [buildEvent("payment.disputed", flagged, ctx, { dispute: snapshotDispute(dispute) })];
    if (closed) events.push(buildEvent("dispute.closed", flagged, ctx, { dispute: snapshotDispute(dispute) }));
    await tx.appendOutbox(events);
    return { change: "opened", dispute, payment: flagged };
  }

  const reopens = isClosedDisputeStatus(recorded.status) && !closed;
  // Providers stamp reports in whole seconds: of two in one second, the one further along the lifecycle stands.
  const sameTimeBackwards = at === recorded.reportedAt && LIFECYCLE_ORDER.indexOf(reported.status) < LIFECYCLE_ORDER.indexOf(recorded.status);
  if (reopens || at < recorded.reportedAt || sameTimeBackwards) return { change: "stale", dispute: recorded, payment };
  if (!differs(recorded, reported, evidenceDueBy)) return { change: "unchanged", dispute: recorded, payment };

  const statusMoved = recorded.status !== reported.status;
  const next: Dispute = {
    ...recorded,
    amount: reported.amount,
    currency: reported.currency,
    status: reported.status,
    reason: reported.reason,
    providerReason: reported.providerReason,
    evidenceDueBy,
    statusHistory: statusMoved
      ? [...recorded.statusHistory, { status: reported.status, providerStatus: reported.providerStatus, at }]
      : recorded.statusHistory,
    closedAt: recorded.closedAt ?? (closed ? at : null),
    reportedAt: at,
    updatedAt: ctx.at,
    version: recorded.version + 1,
  };
  const stored = await tx.updateDispute(next, recorded.version);
  if (stored === null) throw new PaymentError("conflict", `dispute ${recorded.id} changed concurrently`);
  const flagged = await flag(tx, payment, stored, ctx);
  const closing = closed && !isClosedDisputeStatus(recorded.status);
  const event: PaymentEvent = buildEvent(closing ? "dispute.closed" : "dispute.updated", flagged, ctx, {
    dispute: snapshotDispute(stored),
    previousDisputeStatus: recorded.status,
  });
  await tx.appendOutbox([event]);
  return { change: closing ? "closed" : "updated", dispute: stored, payment: flagged };
}

/**
 * Flags the payment and writes its history row: the payment's status is untouched, but its version moves, so the
 * dispute's events order with the payment's own and a concurrent change of the payment retries this one.
 */
async function flag(tx: PaymentStoreTx, payment: Payment, dispute: Dispute, ctx: ApplyContext): Promise<Payment> {
  const flagged = await persistUpdate(tx, payment, { disputed: true }, ctx.at);
  const entry: HistoryEntry = {
    id: ctx.newId("his"),
    paymentId: payment.id,
    from: payment.status,
    to: payment.status,
    at: ctx.at,
    actor: ctx.actor,
    reason: `dispute ${dispute.providerDisputeId} ${dispute.status}`,
    kind: "dispute",
    details: { disputeId: dispute.id, status: dispute.status, amount: dispute.amount, currency: dispute.currency },
  };
  await tx.appendHistory([entry]);
  return flagged;
}
