import { DISPUTE_STATUSES, type Dispute, type DisputeStatus } from "../domain/dispute.js";
import { PaymentError } from "../errors/index.js";
import type { DisputeFilter } from "../ports/payment-store.js";
import { parseInstant } from "../validation/instant.js";
import { isMatchableText } from "../validation/storable-text.js";

/** Every field a `DisputeFilter` may hold; any other key is refused, never ignored. */
export const DISPUTE_FILTER_FIELDS = [
  "status",
  "provider",
  "paymentId",
  "currency",
  "openedFrom",
  "openedTo",
  "evidenceDueBefore",
] as const satisfies ReadonlyArray<keyof DisputeFilter>;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(DISPUTE_FILTER_FIELDS);
const INSTANT_FIELDS = ["openedFrom", "openedTo", "evidenceDueBefore"] as const;
const TEXT_FIELDS = ["provider", "paymentId", "currency"] as const;

function refuse(field: string, message: string): PaymentError {
  return new PaymentError("validation_error", message, { details: { field } });
}

/** The meaning of a `DisputeFilter`, in code: what every store's query must agree with. */
export function matchesDisputeFilter(dispute: Dispute, filter: DisputeFilter): boolean {
  if (filter.status !== undefined) {
    const statuses: readonly string[] = typeof filter.status === "string" ? [filter.status] : filter.status;
    if (!statuses.includes(dispute.status)) return false;
  }
  if (filter.provider !== undefined && dispute.provider !== filter.provider) return false;
  if (filter.paymentId !== undefined && dispute.paymentId !== filter.paymentId) return false;
  if (filter.currency !== undefined && dispute.currency !== filter.currency) return false;
  if (filter.openedFrom !== undefined && dispute.openedAt < filter.openedFrom) return false;
  if (filter.openedTo !== undefined && dispute.openedAt >= filter.openedTo) return false;
  if (filter.evidenceDueBefore !== undefined && (dispute.evidenceDueBy === null || dispute.evidenceDueBy >= filter.evidenceDueBefore)) return false;
  return true;
}

/**
 * What every store does with a dispute filter before using it, as `normalizePaymentFilter` does for payments: an
 * unknown field, a status no dispute has, or an instant that is not ISO 8601 is a `validation_error` naming the
 * field; instants are normalized to UTC milliseconds; null when some text could not be held by any dispute (the
 * list is then empty on every store).
 */
export function normalizeDisputeFilter<F extends DisputeFilter>(filter: F): F | null {
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && !KNOWN_FIELDS.has(key)) throw refuse(`filter.${key}`, `filter.${key} is not a dispute filter`);
  }
  const normalized: F = { ...filter };
  for (const field of INSTANT_FIELDS) {
    const value = filter[field];
    if (value === undefined) continue;
    if (typeof value !== "string") throw refuse(`filter.${field}`, `filter.${field} must be an ISO 8601 time`);
    normalized[field] = parseInstant(value, `filter.${field}`).toISOString();
  }
  if (filter.status !== undefined) {
    const statuses: readonly unknown[] = typeof filter.status === "string" ? [filter.status] : filter.status;
    for (const status of statuses) {
      if (!(DISPUTE_STATUSES as readonly unknown[]).includes(status)) {
        throw refuse("filter.status", `filter.status must be one of ${DISPUTE_STATUSES.join(", ")}`);
      }
    }
    normalized.status = statuses as DisputeStatus[];
  }
  for (const field of TEXT_FIELDS) {
    const value = filter[field];
    if (value === undefined) continue;
    if (typeof value !== "string") throw refuse(`filter.${field}`, `filter.${field} must be text`);
    if (!isMatchableText(value)) return null;
  }
  return normalized;
}
