import { validationErrorOf, zodIssues } from "../validation/zod-issues.js";
import { z } from "zod";
import { PaymentError } from "../errors/index.js";
import { assertMinorUnits, normalizeCurrency } from "../money/money.js";
import { containsCardNumber } from "../validation/card-data.js";
import { acceptableRecord, acceptableString } from "../validation/text-schema.js";

/** Identifiers and names: one line, never holding a card network's number. */
const shortText = acceptableString({ min: 1, max: 200, refuseCardNumbers: "identifier" });
/** Text a person writes (descriptions, reasons): may span lines, never holds a card number. */
const freeText = (max: number) => acceptableString({ max, multiline: true, refuseCardNumbers: true });
/** Business references (booking, order, trip): identifiers. */
const references = acceptableRecord({ keyMax: 64, valueMax: 500, maxEntries: 50, values: "identifier" });
/** Free-form metadata: free text, as Stripe's rule for metadata (no card data) says. */
const metadata = acceptableRecord({ keyMax: 64, valueMax: 500, maxEntries: 50, values: "free_text" });
/** Where the provider sends the customer back: http(s) only (never `javascript:`), no card number in it. */
const redirectUrl = acceptableString({ max: 2000, refuseCardNumbers: true }).pipe(z.url({ protocol: /^https?$/ }));

/**
 * A provider's payment method token (`pm_card_visa`, `pm_1Q…`, `tok_…`): letters, digits and `_ - . :` only. A
 * card number is refused with its own message, and the value is never repeated back.
 */
export const paymentMethodIdSchema = z
  .string()
  .min(1)
  .max(200)
  .superRefine((value, ctx) => {
    if (containsCardNumber(value)) {
      ctx.addIssue({ code: "custom", message: "must be a payment method token from the provider, never a card number" });
    } else if (!/^[A-Za-z0-9_.:-]+$/.test(value)) {
      ctx.addIssue({ code: "custom", message: "must be a payment method token (letters, digits and _ - . : only)" });
    }
  });

export const lineItemSchema = z
  .object({
    code: acceptableString({ min: 1, max: 64, refuseCardNumbers: "identifier" }),
    description: acceptableString({ min: 1, max: 200, refuseCardNumbers: true }),
    amount: z.number().int().nonnegative().refine(Number.isSafeInteger, "must be a safe integer"),
    kind: z.enum(["charge", "discount", "tax"]).optional(),
    quantity: acceptableString({ max: 64 }).optional(),
  })
  .strict();

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
    customerEmail: acceptableString({ max: 254 }).pipe(z.email()).optional(),
    description: freeText(1000).optional(),
    references: references.optional(),
    metadata: metadata.optional(),
    lineItems: z.array(lineItemSchema).max(100).optional(),
  })
  .strict();
export type CreatePaymentInput = z.input<typeof createPaymentSchema>;

export const confirmPaymentSchema = z
  .object({
    paymentMethodId: paymentMethodIdSchema.optional(),
    returnUrl: redirectUrl.optional(),
    cancelUrl: redirectUrl.optional(),
  })
  .strict();
export type ConfirmPaymentInput = z.input<typeof confirmPaymentSchema>;

export const capturePaymentSchema = z.object({ amount: z.number().optional() }).strict();
export type CapturePaymentInput = z.input<typeof capturePaymentSchema>;

export const cancelPaymentSchema = z.object({ reason: freeText(500).pipe(z.string().min(1)).optional() }).strict();
export type CancelPaymentInput = z.input<typeof cancelPaymentSchema>;

export const refundPaymentSchema = z
  .object({ amount: z.number().optional(), reason: freeText(500).pipe(z.string().trim().min(1, "a refund needs a reason")) })
  .strict();
export type RefundPaymentInput = z.input<typeof refundPaymentSchema>;

/**
 * Parses with zod into a `validation_error` listing every issue. Amount fields are checked first and separately,
 * so a float or a string amount is always `invalid_amount`, whatever else is wrong.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  amountFields: Array<{ field: string; optional: boolean }> = [],
): z.output<S> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new PaymentError("validation_error", "the request body must be a JSON object");
  }
  for (const { field, optional } of amountFields) {
    const value = (input as Record<string, unknown>)[field];
    if (value === undefined && optional) continue;
    assertMinorUnits(value, { field });
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw validationErrorOf("input", zodIssues(parsed.error), { wholeInput: "body" });
  }
  if ("currency" in (parsed.data as object)) normalizeCurrency((parsed.data as { currency: unknown }).currency);
  return parsed.data;
}
