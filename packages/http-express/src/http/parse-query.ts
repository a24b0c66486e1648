import { PaymentError, assertWindow, createPaymentSchema, parseInstant, textProblem, validationErrorOf, zodIssues } from "@org/payments-core";
import type { z } from "zod";

/**
 * Query parameters become typed values here, before anything reaches the service or a store: a parameter no
 * payment could match is refused with a 400 naming it, the same way on every store, instead of letting one
 * database refuse it with a 500 while another answers an empty page.
 */

/** Validates a query string with zod; unknown parameters and repeated ones are refused, not ignored. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw validationErrorOf("query", zodIssues(parsed.error, { unknownKeyMessage: "is not a parameter of this route" }));
  return parsed.data;
}

/**
 * A window in the forms the CLI accepts (a date, meaning midnight UTC, or an ISO 8601 time with a zone), checked
 * against the calendar, start before end; returned as ISO instants for the store.
 */
export function parseWindow(
  start: string | undefined,
  end: string | undefined,
  fields: { from: string; to: string },
): { from: string | undefined; to: string | undefined } {
  const from = start === undefined ? undefined : parseInstant(start, fields.from);
  const to = end === undefined ? undefined : parseInstant(end, fields.to);
  assertWindow(from, to, fields);
  return { from: from?.toISOString(), to: to?.toISOString() };
}

/**
 * Cursors are the store's and opaque; the router refuses only what no store issues (controls, whitespace, a card
 * number, more than 4096 characters) and leaves the rest to the store, which answers `invalid_cursor` too.
 */
export function parseCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (textProblem(cursor, { min: 1, max: 4096, refuseCardNumbers: "identifier" }) !== null || /\s/.test(cursor)) {
    throw new PaymentError("invalid_cursor", "cursor was not issued by this list: pass back a nextCursor unchanged, or omit it for the first page", {
      details: { field: "cursor" },
    });
  }
  return cursor;
}

/** `reference=key:value` (split at the first colon), held to the rules of the references a payment is created with. */
export function parseReference(reference: string | undefined): { key: string; value: string } | undefined {
  return parseEntry(reference, "reference", createPaymentSchema.shape.references);
}

/** `metadata=key:value` (split at the first colon), held to the rules of the metadata a payment is created with. */
export function parseMetadataEntry(metadata: string | undefined): { key: string; value: string } | undefined {
  return parseEntry(metadata, "metadata", createPaymentSchema.shape.metadata);
}

/** `key:value`, split at the first colon, the pair checked as a one-entry record under `record`'s rules. */
function parseEntry(text: string | undefined, path: string, record: z.ZodType): { key: string; value: string } | undefined {
  if (text === undefined) return undefined;
  const colon = text.indexOf(":");
  const key = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (colon < 1 || value.length === 0) throw validationErrorOf("query", [{ path, message: "must be key:value" }]);
  const parsed = record.safeParse(Object.fromEntries([[key, value]]));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path, message: issue.message }));
    throw validationErrorOf("query", issues);
  }
  return { key, value };
}
