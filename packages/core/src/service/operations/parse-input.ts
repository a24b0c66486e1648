import type { z } from "zod";
import { PaymentError } from "../../errors/index.js";
import { assertMinorUnits, normalizeCurrency } from "../../money/money.js";
import { validationErrorOf, zodIssues } from "../../validation/zod-issues.js";

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
