import type { Payment } from "../domain/payment.js";
import type { PaymentFilter, StatsFilter } from "../ports/payment-store.js";
import { PaymentError } from "../errors/index.js";
import { parseInstant } from "../validation/instant.js";
import { isMatchableText } from "../validation/storable-text.js";

/** The meaning of a `PaymentFilter`, in code: what every store's query must agree with. */
export function matchesFilter(payment: Payment, filter: PaymentFilter & StatsFilter): boolean {
  if (filter.status !== undefined) {
    const statuses: readonly string[] = typeof filter.status === "string" ? [filter.status] : filter.status;
    if (!statuses.includes(payment.status)) return false;
  }
  if (filter.provider !== undefined && payment.provider !== filter.provider) return false;
  if (filter.owner !== undefined && payment.owner !== filter.owner) return false;
  if (filter.createdFrom !== undefined && payment.createdAt < filter.createdFrom) return false;
  if (filter.createdTo !== undefined && payment.createdAt >= filter.createdTo) return false;
  if (filter.updatedFrom !== undefined && payment.updatedAt < filter.updatedFrom) return false;
  if (filter.updatedTo !== undefined && payment.updatedAt >= filter.updatedTo) return false;
  if (filter.reference !== undefined && !hasEntry(payment.references, filter.reference)) return false;
  if (filter.customerId !== undefined && payment.customerId !== filter.customerId) return false;
  if (filter.customerEmail !== undefined && payment.customerEmail !== filter.customerEmail) return false;
  if (filter.metadata !== undefined && !hasEntry(payment.metadata, filter.metadata)) return false;
  if (filter.currency !== undefined && payment.currency !== filter.currency) return false;
  if (filter.amountMin !== undefined && payment.amount < filter.amountMin) return false;
  if (filter.amountMax !== undefined && payment.amount > filter.amountMax) return false;
  if (filter.disputed !== undefined && payment.disputed !== filter.disputed) return false;
  if (
    filter.authorizationExpiresBefore !== undefined &&
    (payment.authorizationExpiresAt === null || payment.authorizationExpiresAt >= filter.authorizationExpiresBefore)
  ) {
    return false;
  }
  return true;
}

/** An own entry of the record (not one inherited from Object.prototype, which a "constructor" key would find). */
function hasEntry(record: Record<string, string>, entry: { key: string; value: string }): boolean {
  return Object.hasOwn(record, entry.key) && record[entry.key] === entry.value;
}

const INSTANT_FIELDS = ["createdFrom", "createdTo", "updatedFrom", "updatedTo", "authorizationExpiresBefore"] as const;

/** Every field a `PaymentFilter` (or a `StatsFilter`) may hold; any other key is refused, never ignored. */
export const PAYMENT_FILTER_FIELDS = [
  "status",
  "provider",
  "owner",
  "createdFrom",
  "createdTo",
  "updatedFrom",
  "updatedTo",
  "reference",
  "customerId",
  "customerEmail",
  "metadata",
  "currency",
  "amountMin",
  "amountMax",
  "disputed",
  "authorizationExpiresBefore",
] as const satisfies ReadonlyArray<keyof PaymentFilter>;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(PAYMENT_FILTER_FIELDS);

function refuse(field: string, message: string): PaymentError {
  return new PaymentError("validation_error", message, { details: { field } });
}

/** A bound on `amount`: a safe integer of minor units (a float, a string or NaN would match differently per store). */
function amountBound(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw refuse(field, `${field} must be an integer amount in minor units`);
  return value;
}

/** A `{ key, value }` pair of text (references, metadata). */
function entryFilter(value: unknown, field: string): { key: string; value: string } {
  const entry = value as { key?: unknown; value?: unknown } | null;
  if (typeof entry !== "object" || entry === null || typeof entry.key !== "string" || typeof entry.value !== "string") {
    throw refuse(field, `${field} must be { key, value } text`);
  }
  return { key: entry.key, value: entry.value };
}

const TEXT_FIELDS = ["provider", "owner", "customerId", "customerEmail", "currency"] as const;

/** A filter instant in the one shape stored timestamps have (`…T…:…:….sssZ`), so string order is time order. */
function filterInstant(value: unknown, field: string): string {
  if (typeof value !== "string") {
    throw new PaymentError("validation_error", `${field} must be an ISO 8601 time`, { details: { field } });
  }
  return parseInstant(value, field).toISOString();
}

/**
 * What every store does with a filter before using it: instants are checked (`validation_error` naming the field
 * for one that is not a date or an ISO 8601 time) and normalized to UTC milliseconds; null when some text in the
 * filter is not text any payment could hold (NUL, a lone surrogate, a control character), so the list is empty on
 * every store instead of a driver error on one and a silent match on another.
 */
export function normalizePaymentFilter<F extends PaymentFilter & StatsFilter>(filter: F): F | null {
  for (const [key, value] of Object.entries(filter)) {
    // A key set to undefined asks for nothing, like an absent one; any other unknown key is a typo or a filter this
    // store does not have, and ignoring it would answer every payment.
    if (value !== undefined && !KNOWN_FIELDS.has(key)) throw refuse(`filter.${key}`, `filter.${key} is not a payment filter`);
  }
  const normalized: F = { ...filter };
  for (const field of INSTANT_FIELDS) {
    if (filter[field] !== undefined) normalized[field] = filterInstant(filter[field], `filter.${field}`);
  }
  if (filter.status !== undefined) {
    const statuses: readonly string[] = typeof filter.status === "string" ? [filter.status] : filter.status;
    // A status no payment can have matches nothing; the others still match.
    const matchable = statuses.filter(isMatchableText);
    if (matchable.length === 0 && statuses.length > 0) return null;
    normalized.status = matchable as F["status"];
  }
  for (const field of ["amountMin", "amountMax"] as const) {
    if (filter[field] !== undefined) normalized[field] = amountBound(filter[field], `filter.${field}`);
  }
  if (filter.disputed !== undefined && typeof filter.disputed !== "boolean") throw refuse("filter.disputed", "filter.disputed must be true or false");
  for (const field of TEXT_FIELDS) {
    if (filter[field] !== undefined && typeof filter[field] !== "string") throw refuse(`filter.${field}`, `filter.${field} must be text`);
  }
  for (const field of ["reference", "metadata"] as const) {
    if (filter[field] !== undefined) normalized[field] = entryFilter(filter[field], `filter.${field}`);
  }
  const texts = [
    ...TEXT_FIELDS.map((field) => filter[field]),
    normalized.reference?.key,
    normalized.reference?.value,
    normalized.metadata?.key,
    normalized.metadata?.value,
  ];
  for (const text of texts) {
    if (text !== undefined && !isMatchableText(text)) return null;
  }
  return normalized;
}
