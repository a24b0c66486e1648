import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import type { Page, PageRequest } from "./queries.js";

/** Customers and their saved payment methods inside one transaction. */
export interface CustomersTx {
  getCustomer(id: string): Promise<Customer | null>;
  /** Inserts a new customer (version 1); a duplicate id is refused with `conflict` and changes nothing. */
  insertCustomer(customer: Customer): Promise<void>;
  /** Compare-and-set on `version`, as for payments: the stored customer, or null when another change came first. */
  updateCustomer(next: Customer, expectedVersion: number): Promise<Customer | null>;
  getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null>;
  /**
   * Inserts a new saved method (version 1) of a customer the store holds; a duplicate id is refused with `conflict`
   * and changes nothing.
   */
  insertSavedPaymentMethod(method: SavedPaymentMethod): Promise<void>;
  /** Compare-and-set on `version`. */
  updateSavedPaymentMethod(next: SavedPaymentMethod, expectedVersion: number): Promise<SavedPaymentMethod | null>;
}

/** Which customers a list returns; all given fields must hold. */
export interface CustomerFilter {
  owner?: string | undefined;
  /** Exactly as stored (no case folding, as for payments' customerEmail). */
  email?: string | undefined;
  /** true: only deleted customers; false: only live ones; absent: both. */
  deleted?: boolean | undefined;
}

/** Reads of customers outside a transaction. */
export interface CustomerReads {
  getCustomer(id: string): Promise<Customer | null>;
  /**
   * Newest first (by id), one page at a time; an unknown filter field is a `validation_error` naming it, a bad
   * cursor `invalid_cursor`, text no customer can hold an empty page — as for payments.
   */
  listCustomers(filter: CustomerFilter, page: PageRequest): Promise<Page<Customer>>;
  getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null>;
  /** Every saved method of the customer, whatever its status, oldest first. */
  listSavedPaymentMethods(customerId: string): Promise<SavedPaymentMethod[]>;
}
