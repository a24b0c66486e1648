import { z } from "zod";
import { containsCardNumber } from "../../validation/card-data.js";
import { acceptableRecord, acceptableString } from "../../validation/text-schema.js";

/*
 * The request fields several operations share, each with its rule. Each operation declares its own input schema
 * from these, in its own file (create-payment.ts, confirm-payment.ts, ...).
 */

/** Identifiers and names: one line, never holding a card network's number. */
export const shortText = acceptableString({ min: 1, max: 200, refuseCardNumbers: "identifier" });
/** Text a person writes (descriptions, reasons): may span lines, never holds a card number. */
export const freeText = (max: number) => acceptableString({ max, multiline: true, refuseCardNumbers: true });
/** Business references (booking, order, trip): identifiers. */
export const references = acceptableRecord({ keyMax: 64, valueMax: 500, maxEntries: 50, values: "identifier" });
/** Free-form metadata: free text, as Stripe's rule for metadata (no card data) says. */
export const metadata = acceptableRecord({ keyMax: 64, valueMax: 500, maxEntries: 50, values: "free_text" });
/** Where the provider sends the customer back: http(s) only (never `javascript:`), no card number in it. */
export const redirectUrl = acceptableString({ max: 2000, refuseCardNumbers: true }).pipe(z.url({ protocol: /^https?$/ }));

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
