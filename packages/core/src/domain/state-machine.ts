import { PaymentError } from "../errors/index.js";
import { canTransition } from "./transitions.js";
import type { PaymentEvent, PaymentEventType } from "./events.js";
import { EVENT_SCHEMA_VERSION, snapshotPayment } from "./events.js";
import { eventFailureReason } from "./event-failure-reason.js";
import type { HistoryEntry, Payment, PaymentStatus } from "./payment.js";

/*
 * The payment state machine's mechanics: a move along the table in transitions.ts produces the next payment, its
 * history row and its outbox events, purely; the operations store all three together.
 */

const EVENT_FOR_STATUS: Record<PaymentStatus, PaymentEventType> = {
  pending: "payment.created",
  processing: "payment.processing",
  requires_action: "payment.requires_action",
  authorized: "payment.authorized",
  succeeded: "payment.succeeded",
  partially_refunded: "payment.refunded",
  refunded: "payment.refunded",
  failed: "payment.failed",
  canceled: "payment.canceled",
};

export interface TransitionContext {
  at: string;
  actor: string;
  reason: string;
  newId: (prefix: string) => string;
}

export interface TransitionResult {
  payment: Payment;
  history: HistoryEntry;
  events: PaymentEvent[];
}

type PaymentChanges = Partial<Omit<Payment, "id" | "status" | "version" | "createdAt" | "updatedAt">>;

export function buildEvent(
  type: PaymentEventType,
  payment: Payment,
  ctx: Pick<TransitionContext, "at" | "newId">,
  extra: Omit<PaymentEvent["data"], "payment"> = {},
): PaymentEvent {
  return {
    id: ctx.newId("evt"),
    type,
    schemaVersion: EVENT_SCHEMA_VERSION,
    paymentId: payment.id,
    occurredAt: ctx.at,
    data: { payment: snapshotPayment(payment), ...extra },
  };
}

function apply(
  payment: Payment,
  to: PaymentStatus,
  changes: PaymentChanges,
  ctx: TransitionContext,
  kind: HistoryEntry["kind"],
  details?: Record<string, unknown>,
): TransitionResult {
  const next: Payment = { ...payment, ...changes, status: to, updatedAt: ctx.at, version: payment.version + 1 };
  const history: HistoryEntry = {
    id: ctx.newId("his"),
    paymentId: payment.id,
    from: payment.status,
    to,
    at: ctx.at,
    actor: ctx.actor,
    reason: ctx.reason,
    kind,
    details,
  };
  const events = [buildEvent(EVENT_FOR_STATUS[to], next, ctx, { previousStatus: payment.status, ...failureOf(next, to) })];
  if (kind === "correction") events.push(buildEvent("payment.corrected", next, ctx, { previousStatus: payment.status }));
  return { payment: next, history, events };
}

/** A failed payment's event says why (its recorded failure), so consumers can tell the customer. */
function failureOf(payment: Payment, to: PaymentStatus): Pick<PaymentEvent["data"], "error"> {
  if (to === "failed") return { error: eventFailureReason(payment.lastError ?? UNRECORDED_FAILURE) };
  // An off-session charge the bank wants authenticated: the host must bring the customer back, and is told why.
  if (to === "requires_action" && payment.lastError !== null) return { error: eventFailureReason(payment.lastError) };
  return {};
}

/** A failure reached without a recorded reason (none of today's paths): the event still names one. */
const UNRECORDED_FAILURE = { code: "processing_error", message: "the payment failed" };

/**
 * Pure: the payment after moving to `to` along the table, with its history row and outbox events. An edge that is
 * not in the table throws `invalid_state_transition` and nothing is produced.
 */
export function transitionPayment(
  payment: Payment,
  to: PaymentStatus,
  ctx: TransitionContext,
  changes: PaymentChanges = {},
): TransitionResult {
  if (!canTransition(payment.status, to)) {
    throw new PaymentError("invalid_state_transition", `a ${payment.status} payment cannot become ${to}`, {
      details: { paymentId: payment.id, from: payment.status, to },
    });
  }
  return apply(payment, to, changes, ctx, "transition");
}

/**
 * The audited correction that reconciliation uses to align a payment with the gateway's truth, even against the
 * table (failed → succeeded when the provider did charge). Always recorded as a `correction` with its evidence.
 */
export function correctPayment(
  payment: Payment,
  to: PaymentStatus,
  ctx: TransitionContext,
  changes: PaymentChanges,
  evidence: Record<string, unknown>,
): TransitionResult {
  return apply(payment, to, changes, ctx, "correction", evidence);
}

/**
 * A confirm (or resume) the provider refused as an invalid request: no money moved, so the payment returns to
 * `pending` (or `requires_action`) and can be confirmed again. Its event says so, rather than a second
 * `payment.created`.
 */
export function refuseConfirmation(
  payment: Payment,
  to: "pending" | "requires_action",
  ctx: TransitionContext,
  changes: PaymentChanges,
): TransitionResult {
  if (payment.status !== "processing") {
    throw new PaymentError("invalid_state_transition", `a ${payment.status} payment has no confirmation to refuse`, {
      details: { paymentId: payment.id, from: payment.status, to },
    });
  }
  const result = apply(payment, to, changes, ctx, "transition");
  const error = changes.lastError ? eventFailureReason(changes.lastError) : undefined;
  result.events = [buildEvent("payment.confirmation_refused", result.payment, ctx, { previousStatus: payment.status, error })];
  return result;
}

/** The first history row and `payment.created` event of a new payment. */
export function createdRecords(payment: Payment, ctx: TransitionContext): Omit<TransitionResult, "payment"> {
  return {
    history: {
      id: ctx.newId("his"),
      paymentId: payment.id,
      from: null,
      to: payment.status,
      at: ctx.at,
      actor: ctx.actor,
      reason: ctx.reason,
      kind: "transition",
    },
    events: [buildEvent("payment.created", payment, ctx)],
  };
}
