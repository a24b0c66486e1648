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
  if (filter.reference !== undefined && payment.references[filter.reference.key] !== filter.reference.value) return false;
  if (
    filter.authorizationExpiresBefore !== undefined &&
    (payment.authorizationExpiresAt === null || payment.authorizationExpiresAt >= filter.authorizationExpiresBefore)
  ) {
    return false;
  }
  return true;
}

const INSTANT_FIELDS = ["createdFrom", "createdTo", "updatedFrom", "authorizationExpiresBefore"] as const;

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
  for (const text of [filter.provider, filter.owner, filter.reference?.key, filter.reference?.value]) {
    if (text !== undefined && !isMatchableText(text)) return null;
  }
  return normalized;
}
