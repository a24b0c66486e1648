import { PaymentError } from "../errors/index.js";
import { buildEvent, type TransitionContext, type TransitionResult } from "./state-machine.js";
import type { Payment, PaymentStatus } from "./payment.js";

/*
 * Which fields of a payment may change after it was created, and when: the rule behind `updatePayment`. Until the
 * payment is confirmed (status `pending`: no provider holds it yet) every editable field may change; from then on
 * only the description and the metadata, as on Stripe — the amount, the currency and the lines are what the
 * customer was asked to pay, and the customer and references are what the provider and the receipt already name.
 */

/** The fields `updatePayment` may set: each is compared as a whole value to say what changed. */
export const EDITABLE_FIELDS = ["amount", "currency", "lineItems", "description", "metadata", "references", "customerId", "customerEmail"] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type PaymentEdits = Partial<Pick<Payment, EditableField>>;

/** What may still change once a payment left `pending`. */
export const EDITABLE_AFTER_CONFIRMATION: readonly EditableField[] = ["description", "metadata"];

/** The statuses in which every editable field may change. */
const EDITABLE_STATUSES: readonly PaymentStatus[] = ["pending"];

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return aKeys.length === bKeys.length && aKeys.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The names of the fields whose value `edits` changes, in the table's order. */
export function changedFields(payment: Payment, edits: PaymentEdits): EditableField[] {
  return EDITABLE_FIELDS.filter((field) => Object.hasOwn(edits, field) && edits[field] !== undefined && !sameValue(payment[field], edits[field]));
}

/**
 * Refuses, with `payment_not_editable` and nothing changed, a change to a field the payment's status no longer lets
 * change. Only fields whose value actually changes count: resending the current amount with a new description is
 * not a change of amount.
 */
export function assertEditable(payment: Payment, changed: readonly EditableField[]): void {
  if (EDITABLE_STATUSES.includes(payment.status)) return;
  const locked = changed.filter((field) => !EDITABLE_AFTER_CONFIRMATION.includes(field));
  if (locked.length === 0) return;
  throw new PaymentError(
    "payment_not_editable",
    `a ${payment.status} payment can change only its ${EDITABLE_AFTER_CONFIRMATION.join(" and ")}; ${locked.join(", ")} can no longer change`,
    { details: { paymentId: payment.id, status: payment.status, fields: locked } },
  );
}

/**
 * Pure: the payment with `edits` applied (same status, next version), its history row of kind `updated` and its
 * `payment.updated` event. Both name the changed fields only, never their values: metadata and customer fields may
 * be personal data, and history and events travel further than the payment row.
 */
export function editPayment(payment: Payment, edits: PaymentEdits, changed: readonly EditableField[], ctx: TransitionContext): TransitionResult {
  const next: Payment = { ...payment, ...pick(edits, changed), updatedAt: ctx.at, version: payment.version + 1 };
  return {
    payment: next,
    history: {
      id: ctx.newId("his"),
      paymentId: payment.id,
      from: payment.status,
      to: payment.status,
      at: ctx.at,
      actor: ctx.actor,
      reason: ctx.reason,
      kind: "updated",
      details: { changed: [...changed] },
    },
    events: [buildEvent("payment.updated", next, ctx, { changedFields: [...changed] })],
  };
}

function pick(edits: PaymentEdits, fields: readonly EditableField[]): PaymentEdits {
  return Object.fromEntries(fields.map((field) => [field, edits[field]])) as PaymentEdits;
}
