import { PaymentError } from "@org/payments-core";

/**
 * Checked conversions between what a driver returns and what the port promises. Drivers disagree (pg returns int8
 * as a string, better-sqlite3 in safe-integer mode returns bigint), and a value that cannot be represented exactly
 * must fail loudly rather than turn into a slightly different amount of money.
 */

/**
 * The error for a stored value the domain cannot accept. It names the column, never the value: row data (a
 * description, metadata, an amount) must not travel into logs or error bodies.
 */
export function badData(column: string, _value: unknown, why: string): PaymentError {
  return new PaymentError("internal", `stored ${column} is unusable: ${why}`, { details: { column } });
}

const INTEGER_TEXT = /^-?\d+$/;

/** Reads a 64-bit integer column; throws unless the value is a safe integer. Never `parseFloat`. */
export function readInteger(value: unknown, column: string): number {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value;
    throw badData(column, value, "not a safe integer");
  }
  if (typeof value === "bigint") {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
    throw badData(column, value, "beyond Number.MAX_SAFE_INTEGER");
  }
  if (typeof value === "string" && INTEGER_TEXT.test(value)) {
    // Going through BigInt keeps the range check exact for long digit strings.
    return readInteger(BigInt(value), column);
  }
  throw badData(column, value, "not an integer");
}

/**
 * Reads an aggregate exactly, as bigint: PostgreSQL's SUM over bigint is numeric (a digit string here), SQLite's is
 * a 64-bit integer (bigint in safe-integer mode). A float or a fraction is refused, never rounded.
 */
export function readExactSum(value: unknown, column: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && INTEGER_TEXT.test(value)) return BigInt(value);
  throw badData(column, value, "not an exact integer sum");
}

export function readNullableInteger(value: unknown, column: string): number | null {
  return value === null || value === undefined ? null : readInteger(value, column);
}

/** Guards a write: the databases hold 64-bit integers, the domain only ever safe integers. */
export function writeInteger(value: number, column: string): number {
  if (!Number.isSafeInteger(value)) throw badData(column, value, "not a safe integer");
  return value;
}

const CANONICAL_TIMESTAMP = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;

/** The canonical shape names a real instant (no 31 April, no hour 24): cheap field checks, no Date. */
function isRealUtcInstant(value: string): boolean {
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || Number(value.slice(11, 13)) > 23 || Number(value.slice(14, 16)) > 59 || Number(value.slice(17, 19)) > 59) return false;
  if (day <= 28) return true;
  const year = Number(value.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/**
 * Normalizes an ISO-8601 timestamp to `YYYY-MM-DDTHH:mm:ss.sssZ`. SQLite stores it as TEXT, where lexicographic
 * order is time order only if every value has this exact shape; PostgreSQL parses it into timestamptz.
 */
export function writeTimestamp(value: string, column: string): string {
  // Already canonical (what the core's clock writes, on every write of every charge): skip the Date round trip.
  if (typeof value === "string" && CANONICAL_TIMESTAMP.test(value) && isRealUtcInstant(value)) return value;
  const date = new Date(value);
  if (typeof value !== "string" || Number.isNaN(date.getTime())) throw badData(column, value, "not an ISO-8601 timestamp");
  return date.toISOString();
}

export function writeNullableTimestamp(value: string | null | undefined, column: string): string | null {
  return value === null || value === undefined ? null : writeTimestamp(value, column);
}

/** pg returns timestamptz as a Date (or a string when the host installed its own type parser); SQLite returns TEXT. */
export function readTimestamp(value: unknown, column: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badData(column, value, "invalid date");
    return value.toISOString();
  }
  if (typeof value === "string") return writeTimestamp(value, column);
  throw badData(column, value, "not a timestamp");
}

export function readNullableTimestamp(value: unknown, column: string): string | null {
  return value === null || value === undefined ? null : readTimestamp(value, column);
}

export function readString(value: unknown, column: string): string {
  if (typeof value === "string") return value;
  throw badData(column, value, "not text");
}

export function readNullableString(value: unknown, column: string): string | null {
  return value === null || value === undefined ? null : readString(value, column);
}

export function readBoolean(value: unknown, column: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 0n) return false;
  if (value === 1 || value === 1n) return true;
  throw badData(column, value, "not a boolean");
}

/** One of `allowed`, or a loud failure: an unknown status must never flow into the state machine. */
export function readEnum<T extends string>(value: unknown, allowed: readonly T[], column: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw badData(column, value, `not one of ${allowed.join(", ")}`);
}

/** JSON is written as text on both dialects (pg would turn a JS array into a PostgreSQL array literal). */
export function writeJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw badData("json", value, "not JSON-serializable");
  return text;
}

export function writeNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : writeJson(value);
}

/** Parses a JSON column stored as text. */
export function parseJsonText(value: unknown, column: string): unknown {
  if (typeof value !== "string") throw badData(column, value, "not JSON text");
  try {
    return JSON.parse(value) as unknown;
  } catch (cause) {
    throw new PaymentError("internal", `stored ${column} is not valid JSON`, { cause, details: { column } });
  }
}

export function readStringRecord(value: unknown, column: string): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw badData(column, value, "not an object");
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") throw badData(`${column}.${key}`, entry, "not a string");
  }
  return value as Record<string, string>;
}
