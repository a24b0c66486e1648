import { PaymentError } from "../errors/index.js";
import type { Payment, PaymentStatus } from "./payment.js";

/**
 * Which status may follow which, as data. Automatic capture goes processing → succeeded; manual capture stops at
 * authorized. requires_action loops back to processing when the customer finishes 3-D Secure or approval.
 * failed, canceled and refunded are terminal. Every edge points forward except that loop and processing → pending
 * (a confirm the provider refused as invalid, see `refuseConfirmation`); no provider reports `pending`, so webhooks
 * and retries that only follow forward edges (`pathTo`) can never move a payment backwards.
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

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to);
}

/**
 * The forward-progress order: how far along a payment is. An outside report (webhook, resumed call) may only move a
 * payment to a status at least as far along; the requires_action ⇄ processing loop counts as forward.
 */
const PROGRESS: Readonly<Record<PaymentStatus, number>> = {
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

function isForwardEdge(from: PaymentStatus, to: PaymentStatus): boolean {
  return canTransition(from, to) && PROGRESS[to] >= PROGRESS[from];
}

/**
 * The forward edges from `from` to what a provider reports: direct, or through processing for a payment we never
 * saw leave pending. Null when the report would move the payment backwards or off the table (a late webhook): it
 * changes nothing.
 */
export function pathTo(from: PaymentStatus, to: PaymentStatus): PaymentStatus[] | null {
  if (from === to) return [];
  if (isForwardEdge(from, to)) return [to];
  if (from === "pending" && to !== "processing" && isForwardEdge("processing", to)) return ["processing", to];
  return null;
}

/** Statuses of a payment whose money was captured: refunds only change which of them it is. */
export const CAPTURED_STATUSES = ["succeeded", "partially_refunded", "refunded"] as const satisfies readonly PaymentStatus[];

/** Statuses that mean the same thing on both sides of a comparison: a captured payment stays `succeeded` at a provider. */
export function statusGroup(status: string): string {
  return (CAPTURED_STATUSES as readonly string[]).includes(status) ? "captured" : status;
}

/** Provider statuses of an object that moved no money yet and waits for the customer or the provider. */
export const OPEN_AT_PROVIDER: readonly string[] = ["requires_action", "processing"];

/**
 * The statuses each command starts from, and how a refusal reads. Checked inside the operation, under its
 * idempotency key, so the refusal is stored and replayed rather than re-decided.
 */
export const COMMAND_STATUSES = {
  confirm: { accepts: ["pending", "requires_action"], refusal: "become processing", to: "processing" },
  capture: { accepts: ["authorized"], refusal: "be captured", to: "succeeded" },
  cancel: { accepts: ["pending", "requires_action", "authorized"], refusal: "be canceled", to: "canceled" },
  // A fully refunded payment is accepted, so the refund ceiling can say "nothing is left to refund" (refunds.ts).
  refund: { accepts: CAPTURED_STATUSES, refusal: "be refunded", to: null },
} as const satisfies Record<string, { accepts: readonly PaymentStatus[]; refusal: string; to: PaymentStatus | null }>;

export type PaymentCommand = keyof typeof COMMAND_STATUSES;

export function commandAccepts(command: PaymentCommand, status: PaymentStatus): boolean {
  return (COMMAND_STATUSES[command].accepts as readonly PaymentStatus[]).includes(status);
}

/** The `invalid_state_transition` a command gives a payment in a status it does not start from. */
export function commandRefusal(command: PaymentCommand, payment: Pick<Payment, "id" | "status">): PaymentError {
  const rule = COMMAND_STATUSES[command];
  const details: Record<string, unknown> = { paymentId: payment.id, from: payment.status };
  if (rule.to !== null) details["to"] = rule.to;
  return new PaymentError("invalid_state_transition", `a ${payment.status} payment cannot ${rule.refusal}`, { details });
}

/** Throws the command's refusal unless the payment is in a status it starts from. */
export function assertCommandAccepts(command: PaymentCommand, payment: Pick<Payment, "id" | "status">): void {
  if (!commandAccepts(command, payment.status)) throw commandRefusal(command, payment);
}
