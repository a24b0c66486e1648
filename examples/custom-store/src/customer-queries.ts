import { clampPageLimit, decodePageCursor, encodePageCursor, matchesCustomerFilter, normalizeCustomerFilter } from "@org/payments-core";
import type { Customer, CustomerFilter, Page, PageRequest, SavedPaymentMethod } from "@org/payments-core";
import { exactCustomer, exactSavedPaymentMethod } from "./exact-amounts.js";
import type { StoreFile } from "./store-file.js";

/**
 * Reads of the file's customers and their saved methods. As for payments and disputes, core says what a filter means
 * (`normalizeCustomerFilter`, `matchesCustomerFilter`), how big a page is and what a cursor looks like.
 */

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function getCustomer(data: StoreFile, id: string): Customer | null {
  const customer = data.customers.find((c) => c.id === id);
  return customer ? exactCustomer(customer) : null;
}

/** Newest first by id, one page at a time. */
export function listCustomers(data: StoreFile, filter: CustomerFilter, page: PageRequest): Page<Customer> {
  // Checked before anything is read: a bad cursor or filter is refused even when there are no customers.
  const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
  const normalized = normalizeCustomerFilter(filter);
  // null: the filter holds text no customer can hold, so nothing matches.
  if (normalized === null) return { items: [], nextCursor: null };
  const limit = clampPageLimit(page.limit);
  const matching = data.customers
    .filter((c) => matchesCustomerFilter(c, normalized) && (after === undefined || c.id < after))
    .sort((a, b) => compareText(b.id, a.id));
  const items = matching.slice(0, limit).map(exactCustomer);
  const last = items.at(-1);
  return { items, nextCursor: matching.length > limit && last ? encodePageCursor(last.id) : null };
}

export function getSavedPaymentMethod(data: StoreFile, id: string): SavedPaymentMethod | null {
  const method = data.savedPaymentMethods.find((m) => m.id === id);
  return method ? exactSavedPaymentMethod(method) : null;
}

/** Every saved method of the customer, whatever its status, oldest first (ids sort by creation time). */
export function listSavedPaymentMethods(data: StoreFile, customerId: string): SavedPaymentMethod[] {
  return data.savedPaymentMethods
    .filter((m) => m.customerId === customerId)
    .sort((a, b) => compareText(a.id, b.id))
    .map(exactSavedPaymentMethod);
}
