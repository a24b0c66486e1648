import { PaymentError } from "../errors.js";
import type { PaymentEvent, PaymentEventType } from "./events.js";
import { EVENT_SCHEMA_VERSION, snapshotPayment } from "./events.js";
import type { HistoryEntry, Payment, PaymentStatus } from "./payment.js";

/**
 * The payment state machine as data. Automatic capture goes processing → succeeded; manual capture stops at
 * authorized. requires_action loops back to processing when the customer finishes 3-D Secure or approval.
 * failed, canceled and refunded are terminal. Every edge points forward except that loop and processing → pending
 * (a confirm the provider refused as invalid, see `refuseConfirmation`); no provider reports `pending`, so webhooks
 * and retries that only follow edges can never move a payment backwards.
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  pending: ["processing", "canceled"],
  // processing → pending: the provider refused the confirm request itself (no money moved); confirm again.
  processing: ["pending", "requires_action", "authorized", "succeeded", "failed", "canceled"],
  requires_action: ["processing", "authorized", "succeeded", "failed", "canceled"],
  authorized: ["succeeded", "canceled", "failed"],
  succeeded: ["partially_refunded", "refunded"],
  partially_refunded: ["partially_refunded", "refunded"],
  refunded: [],
  failed: [],
  canceled: [],
};

export const TERMINAL_STATUSES: readonly PaymentStatus[] = ["refunded", "failed", "canceled"];

/** Order used to tell forward from backward when an outside source (webhook, reconcile) reports a status. */
const PROGRESS: Record<PaymentStatus, number> = {
  pending: 0,
  processing: 1,
  requires_action: 1,
  authorized: 2,
  succeeded: 3,
  partially_refunded: 4,
  refunded: 5,
  failed: 5,
  canceled: 5,
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

/** True when `to` is an edge of the table that does not go back (the requires_action loop counts as forward). */
export function isForwardTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return canTransition(from, to) && PROGRESS[to] >= PROGRESS[from];
}

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
  const events = [buildEvent(EVENT_FOR_STATUS[to], next, ctx, { previousStatus: payment.status })];
  if (kind === "correction") events.push(buildEvent("payment.corrected", next, ctx, { previousStatus: payment.status }));
  return { payment: next, history, events };
}

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
  const error = changes.lastError ? { code: changes.lastError.code, message: changes.lastError.message } : undefined;
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
