import { z } from "zod";
import { createdRecords } from "../../domain/state-machine.js";
import { type LineItem, type Payment, newPendingPayment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import { normalizeCurrency } from "../../money/money.js";
import { acceptableString } from "../../validation/text-schema.js";
import { freeText, lineItemSchema, metadata, paymentMethodIdSchema, references, shortText } from "./input-fields.js";
import type { ClaimStep, OperationContext, OperationDeps, PaymentResult } from "./operation.js";
import { parseInput } from "./parse-input.js";
import { resolveSavedCharge } from "../customers/charge-saved-method.js";

/*
 * Create: a pending payment. No money moves and no gateway is called, so it has a claim step and no settle step;
 * what the provider will accept (currency, minimum, manual capture) is checked here, before anything is stored.
 */

export const createPaymentSchema = z
  .object({
    owner: shortText,
    amount: z.number(),
    currency: z.string(),
    provider: acceptableString({ min: 1, max: 50, refuseCardNumbers: "identifier" }).optional(),
    captureMethod: z.enum(["automatic", "manual"]).optional(),
    paymentMethodId: paymentMethodIdSchema.optional(),
    checkoutSessionId: shortText.optional(),
    customerId: shortText.optional(),
    customerEmail: acceptableString({ max: 254, refuseCardNumbers: "identifier" }).pipe(z.email()).optional(),
    description: freeText(1000).optional(),
    references: references.optional(),
    metadata: metadata.optional(),
    lineItems: z.array(lineItemSchema).max(100).optional(),
    /**
     * Charge a saved method without the customer present: `customerId` names our customer, `paymentMethodId` one of
     * its saved methods (`spm_…`, else its default), and the provider is that method's.
     */
    offSession: z.boolean().optional(),
  })
  .strict();
export type CreatePaymentInput = z.input<typeof createPaymentSchema>;
type CreateParams = z.output<typeof createPaymentSchema>;

/** Creates a pending payment. No money moves until `confirmPayment`. */
export async function createPayment(deps: OperationDeps, input: CreatePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
  const parsed = parseInput(createPaymentSchema, input, [{ field: "amount", optional: false }]);
  const currency = normalizeCurrency(parsed.currency);
  const provider = parsed.provider ?? deps.defaultProvider;
  const captureMethod = parsed.captureMethod ?? "automatic";
  // An off-session payment's provider is its saved method's, known in the claim; the others are checked now.
  if (parsed.offSession !== true) assertProviderAccepts(deps, { provider, currency, amount: parsed.amount, captureMethod });
  const lineItems = parsed.lineItems ?? [];
  assertLineItemsAddUp(lineItems, parsed.amount);
  const params = { ...parsed, currency, provider, captureMethod };
  const result = await deps.run<{ payment: Payment }>(
    "payment.create",
    params,
    ctx,
    claimCreate(deps, { ...parsed, currency, provider, captureMethod, lineItems, requestedProvider: parsed.provider }),
  );
  return { payment: result.value.payment, replayed: result.replayed };
}

/** What the payment's provider must accept for it, known from its capabilities without asking it. */
export function assertProviderAccepts(
  deps: OperationDeps,
  request: { provider: string; currency: string; amount: number; captureMethod: "automatic" | "manual" },
): void {
  const { provider, currency, amount, captureMethod } = request;
  const { currencies, minimumAmounts, manualCapture } = deps.gatewayFor(provider).capabilities;
  if (currencies !== "any" && !currencies.includes(currency)) {
    throw new PaymentError("currency_not_supported", `${provider} does not accept ${currency}`, { details: { currency, provider } });
  }
  const minimum = minimumAmounts[currency] ?? 1;
  if (amount < minimum) {
    throw new PaymentError("amount_too_small", `${provider} requires at least ${minimum} minor units of ${currency}`, {
      details: { minimum, currency, provider },
    });
  }
  if (captureMethod === "manual" && !manualCapture) {
    throw new PaymentError("validation_error", `${provider} does not support manual capture`, { details: { provider } });
  }
}

/** Line items, when given, itemize the amount exactly: charges and taxes less discounts. */
export function assertLineItemsAddUp(lineItems: readonly LineItem[], amount: number): void {
  if (lineItems.length === 0) return;
  const sum = lineItems.reduce((s, l) => s + (l.kind === "discount" ? -l.amount : l.amount), 0);
  if (sum !== amount) {
    throw new PaymentError("invalid_amount", `line items add up to ${sum}, not the amount ${amount}`, {
      details: { field: "lineItems", sum, amount },
    });
  }
}

/** Phase 1 (and the whole operation): the new payment, its first history row and `payment.created`. */
function claimCreate(
  deps: OperationDeps,
  params: CreateParams & {
    currency: string;
    provider: string;
    captureMethod: "automatic" | "manual";
    lineItems: LineItem[];
    /** The provider the caller named, if any: an off-session payment's is its saved method's. */
    requestedProvider: string | undefined;
  },
): ClaimStep {
  return async (tx, actor) => {
    const at = deps.now().toISOString();
    let fields = params;
    if (params.offSession === true) {
      const saved = await resolveSavedCharge(tx, { owner: params.owner, customerId: params.customerId, paymentMethodId: params.paymentMethodId, provider: params.requestedProvider });
      fields = { ...params, customerId: saved.customerId, paymentMethodId: saved.method.id, provider: saved.method.provider };
      assertProviderAccepts(deps, { provider: fields.provider, currency: fields.currency, amount: fields.amount, captureMethod: fields.captureMethod });
    }
    const payment = newPendingPayment({ ...fields, id: deps.newId("pay"), createdAt: at });
    const records = createdRecords(payment, { ...deps.applyContext(actor, "created"), at });
    await tx.insertPayment(payment);
    await tx.appendHistory([records.history]);
    await tx.appendOutbox(records.events);
    return { kind: "done", paymentId: payment.id, value: { payment } };
  };
}
