import { PaymentError } from "@org/payments-core";

/**
 * What of an error may be logged. Database drivers copy the client's row data into their errors: PostgreSQL's
 * `where` quotes the JSON it could not parse, `detail` the duplicate key, the message the value out of range
 * ("value "4242…" is out of range"); pg and kysely add the `query` and its `parameters`; better-sqlite3 quotes the
 * SQL near a syntax error. So a driver error is logged by its names only — code, constraint, table, schema,
 * column — and never its message. Our own PaymentErrors keep their message (we wrote it) but only the name-like
 * parts of `details` (a `value` there is row data too).
 */
const NAME_FIELDS = ["code", "errno", "syscall", "severity", "constraint", "table", "schema", "column", "dataType", "routine"] as const;
const DETAIL_NAME_FIELDS = [...NAME_FIELDS, "field", "problem", "header", "paymentId"] as const;
const MAX_CAUSE_DEPTH = 4;

function pick(source: object, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (source as Record<string, unknown>)[field];
    if (typeof value === "string" || typeof value === "number") picked[field] = value;
  }
  return picked;
}

/** pg's DatabaseError (a SQLSTATE code and a severity) and better-sqlite3's SqliteError. */
export function isDriverError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (error.name === "SqliteError" || error.constructor?.name === "DatabaseError") return true;
  if (typeof code !== "string") return false;
  return code.startsWith("SQLITE_") || (/^[0-9A-Z]{5}$/.test(code) && "severity" in error);
}

/** The error's name; pg names its errors just "error", so its class name is used there. */
function typeOf(error: Error): string {
  if (error.name && error.name !== "error") return error.name;
  return error.constructor?.name || "Error";
}

/** A plain, loggable summary of `error` and its causes. */
export function summarizeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error, value: typeof error === "string" ? error : "[not an Error]" };
  const summary: Record<string, unknown> = { type: typeOf(error) };
  if (error instanceof PaymentError) {
    Object.assign(summary, { code: error.code, message: error.message });
    if (error.declineCode !== undefined) summary.declineCode = error.declineCode;
    if (error.details) summary.details = pick(error.details, DETAIL_NAME_FIELDS);
    if (error.stack) summary.stack = error.stack;
  } else if (isDriverError(error)) {
    Object.assign(summary, pick(error, NAME_FIELDS));
  } else {
    Object.assign(summary, pick(error, NAME_FIELDS), { message: error.message });
    if (error.stack) summary.stack = error.stack;
  }
  if (depth < MAX_CAUSE_DEPTH) {
    if (error.cause !== undefined) summary.cause = summarizeError(error.cause, depth + 1);
    if (error instanceof AggregateError) summary.errors = error.errors.slice(0, 10).map((inner: unknown) => summarizeError(inner, depth + 1));
  }
  return summary;
}
