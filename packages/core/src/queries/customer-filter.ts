import type { Customer } from "../domain/customer.js";
import { PaymentError } from "../errors/index.js";
import type { CustomerFilter } from "../ports/payment-store.js";
import { isMatchableText } from "../validation/storable-text.js";

/** Every field a `CustomerFilter` may hold; any other key is refused, never ignored. */
export const CUSTOMER_FILTER_FIELDS = ["owner", "email", "deleted"] as const satisfies ReadonlyArray<keyof CustomerFilter>;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(CUSTOMER_FILTER_FIELDS);

function refuse(field: string, message: string): PaymentError {
  return new PaymentError("validation_error", message, { details: { field } });
}

/** The meaning of a `CustomerFilter`, in code: what every store's query must agree with. */
export function matchesCustomerFilter(customer: Customer, filter: CustomerFilter): boolean {
  if (filter.owner !== undefined && customer.owner !== filter.owner) return false;
  if (filter.email !== undefined && customer.email !== filter.email) return false;
  if (filter.deleted !== undefined && (customer.deletedAt !== null) !== filter.deleted) return false;
  return true;
}

/**
 * What every store does with a customer filter before using it: an unknown field, a text field that is not text or
 * a `deleted` that is not a boolean is a `validation_error` naming it; null when some text could not be held by any
 * customer (the list is then empty on every store).
 */
export function normalizeCustomerFilter<F extends CustomerFilter>(filter: F): F | null {
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined && !KNOWN_FIELDS.has(key)) throw refuse(`filter.${key}`, `filter.${key} is not a customer filter`);
  }
  if (filter.deleted !== undefined && typeof filter.deleted !== "boolean") throw refuse("filter.deleted", "filter.deleted must be true or false");
  for (const field of ["owner", "email"] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    if (typeof value !== "string") throw refuse(`filter.${field}`, `filter.${field} must be text`);
    if (!isMatchableText(value)) return null;
  }
  return { ...filter };
}
