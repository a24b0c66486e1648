import { z } from "zod";
import { PaymentError } from "../errors.js";
import { assertMinorUnits, normalizeCurrency } from "../money/money.js";

const shortText = z.string().min(1).max(200);
const stringMap = z.record(z.string().min(1).max(64), z.string().max(500)).refine((m) => Object.keys(m).length <= 50, {
  message: "at most 50 entries",
});

export const lineItemSchema = z
  .object({
    code: z.string().min(1).max(64),
    description: z.string().min(1).max(200),
    amount: z.number().int().nonnegative().refine(Number.isSafeInteger, "must be a safe integer"),
    kind: z.enum(["charge", "discount", "tax"]).optional(),
    quantity: z.string().max(64).optional(),
  })
  .strict();

export const createPaymentSchema = z
  .object({
    owner: shortText,
    amount: z.number(),
    currency: z.string(),
    provider: z.string().min(1).max(50).optional(),
    captureMethod: z.enum(["automatic", "manual"]).optional(),
    paymentMethodId: shortText.optional(),
    checkoutSessionId: shortText.optional(),
    customerId: shortText.optional(),
    customerEmail: z.email().max(254).optional(),
    description: z.string().max(1000).optional(),
    references: stringMap.optional(),
    metadata: stringMap.optional(),
    lineItems: z.array(lineItemSchema).max(100).optional(),
  })
  .strict();
export type CreatePaymentInput = z.input<typeof createPaymentSchema>;

export const confirmPaymentSchema = z
  .object({
    paymentMethodId: shortText.optional(),
    returnUrl: z.url().max(2000).optional(),
    cancelUrl: z.url().max(2000).optional(),
  })
  .strict();
export type ConfirmPaymentInput = z.input<typeof confirmPaymentSchema>;

export const capturePaymentSchema = z.object({ amount: z.number().optional() }).strict();
export type CapturePaymentInput = z.input<typeof capturePaymentSchema>;

export const cancelPaymentSchema = z.object({ reason: z.string().min(1).max(500).optional() }).strict();
export type CancelPaymentInput = z.input<typeof cancelPaymentSchema>;

export const refundPaymentSchema = z
  .object({ amount: z.number().optional(), reason: z.string().trim().min(1, "a refund needs a reason").max(500) })
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
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new PaymentError("validation_error", `invalid input: ${issues.map((i) => `${i.path || "body"} ${i.message}`).join("; ")}`, {
      details: { issues },
    });
  }
  if ("currency" in (parsed.data as object)) normalizeCurrency((parsed.data as { currency: unknown }).currency);
  return parsed.data;
}
