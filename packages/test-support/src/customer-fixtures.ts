import type { Customer, CustomerFilter, PaymentStore, SavedPaymentMethod } from "@org/payments-core";

/**
 * Customers and saved methods for the SQL adapters' own tests (what is specific to SQL: the migration, the primary
 * keys, the indexes, the deferred writes); the port's rules are core's store contract. Both adapters use this one
 * file, so both engines are asked the same questions over the same rows.
 */

let counter = 0;
/** Ids that sort in creation order, as the stores' ULIDs do. */
function serial(): string {
  counter += 1;
  return `${Date.now().toString(36).padStart(10, "0")}${String(counter).padStart(8, "0")}`;
}

export function makeCustomer(overrides: Partial<Customer> = {}): Customer {
  const at = overrides.createdAt ?? "2026-03-01T10:00:00.000Z";
  return {
    id: `cus_${serial()}`,
    owner: "user_1",
    email: "rider@example.com",
    name: "A. Rider",
    metadata: { plan: "gold" },
    providerCustomerIds: { stripe: "cus_Q1" },
    defaultPaymentMethodId: null,
    deletedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** An active card of `customer`. */
export function makeMethod(customer: Customer, overrides: Partial<SavedPaymentMethod> = {}): SavedPaymentMethod {
  const id = serial();
  return {
    id: `spm_${id}`,
    customerId: customer.id,
    owner: customer.owner,
    provider: "stripe",
    status: "active",
    type: "card",
    brand: "visa",
    last4: "4242",
    expMonth: 12,
    expYear: 2030,
    providerPaymentMethodId: `pm_${id}`,
    providerSetupId: `seti_${id}`,
    nextAction: null,
    lastError: null,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    version: 1,
    ...overrides,
  };
}

export const SEEDED_CUSTOMERS = 3_000;
/** Ten customers per owner, one email each (a few shared), one in a hundred deleted. */
export const SEEDED_OWNER = "user_0123";
export const SEEDED_EMAIL = "c1234@example.com";
export const seededCustomerId = (index: number): string => `cus_seeded_${String(index).padStart(8, "0")}`;

/** Customers, each third with a saved card, in one transaction. */
export async function seedCustomers(store: PaymentStore): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < SEEDED_CUSTOMERS; i++) {
      const customer = makeCustomer({
        id: seededCustomerId(i),
        owner: `user_${String(i % 300).padStart(4, "0")}`,
        email: `c${i}@example.com`,
        deletedAt: i % 100 === 7 ? "2026-03-02T00:00:00.000Z" : null,
      });
      await tx.insertCustomer(customer);
      if (i % 3 === 0) await tx.insertSavedPaymentMethod(makeMethod(customer, { id: `spm_seeded_${String(i).padStart(8, "0")}` }));
    }
  });
}

/** Each filter a host pages customers by, and the index that must answer it instead of a walk of every customer. */
export const INDEXED_CUSTOMER_FILTERS: ReadonlyArray<{ name: string; filter: CustomerFilter; index: string }> = [
  { name: "owner", filter: { owner: SEEDED_OWNER }, index: "customers_owner_id" },
  { name: "email", filter: { email: SEEDED_EMAIL }, index: "customers_email_id" },
  { name: "deleted: true (the few deleted)", filter: { deleted: true }, index: "customers_deleted_id" },
  { name: "owner and deleted: false", filter: { owner: SEEDED_OWNER, deleted: false }, index: "customers_owner_id" },
];
