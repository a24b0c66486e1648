import type { Payment } from "../domain/payment.js";
import type { PaymentFilter, StatsFilter } from "../ports/payment-store.js";

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
  if (filter.reference !== undefined && payment.references[filter.reference.key] !== filter.reference.value) return false;
  if (
    filter.authorizationExpiresBefore !== undefined &&
    (payment.authorizationExpiresAt === null || payment.authorizationExpiresAt >= filter.authorizationExpiresBefore)
  ) {
    return false;
  }
  return true;
}
