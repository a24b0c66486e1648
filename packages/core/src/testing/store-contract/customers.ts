import { expect } from "vitest";
import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import type { CustomerFilter, PaymentStore } from "../../ports/payment-store.js";
import { RACERS } from "../case.js";
import { sampleCustomer, sampleSavedPaymentMethod } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { expectNamesField, refusal, refusedWith } from "./refusal.js";

/** Customers and saved payment methods: what `CustomersTx` and `CustomerReads` promise (ports/store/customers.ts). */
export const CUSTOMER_CASES = {
  customerRoundTrip: "stores a customer with every field (metadata, provider customer ids, nullable fields both ways) and reads it back in and out of a transaction",
  customerUpdateGuard: "updateCustomer stores only at the expected version; of 10 concurrent updates at one version exactly one is stored",
  customerDuplicate: "a second customer with the same id is refused with conflict and changes nothing",
  customerListFilters: "lists customers newest first, each filter alone changing the result (owner, email, deleted), every page without a repeat, and refuses an unknown filter and a bad cursor",
  savedMethodRoundTrip: "stores a saved payment method with every field and lists only its customer's, oldest first",
  savedMethodUpdateGuard: "updateSavedPaymentMethod stores only at the expected version; of 10 concurrent updates exactly one is stored",
  methodOfMissingCustomer: "a saved method of a customer the store does not hold is refused with not_found and rolls its transaction back",
  customerRefusals: "refuses text no store can hold (naming the field), a non-integer expiry and a duplicate method id, storing nothing; lookups by such text find nothing",
} as const;

async function insertCustomers(store: PaymentStore, customers: readonly Customer[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const customer of customers) await tx.insertCustomer(customer);
  });
}

async function insertMethods(store: PaymentStore, methods: readonly SavedPaymentMethod[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const method of methods) await tx.insertSavedPaymentMethod(method);
  });
}

async function listedIds(store: PaymentStore, filter: CustomerFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listCustomers(filter, { limit: 2, cursor });
    ids.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

const newestFirst = (...customers: Customer[]) => customers.map((c) => c.id).sort().reverse();

export function defineCustomerCases(define: DefineCase<keyof typeof CUSTOMER_CASES>, kit: StoreUnderTest): void {
  define("customerRoundTrip", async () => {
    const { store } = kit;
    const full = sampleCustomer({
      metadata: { rider: "r-17", "plan:tier": "gold" },
      providerCustomerIds: { stripe: "cus_Q1", paypal: "vault_9" },
      defaultPaymentMethodId: "spm_default",
      deletedAt: "2026-03-02T08:00:00.000Z",
    });
    const bare = sampleCustomer({ email: null, name: null });
    await insertCustomers(store, [full, bare]);
    expect(await store.getCustomer(full.id)).toEqual(full);
    expect(await store.getCustomer(bare.id)).toEqual(bare);
    expect(await store.transaction((tx) => tx.getCustomer(full.id))).toEqual(full);
    expect(await store.getCustomer("cus_missing")).toBeNull();
  });

  define("customerUpdateGuard", async () => {
    const { store } = kit;
    const customer = sampleCustomer();
    await insertCustomers(store, [customer]);
    const renamed: Customer = { ...customer, name: "B. Rider", metadata: { a: "1" }, version: 2 };
    expect(await store.transaction((tx) => tx.updateCustomer(renamed, 1))).toEqual(renamed);
    expect(await store.transaction((tx) => tx.updateCustomer({ ...customer, name: "stale", version: 2 }, 1))).toBeNull();
    expect(await store.getCustomer(customer.id)).toEqual(renamed);
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, racer) => kit.racer(racer).transaction((tx) => tx.updateCustomer({ ...renamed, name: `racer ${racer}`, version: 3 }, 2))),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(await store.getCustomer(customer.id)).toEqual(winners[0]);
  });

  define("customerDuplicate", async () => {
    const { store } = kit;
    const customer = sampleCustomer();
    await insertCustomers(store, [customer]);
    const twin = sampleCustomer({ id: customer.id, owner: "user_2" });
    expect(await refusal(() => insertCustomers(store, [twin]), customer.id, "")).toBe("conflict");
    expect(await store.getCustomer(customer.id)).toEqual(customer);
  });

  define("customerListFilters", async () => {
    const { store } = kit;
    const mine = sampleCustomer({ owner: "user_1", email: "a@example.com" });
    const mineToo = sampleCustomer({ owner: "user_1", email: "b@example.com" });
    const deleted = sampleCustomer({ owner: "user_1", email: "a@example.com", deletedAt: "2026-03-02T00:00:00.000Z" });
    const theirs = sampleCustomer({ owner: "user_2", email: "a@example.com" });
    await insertCustomers(store, [mine, mineToo, deleted, theirs]);
    expect(await listedIds(store, {})).toEqual(newestFirst(mine, mineToo, deleted, theirs));
    expect(await listedIds(store, { owner: "user_1" })).toEqual(newestFirst(mine, mineToo, deleted));
    expect(await listedIds(store, { owner: "USER_1" })).toEqual([]);
    expect(await listedIds(store, { email: "a@example.com" })).toEqual(newestFirst(mine, deleted, theirs));
    expect(await listedIds(store, { deleted: false })).toEqual(newestFirst(mine, mineToo, theirs));
    expect(await listedIds(store, { deleted: true })).toEqual(newestFirst(deleted));
    expect(await listedIds(store, { owner: "user_1", email: "a@example.com", deleted: false })).toEqual(newestFirst(mine));
    const unknown = await refusedWith(() => store.listCustomers({ ownr: "user_1" } as CustomerFilter, { limit: 10 }), "ownr", "");
    expect(unknown.code).toBe("validation_error");
    expectNamesField(unknown, "filter.ownr", "ownr");
    expect(await refusal(() => store.listCustomers({ deleted: "yes" as never }, { limit: 10 }), "yes", "")).toBe("validation_error");
    expect(await refusal(() => store.listCustomers({}, { limit: 10, cursor: "garbage" }), "garbage")).toBe("invalid_cursor");
    for (const text of ["user\u0000", "\ud800"]) {
      expect((await store.listCustomers({ owner: text }, { limit: 10 })).items).toEqual([]);
      expect((await store.listCustomers({ email: text }, { limit: 10 })).items).toEqual([]);
    }
  });

  define("savedMethodRoundTrip", async () => {
    const { store } = kit;
    const customer = sampleCustomer();
    const other = sampleCustomer();
    await insertCustomers(store, [customer, other]);
    const pending = sampleSavedPaymentMethod(customer, {
      status: "requires_action",
      brand: null,
      last4: null,
      expMonth: null,
      expYear: null,
      providerPaymentMethodId: null,
      providerSetupId: "seti_1",
      nextAction: { type: "redirect", url: "https://bank.example/3ds/seti_1" },
    });
    const failed = sampleSavedPaymentMethod(customer, { status: "failed", lastError: { code: "card_declined", declineCode: "do_not_honor", message: "declined" } });
    const active = sampleSavedPaymentMethod(customer);
    const others = sampleSavedPaymentMethod(other);
    // Inserted out of id order: the list answers oldest id first.
    await insertMethods(store, [active, others, failed, pending]);
    expect(await store.getSavedPaymentMethod(pending.id)).toEqual(pending);
    expect(await store.transaction((tx) => tx.getSavedPaymentMethod(failed.id))).toEqual(failed);
    expect(await store.listSavedPaymentMethods(customer.id)).toEqual([pending, failed, active].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await store.listSavedPaymentMethods(other.id)).toEqual([others]);
    expect(await store.listSavedPaymentMethods("cus_missing")).toEqual([]);
  });

  define("savedMethodUpdateGuard", async () => {
    const { store } = kit;
    const customer = sampleCustomer();
    await insertCustomers(store, [customer]);
    const method = sampleSavedPaymentMethod(customer, { status: "pending", providerSetupId: "seti_2" });
    await insertMethods(store, [method]);
    const saved: SavedPaymentMethod = { ...method, status: "active", version: 2 };
    expect(await store.transaction((tx) => tx.updateSavedPaymentMethod(saved, 1))).toEqual(saved);
    expect(await store.transaction((tx) => tx.updateSavedPaymentMethod({ ...method, status: "failed", version: 2 }, 1))).toBeNull();
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, racer) =>
        kit.racer(racer).transaction((tx) => tx.updateSavedPaymentMethod({ ...saved, status: "detached", brand: `racer ${racer}`, version: 3 }, 2)),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(await store.getSavedPaymentMethod(method.id)).toEqual(winners[0]);
  });

  define("methodOfMissingCustomer", async () => {
    const { store } = kit;
    const customer = sampleCustomer();
    await insertCustomers(store, [customer]);
    const orphan = sampleSavedPaymentMethod(sampleCustomer({ id: "cus_not_stored" }));
    const renameThenInsert = () =>
      store.transaction(async (tx) => {
        await tx.updateCustomer({ ...customer, name: "renamed", version: 2 }, 1);
        await tx.insertSavedPaymentMethod(orphan);
      });
    expect(await refusal(renameThenInsert, orphan.id, "")).toBe("not_found");
    expect(await store.getSavedPaymentMethod(orphan.id)).toBeNull();
    expect(await store.getCustomer(customer.id)).toEqual(customer);
  });

  define("customerRefusals", async () => {
    const { store } = kit;
    for (const [field, value] of [
      ["name", "A.\u0000Rider"],
      ["email", "a\ud800@example.com"],
      ["owner", "user\u0007"],
    ] as const) {
      const bad = sampleCustomer({ [field]: value });
      const error = await refusedWith(() => insertCustomers(store, [bad]), value);
      expect(error.code).toBe("validation_error");
      expectNamesField(error, `customer.${field}`, value);
      expect(await store.getCustomer(bad.id)).toBeNull();
    }
    const customer = sampleCustomer();
    await insertCustomers(store, [customer]);
    const hostileKey = sampleCustomer({ metadata: { "a\u0000b": "x" } });
    expect(await refusal(() => insertCustomers(store, [hostileKey]), "a\u0000b")).toBe("validation_error");
    const method = sampleSavedPaymentMethod(customer);
    await insertMethods(store, [method]);
    expect(await refusal(() => insertMethods(store, [sampleSavedPaymentMethod(customer, { id: method.id })]), method.id, "")).toBe("conflict");
    const badBrand = sampleSavedPaymentMethod(customer, { brand: "vi\u0000sa" });
    const brandError = await refusedWith(() => insertMethods(store, [badBrand]), "vi\u0000sa");
    expectNamesField(brandError, "paymentMethod.brand", "vi\u0000sa");
    expect(await refusal(() => insertMethods(store, [sampleSavedPaymentMethod(customer, { expMonth: 1.5 })]), "1.5")).toBe("internal");
    expect(await store.listSavedPaymentMethods(customer.id)).toEqual([method]);
    for (const text of ["cus_\u0000", "\ud800"]) {
      expect(await store.getCustomer(text)).toBeNull();
      expect(await store.getSavedPaymentMethod(text)).toBeNull();
      expect(await store.listSavedPaymentMethods(text)).toEqual([]);
    }
  });
}
