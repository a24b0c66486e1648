import { z } from "zod";
import { assertEditable, changedFields, type PaymentEdits } from "../../domain/payment-edits.js";
import { editPayment } from "../../domain/payment-edits.js";
import type { Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import { normalizeCurrency } from "../../money/money.js";
import { recordKeyProblem, recordKeyProblemMessage } from "../../validation/acceptable-text.js";
import { acceptableString } from "../../validation/text-schema.js";
import { persistTransition } from "../apply-gateway-result.js";
import { assertLineItemsAddUp, assertProviderAccepts } from "./create-payment.js";
import { freeText, lineItemSchema, shortText } from "./input-fields.js";
import { patchedRecord } from "./record-patch.js";
import { loadPayment } from "./load-payment.js";
import type { ClaimStep, OperationContext, OperationDeps, PaymentResult } from "./operation.js";
import { parseInput } from "./parse-input.js";

/*
 * Update: changes editable fields of a payment (domain/payment-edits.ts says which, and when). No money moves and no
 * gateway is called — a payment that can still change its amount is one no provider holds yet — so it has a claim
 * step and no settle step: one transaction checks the status, compares-and-sets the version and writes the history
 * row and `payment.updated`, under the request's idempotency key.
 */

/**
 * A JSON merge patch (RFC 7396) of a string record: a key set to a string sets it, a key set to null removes it,
 * keys not named stay. Keys follow the record's key rule (checked on the raw object, as for `metadata`).
 */
function recordPatch(options: { keyMax: number; valueMax: number; values: "identifier" | "free_text" }) {
  const keys = z.unknown().superRefine((raw, ctx) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return;
    for (const name of Object.keys(raw)) {
      const problem = recordKeyProblem(name, { min: 1, max: options.keyMax });
      if (problem !== null) ctx.addIssue({ code: "custom", path: [name], message: `key ${recordKeyProblemMessage(problem)}` });
    }
  });
  const value = acceptableString({ max: options.valueMax, refuseCardNumbers: options.values === "identifier" ? "identifier" : true });
  return keys.pipe(z.record(z.string(), value.nullable()));
}

export const updatePaymentSchema = z
  .object({
    amount: z.number().optional(),
    currency: z.string().optional(),
    /** The lines of the new price (a new fare quote's); required with a new amount when the payment is itemized. */
    lineItems: z.array(lineItemSchema).max(100).optional(),
    description: freeText(1000).nullable().optional(),
    /** Merge patch: `{ "key": null }` removes a key. */
    metadata: recordPatch({ keyMax: 64, valueMax: 500, values: "free_text" }).optional(),
    /** Merge patch, as metadata. */
    references: recordPatch({ keyMax: 64, valueMax: 500, values: "identifier" }).optional(),
    customerId: shortText.nullable().optional(),
    customerEmail: acceptableString({ max: 254, refuseCardNumbers: "identifier" }).pipe(z.email()).nullable().optional(),
  })
  .strict();
export type UpdatePaymentInput = z.input<typeof updatePaymentSchema>;
type UpdateParams = z.output<typeof updatePaymentSchema>;

/**
 * Changes a payment's editable fields. Before confirmation: amount, currency and lines (checked as on create),
 * description, metadata, references, customer; after it only description and metadata (`payment_not_editable`
 * otherwise). A request that changes nothing stores nothing and answers the payment as it is.
 */
export async function updatePayment(deps: OperationDeps, paymentId: string, input: UpdatePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
  const parsed = parseInput(updatePaymentSchema, input, [{ field: "amount", optional: true }]);
  const params = parsed.currency === undefined ? parsed : { ...parsed, currency: normalizeCurrency(parsed.currency) };
  const result = await deps.run<{ payment: Payment }>("payment.update", { paymentId, ...params }, ctx, claimUpdate(deps, paymentId, params));
  return { payment: result.value.payment, replayed: result.replayed };
}

/** The full values the request sets, resolved against the payment as it is now. */
function resolveEdits(payment: Payment, params: UpdateParams): PaymentEdits {
  const edits: PaymentEdits = {};
  if (params.amount !== undefined) edits.amount = params.amount;
  if (params.currency !== undefined) edits.currency = params.currency;
  if (params.lineItems !== undefined) edits.lineItems = params.lineItems;
  if (params.description !== undefined) edits.description = params.description;
  if (params.customerId !== undefined) edits.customerId = params.customerId;
  if (params.customerEmail !== undefined) edits.customerEmail = params.customerEmail;
  if (params.metadata !== undefined) edits.metadata = patchedRecord("metadata", payment.metadata, params.metadata);
  if (params.references !== undefined) edits.references = patchedRecord("references", payment.references, params.references);
  return edits;
}

/**
 * The price after the update must still be one the provider accepts and its lines must still itemize it: lines
 * priced for the old amount or currency are not kept silently under a new one.
 */
function assertPriceHolds(deps: OperationDeps, payment: Payment, edits: PaymentEdits, changed: readonly string[]): void {
  if (!changed.includes("amount") && !changed.includes("currency") && !changed.includes("lineItems")) return;
  const amount = edits.amount ?? payment.amount;
  const currency = edits.currency ?? payment.currency;
  assertProviderAccepts(deps, { provider: payment.provider, currency, amount, captureMethod: payment.captureMethod });
  const lineItems = edits.lineItems ?? payment.lineItems;
  if (changed.includes("currency") && edits.lineItems === undefined && lineItems.length > 0) {
    throw new PaymentError("invalid_amount", "this payment is itemized: a new currency needs the new lines (a new fare quote's)", {
      details: { field: "lineItems" },
    });
  }
  assertLineItemsAddUp(lineItems, amount);
}

/** Phase 1 (and the whole operation): status rule, price rule, compare-and-set, history row and event together. */
function claimUpdate(deps: OperationDeps, paymentId: string, params: UpdateParams): ClaimStep {
  return async (tx, actor) => {
    const payment = await loadPayment(tx, paymentId);
    const edits = resolveEdits(payment, params);
    const changed = changedFields(payment, edits);
    if (changed.length === 0) return { kind: "done", paymentId, value: { payment } };
    assertEditable(payment, changed);
    assertPriceHolds(deps, payment, edits, changed);
    const updated = await persistTransition(tx, payment, editPayment(payment, edits, changed, deps.applyContext(actor, "updated")));
    return { kind: "done", paymentId, value: { payment: updated } };
  };
}
