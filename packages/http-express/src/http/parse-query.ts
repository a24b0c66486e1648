import { PaymentError } from "@org/payments-core";
import type { z } from "zod";

/** Validates a query string with zod; unknown parameters and repeated ones are refused, not ignored. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new PaymentError("validation_error", `invalid query: ${issues.map((i) => `${i.path || "query"} ${i.message}`).join("; ")}`, {
      details: { issues },
    });
  }
  return parsed.data;
}
