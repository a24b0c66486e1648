import { isPaymentError } from "@org/payments-core";
import type { PaymentErrorCode } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { insertPaymentsBefore0010 } from "./payments-before-0010.js";
import { makeDispute } from "@org/payments-test-support/dispute-fixtures";
import { INDEXED_CUSTOMER_FILTERS, SEEDED_OWNER, makeCustomer, makeMethod, seedCustomers, seededCustomerId } from "@org/payments-test-support/customer-fixtures";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

/** The code a call is refused with, "resolved", or "other" for an error that is not the domain's. */
async function codeOf(call: () => Promise<unknown>): Promise<PaymentErrorCode | "resolved" | "other"> {
  try {
    await call();
    return "resolved";
  } catch (error) {
    return isPaymentError(error) ? error.code : "other";
  }
}

describe("sqlite customers", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename });
    await migrate(store);
  });
  beforeEach(() => database.reset());
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  const count = (table: "customers" | "saved_payment_methods") => Number((database.raw.prepare(`select count(*) as n from ${table}`).get() as { n: bigint }).n);

  it("a duplicate id is conflict and changes nothing, and the primary key is the database's: a raw insert of it is refused", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    expect(await codeOf(() => store.transaction((tx) => tx.insertCustomer(makeCustomer({ id: customer.id, owner: "user_2" }))))).toBe("conflict");
    expect(await codeOf(() => store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { id: method.id, brand: "amex" }))))).toBe("conflict");
    expect([count("customers"), count("saved_payment_methods")]).toEqual([1, 1]);
    expect(await store.getCustomer(customer.id)).toEqual(customer);
    expect(await store.getSavedPaymentMethod(method.id)).toEqual(method);
    expect(() => database.raw.prepare("insert into customers select * from customers").run()).toThrow(/UNIQUE/);
    expect(() => database.raw.prepare("insert into saved_payment_methods select * from saved_payment_methods").run()).toThrow(/UNIQUE/);
    // Not unique: the provider's token may repeat (a card detached and saved again).
    await store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { providerPaymentMethodId: method.providerPaymentMethodId, providerSetupId: method.providerSetupId })));
    expect(count("saved_payment_methods")).toBe(2);
  });

  it("a saved method of a customer the store does not hold is refused by the foreign key, storing nothing", async () => {
    const stranger = makeCustomer();
    expect(await codeOf(() => store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(stranger))))).not.toBe("resolved");
    expect(count("saved_payment_methods")).toBe(0);
  });

  it("stores versions and expiry as INTEGER, instants as canonical UTC text, JSON as text, and reads them back exactly", async () => {
    const customer = makeCustomer({ version: Number.MAX_SAFE_INTEGER, createdAt: "2026-03-01T12:00:00+02:00", metadata: { "a.b": "1", 'q"uote': "é" } });
    const method = makeMethod(customer, {
      createdAt: "2026-03-01T10:00:00.000Z",
      updatedAt: "2026-03-01T10:00:00.000Z",
      status: "requires_action",
      nextAction: { type: "redirect", url: "https://bank.example/3ds" },
      lastError: { code: "authentication_required", message: "the bank asks" },
    });
    await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    expect(database.raw.prepare("select typeof(version) as v, created_at, metadata, provider_customer_ids as ids, deleted_at from customers").get()).toEqual({
      v: "integer",
      created_at: "2026-03-01T10:00:00.000Z",
      metadata: JSON.stringify(customer.metadata),
      ids: JSON.stringify(customer.providerCustomerIds),
      deleted_at: null,
    });
    expect(database.raw.prepare("select typeof(exp_month) as m, typeof(exp_year) as y, typeof(version) as v from saved_payment_methods").get()).toEqual({ m: "integer", y: "integer", v: "integer" });
    expect(await store.getCustomer(customer.id)).toEqual({ ...customer, createdAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z" });
    expect(await store.getSavedPaymentMethod(method.id)).toEqual(method);
  });

  it("refuses a stored method status it does not know, and a stored expiry or version past 2^53, rather than passing them on", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    database.raw.prepare("update saved_payment_methods set status = 'chargeable' where id = ?").run(method.id);
    expect(await codeOf(() => store.getSavedPaymentMethod(method.id))).toBe("internal");
    expect(await codeOf(() => store.listSavedPaymentMethods(customer.id))).toBe("internal");
    database.raw.prepare("update saved_payment_methods set status = 'active', exp_year = ? where id = ?").run(2n ** 53n + 1n, method.id);
    expect(await codeOf(() => store.getSavedPaymentMethod(method.id))).toBe("internal");
    database.raw.prepare("update customers set version = ? where id = ?").run(2n ** 53n, customer.id);
    expect(await codeOf(() => store.getCustomer(customer.id))).toBe("internal");
  });

  it("in one transaction, a customer and a method just inserted are read back and updated", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer, { status: "pending", providerPaymentMethodId: null });
    const seen = await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      const inserted = await tx.getCustomer(customer.id);
      await tx.insertSavedPaymentMethod(method);
      const pending = await tx.getSavedPaymentMethod(method.id);
      const active = await tx.updateSavedPaymentMethod({ ...method, status: "active", providerPaymentMethodId: "pm_1", version: 2 }, 1);
      const defaulted = await tx.updateCustomer({ ...customer, defaultPaymentMethodId: method.id, version: 2 }, 1);
      return { inserted, pending, active, defaulted, again: await tx.getCustomer(customer.id), method: await tx.getSavedPaymentMethod(method.id) };
    });
    expect(seen.inserted).toEqual(customer);
    expect(seen.pending).toEqual(method);
    expect(seen.active?.version).toBe(2);
    expect(seen.defaulted?.defaultPaymentMethodId).toBe(method.id);
    expect(seen.again).toMatchObject({ defaultPaymentMethodId: method.id, version: 2 });
    expect(seen.method).toMatchObject({ status: "active", providerPaymentMethodId: "pm_1", version: 2 });
  });

  it("updates are a compare-and-set on version: a stale one is null and changes nothing; a version that does not follow is internal", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    expect((await store.transaction((tx) => tx.updateCustomer({ ...customer, name: "B", version: 2 }, 1)))?.name).toBe("B");
    expect(await store.transaction((tx) => tx.updateCustomer({ ...customer, name: "stale", version: 2 }, 1))).toBeNull();
    expect(await store.transaction((tx) => tx.updateSavedPaymentMethod({ ...method, status: "detached", version: 3 }, 2))).toBeNull();
    expect(await codeOf(() => store.transaction((tx) => tx.updateCustomer({ ...customer, version: 5 }, 2)))).toBe("internal");
    expect(await store.getCustomer(customer.id)).toMatchObject({ name: "B", version: 2 });
    expect(await store.getSavedPaymentMethod(method.id)).toEqual(method);
  });

  it("hostile text: a write holding it is validation_error before any statement; a lookup or filter by it finds nothing", async () => {
    const customer = makeCustomer();
    await store.transaction((tx) => tx.insertCustomer(customer));
    for (const text of ["a\u0000b", "\ud800", "x\udc00y"]) {
      for (const field of ["owner", "email", "name", "defaultPaymentMethodId"] as const) {
        expect(await codeOf(() => store.transaction((tx) => tx.insertCustomer(makeCustomer({ [field]: text }))))).toBe("validation_error");
      }
      expect(await codeOf(() => store.transaction((tx) => tx.insertCustomer(makeCustomer({ metadata: { [text]: "v" } }))))).toBe("validation_error");
      expect(await codeOf(() => store.transaction((tx) => tx.updateCustomer({ ...customer, providerCustomerIds: { stripe: text }, version: 2 }, 1)))).toBe("validation_error");
      for (const field of ["brand", "last4", "providerPaymentMethodId", "type"] as const) {
        expect(await codeOf(() => store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { [field]: text }))))).toBe("validation_error");
      }
      expect(await store.getCustomer(text)).toBeNull();
      expect(await store.transaction((tx) => tx.getCustomer(text))).toBeNull();
      expect(await store.getSavedPaymentMethod(text)).toBeNull();
      expect(await store.transaction((tx) => tx.getSavedPaymentMethod(text))).toBeNull();
      expect(await store.listSavedPaymentMethods(text)).toEqual([]);
      expect(await store.listCustomers({ owner: text }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await store.listCustomers({ email: text, deleted: false }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    }
    expect([count("customers"), count("saved_payment_methods")]).toEqual([1, 0]);
    expect(await store.getCustomer(customer.id)).toEqual(customer);
  });

  it("lists newest first by keyset pages with the filters combined, a customer's methods oldest first, and refuses an unknown field or a bad cursor", async () => {
    const customers = [
      makeCustomer(),
      makeCustomer({ deletedAt: "2026-03-02T00:00:00.000Z" }),
      makeCustomer({ owner: "user_2" }),
      makeCustomer({ email: null }),
      makeCustomer(),
    ];
    const methods = [makeMethod(customers[0]!), makeMethod(customers[0]!, { status: "detached" }), makeMethod(customers[2]!)];
    await store.transaction(async (tx) => {
      for (const customer of customers) await tx.insertCustomer(customer);
      // Out of id order: the list answers oldest id first.
      for (const method of [methods[1]!, methods[2]!, methods[0]!]) await tx.insertSavedPaymentMethod(method);
    });
    const first = await store.listCustomers({ owner: "user_1" }, { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual([customers[4]!.id, customers[3]!.id]);
    expect(await store.listCustomers({ owner: "user_1" }, { limit: 2, cursor: first.nextCursor! })).toEqual({ items: [customers[1], customers[0]], nextCursor: null });
    expect((await store.listCustomers({ owner: "user_1", email: "rider@example.com", deleted: false }, { limit: 10 })).items.map((c) => c.id)).toEqual([customers[4]!.id, customers[0]!.id]);
    expect((await store.listCustomers({ deleted: true }, { limit: 10 })).items).toEqual([customers[1]]);
    expect(await store.listSavedPaymentMethods(customers[0]!.id)).toEqual([methods[0], methods[1]]);
    expect(await codeOf(() => store.listCustomers({ status: "live" } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => store.listCustomers({ deleted: 1 } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => store.listCustomers({}, { limit: 10, cursor: "not a cursor" }))).toBe("invalid_cursor");
  });
});

describe("sqlite migration 0010_customers", () => {
  it("adds the customers and saved methods tables to a database migrated to 0009, keeping its payments and disputes", async () => {
    const old = createSqliteTestDatabase();
    const upgrading = await createSqliteStore({ filename: old.filename });
    try {
      const migrator = new Migrator({ db: upgrading.db, provider: paymentMigrations(upgrading.dialect.columnTypes) });
      expect((await migrator.migrateTo("0009_disputes")).error).toBeUndefined();
      const payment = makePayment({ references: { order: "o_1" } });
      const dispute = makeDispute(payment);
      await insertPaymentsBefore0010(upgrading, [payment]);
      await upgrading.transaction((tx) => tx.insertDispute(dispute));
      // 0010 and every later migration (each upgrades a schema holding rows).
      expect((await migrate(upgrading)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0010_customers")));
      // The payment stored before 0010 reads back as it went in: not off-session (the new column's default).
      expect(await upgrading.getPayment(payment.id)).toEqual(payment);
      expect(payment.offSession).toBe(false);
      expect(await upgrading.listPaymentDisputes(payment.id)).toEqual([dispute]);
      const customer = makeCustomer();
      const method = makeMethod(customer);
      await upgrading.transaction(async (tx) => {
        await tx.insertCustomer(customer);
        await tx.insertSavedPaymentMethod(method);
      });
      expect(await upgrading.listCustomers({}, { limit: 10 })).toEqual({ items: [customer], nextCursor: null });
      expect(await upgrading.listSavedPaymentMethods(customer.id)).toEqual([method]);
      expect((await migrate(upgrading)).applied).toEqual([]);
    } finally {
      await upgrading.close();
      old.remove();
    }
  });
});

describe("sqlite: customer filters use their indexes at size", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  const issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, log: (event) => void issued.push(event.query) });
    await migrate(store);
    await seedCustomers(store);
    await store.optimize();
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  const explain = (statement: string, parameters: readonly unknown[]) =>
    (database.raw.prepare(`explain query plan ${statement}`).all(...parameters) as Array<{ detail: string }>).map((row) => row.detail);

  async function planOf(call: () => Promise<unknown>): Promise<string[]> {
    issued.length = 0;
    await call();
    const statement = issued.findLast((query) => /^select\b/.test(query.sql));
    if (statement === undefined) throw new Error("the store issued no select");
    return explain(statement.sql, statement.parameters);
  }

  for (const { name, filter, index } of INDEXED_CUSTOMER_FILTERS) {
    it(`${name}: searched through ${index}, never a scan of customers`, async () => {
      const plan = await planOf(() => store.listCustomers(filter, { limit: 50 }));
      // A scan of the partial index (the deleted ones' ids, all of them wanted) is that index's use; any other is a walk.
      expect(plan.some((step) => /^SCAN customers\b/.test(step) && !step.includes(index)), plan.join(" | ")).toBe(false);
      expect(plan.some((step) => step.includes(index)), plan.join(" | ")).toBe(true);
      expect(plan.some((step) => step.includes("TEMP B-TREE")), plan.join(" | ")).toBe(false);
      expect((await store.listCustomers(filter, { limit: 50 })).items.length).toBeGreaterThan(0);
    });
  }

  it("deleted: false walks the primary key newest first (live customers are nearly all), with no sort, and stops after a page", async () => {
    const plan = await planOf(() => store.listCustomers({ deleted: false }, { limit: 50 }));
    // SQLite names a text primary key's index itself (sqlite_autoindex_customers_N).
    expect(plan.some((step) => /^SCAN customers USING INDEX sqlite_autoindex_customers_\d+/.test(step)), plan.join(" | ")).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE")), plan.join(" | ")).toBe(false);
    expect((await store.listCustomers({ deleted: false }, { limit: 50 })).items).toHaveLength(50);
  });

  it("a customer's methods through saved_payment_methods_customer_id_id, in id order with no sort", async () => {
    const plan = await planOf(() => store.listSavedPaymentMethods(seededCustomerId(1230)));
    expect(plan.some((step) => step.includes("saved_payment_methods_customer_id_id")), plan.join(" | ")).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE")), plan.join(" | ")).toBe(false);
    expect(await store.listSavedPaymentMethods(seededCustomerId(1230))).toHaveLength(1);
  });

  it("the provider's token and setup id each have an index to be looked up by", async () => {
    const [method] = await store.listSavedPaymentMethods(seededCustomerId(1230));
    for (const [column, index, value] of [
      ["provider_payment_method_id", "saved_payment_methods_provider_payment_method_id", method!.providerPaymentMethodId],
      ["provider_setup_id", "saved_payment_methods_provider_setup_id", method!.providerSetupId],
    ] as const) {
      const plan = explain(`select * from saved_payment_methods where provider = ? and ${column} = ?`, ["stripe", value]);
      expect(plan.some((step) => step.includes(index)), plan.join(" | ")).toBe(true);
    }
  });

  it("the owner filter reads one owner's customers, not the others'", async () => {
    expect((await store.listCustomers({ owner: SEEDED_OWNER }, { limit: 50 })).items).toHaveLength(10);
  });
});
