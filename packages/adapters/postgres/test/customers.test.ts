import { isPaymentError } from "@org/payments-core";
import type { PaymentErrorCode } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { createPostgresStore, migrate } from "../src/index.js";
import { insertPaymentsBefore0010 } from "./payments-before-0010.js";
import { makeDispute } from "@org/payments-test-support/dispute-fixtures";
import { INDEXED_CUSTOMER_FILTERS, SEEDED_OWNER, makeCustomer, makeMethod, seedCustomers, seededCustomerId } from "@org/payments-test-support/customer-fixtures";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

/** The code a call is refused with, "resolved", or "other" for an error that is not the domain's. */
async function codeOf(call: () => Promise<unknown>): Promise<PaymentErrorCode | "resolved" | "other"> {
  try {
    await call();
    return "resolved";
  } catch (error) {
    return isPaymentError(error) ? error.code : "other";
  }
}

type Issued = Array<{ sql: string; parameters: readonly unknown[] }>;

/** A migrated test schema whose store records every statement it sends into `issued()`. */
async function openLoggedTestStore(issued: () => Issued): Promise<PostgresTestStore> {
  const t = await createPostgresTestStore();
  await migrate(t.store);
  const logged = await createPostgresStore({ connectionString: t.testSchema.url, log: (event) => void issued().push(event.query) });
  await t.store.close();
  t.store = logged;
  return t;
}

const available = await postgresAvailable();
const namesCustomerTables = (sql: string) => sql.includes('"customers"') || sql.includes('"saved_payment_methods"');

describe.skipIf(!available)("postgres customers", () => {
  let t: PostgresTestStore;
  let issued: Issued = [];
  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
  });
  beforeEach(async () => {
    await t.reset();
    issued = [];
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const count = async (table: "customers" | "saved_payment_methods") => Number((await t.raw.query(`select count(*) as n from ${table}`)).rows[0].n);

  it("a duplicate id is conflict and changes nothing, also when the insert rode with a later statement; a raw insert of it is refused", async () => {
    const payment = makePayment();
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertCustomer(makeCustomer({ id: customer.id, owner: "user_2" }))))).toBe("conflict");
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { id: method.id, brand: "amex" }))))).toBe("conflict");
    // A held insert fails the statement it travelled with (here the payment's guarded update), with its own error.
    issued = [];
    expect(
      await codeOf(() =>
        t.store.transaction(async (tx) => {
          await tx.insertCustomer(makeCustomer({ id: customer.id }));
          await tx.updatePayment({ ...payment, customerId: customer.id, version: 2 }, 1);
        }),
      ),
    ).toBe("conflict");
    expect(issued.some((query) => /^with .*insert into "customers".*update "payments"/s.test(query.sql)), issued.map((q) => q.sql).join("\n")).toBe(true);
    expect((await t.store.getPayment(payment.id))?.version).toBe(1);
    expect([await count("customers"), await count("saved_payment_methods")]).toEqual([1, 1]);
    expect(await t.store.getCustomer(customer.id)).toEqual(customer);
    expect(await t.store.getSavedPaymentMethod(method.id)).toEqual(method);
    await expect(t.raw.query("insert into customers select * from customers")).rejects.toThrow(/customers_pkey/);
    await expect(t.raw.query("insert into saved_payment_methods select * from saved_payment_methods")).rejects.toThrow(/saved_payment_methods_pkey/);
    // Not unique: the provider's token may repeat (a card detached and saved again).
    await t.store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { providerPaymentMethodId: method.providerPaymentMethodId, providerSetupId: method.providerSetupId })));
    expect(await count("saved_payment_methods")).toBe(2);
  });

  it("a saved method of a customer the store does not hold is refused by the foreign key, storing nothing", async () => {
    const stranger = makeCustomer();
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(stranger))))).not.toBe("resolved");
    await expect(t.raw.query("insert into saved_payment_methods (id, customer_id, owner, provider, status, type, created_at, updated_at, version) values ('spm_raw', 'cus_none', 'u', 'stripe', 'active', 'card', now(), now(), 1)")).rejects.toThrow(/foreign key/);
    expect(await count("saved_payment_methods")).toBe(0);
  });

  it("stores versions and expiry as bigint, instants as timestamptz, JSON as jsonb, and reads them back exactly", async () => {
    const customer = makeCustomer({ version: Number.MAX_SAFE_INTEGER, createdAt: "2026-03-01T12:00:00+02:00", metadata: { "a.b": "1", 'q"uote': "é" } });
    const method = makeMethod(customer, {
      createdAt: "2026-03-01T10:00:00.000Z",
      updatedAt: "2026-03-01T10:00:00.000Z",
      status: "requires_action",
      nextAction: { type: "redirect", url: "https://bank.example/3ds" },
      lastError: { code: "authentication_required", message: "the bank asks" },
    });
    await t.store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    const types = await t.raw.query(
      "select pg_typeof(version)::text as version, pg_typeof(created_at)::text as created, pg_typeof(metadata)::text as metadata, pg_typeof(provider_customer_ids)::text as ids, version::text as value from customers",
    );
    expect(types.rows[0]).toEqual({ version: "bigint", created: "timestamp with time zone", metadata: "jsonb", ids: "jsonb", value: String(Number.MAX_SAFE_INTEGER) });
    const methodTypes = await t.raw.query("select pg_typeof(exp_month)::text as m, pg_typeof(next_action)::text as a, pg_typeof(last_error)::text as e from saved_payment_methods");
    expect(methodTypes.rows[0]).toEqual({ m: "bigint", a: "jsonb", e: "jsonb" });
    expect(await t.store.getCustomer(customer.id)).toEqual({ ...customer, createdAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z" });
    expect(await t.store.getSavedPaymentMethod(method.id)).toEqual(method);
  });

  it("refuses a stored method status it does not know, and a stored expiry or version past 2^53, rather than passing them on", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await t.store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    await t.raw.query("update saved_payment_methods set status = 'chargeable' where id = $1", [method.id]);
    expect(await codeOf(() => t.store.getSavedPaymentMethod(method.id))).toBe("internal");
    expect(await codeOf(() => t.store.listSavedPaymentMethods(customer.id))).toBe("internal");
    await t.raw.query("update saved_payment_methods set status = 'active', exp_year = $1 where id = $2", [(2n ** 53n + 1n).toString(), method.id]);
    expect(await codeOf(() => t.store.getSavedPaymentMethod(method.id))).toBe("internal");
    await t.raw.query("update customers set version = $1 where id = $2", [(2n ** 53n).toString(), customer.id]);
    expect(await codeOf(() => t.store.getCustomer(customer.id))).toBe("internal");
  });

  it("in one transaction, a customer and a method just inserted are read back (the held insert goes first) and updated", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer, { status: "pending", providerPaymentMethodId: null });
    const seen = await t.store.transaction(async (tx) => {
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
    // The reads were never sent as the tail of a statement carrying the insert (whose row it could not see).
    const reads = issued.filter((query) => /select .* from "(customers|saved_payment_methods)"/.test(query.sql));
    expect(reads).toHaveLength(4);
    expect(reads.every((query) => !/^\s*with\b/i.test(query.sql)), reads.map((query) => query.sql).join("\n")).toBe(true);
  });

  it("updates are a compare-and-set on version: a stale one is null and changes nothing; a version that does not follow is internal", async () => {
    const customer = makeCustomer();
    const method = makeMethod(customer);
    await t.store.transaction(async (tx) => {
      await tx.insertCustomer(customer);
      await tx.insertSavedPaymentMethod(method);
    });
    expect((await t.store.transaction((tx) => tx.updateCustomer({ ...customer, name: "B", version: 2 }, 1)))?.name).toBe("B");
    expect(await t.store.transaction((tx) => tx.updateCustomer({ ...customer, name: "stale", version: 2 }, 1))).toBeNull();
    expect(await t.store.transaction((tx) => tx.updateSavedPaymentMethod({ ...method, status: "detached", version: 3 }, 2))).toBeNull();
    expect(await codeOf(() => t.store.transaction((tx) => tx.updateCustomer({ ...customer, version: 5 }, 2)))).toBe("internal");
    expect(await t.store.getCustomer(customer.id)).toMatchObject({ name: "B", version: 2 });
    expect(await t.store.getSavedPaymentMethod(method.id)).toEqual(method);
  });

  it("hostile text: a write holding it is validation_error before any statement; a lookup or filter by it finds nothing and sends nothing", async () => {
    const customer = makeCustomer();
    await t.store.transaction((tx) => tx.insertCustomer(customer));
    issued = [];
    for (const text of ["a\u0000b", "\ud800", "x\udc00y"]) {
      for (const field of ["owner", "email", "name", "defaultPaymentMethodId"] as const) {
        expect(await codeOf(() => t.store.transaction((tx) => tx.insertCustomer(makeCustomer({ [field]: text }))))).toBe("validation_error");
      }
      expect(await codeOf(() => t.store.transaction((tx) => tx.insertCustomer(makeCustomer({ metadata: { [text]: "v" } }))))).toBe("validation_error");
      expect(await codeOf(() => t.store.transaction((tx) => tx.updateCustomer({ ...customer, providerCustomerIds: { stripe: text }, version: 2 }, 1)))).toBe("validation_error");
      for (const field of ["brand", "last4", "providerPaymentMethodId", "type"] as const) {
        expect(await codeOf(() => t.store.transaction((tx) => tx.insertSavedPaymentMethod(makeMethod(customer, { [field]: text }))))).toBe("validation_error");
      }
      expect(await t.store.getCustomer(text)).toBeNull();
      expect(await t.store.transaction((tx) => tx.getCustomer(text))).toBeNull();
      expect(await t.store.getSavedPaymentMethod(text)).toBeNull();
      expect(await t.store.transaction((tx) => tx.getSavedPaymentMethod(text))).toBeNull();
      expect(await t.store.listSavedPaymentMethods(text)).toEqual([]);
      expect(await t.store.listCustomers({ owner: text }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await t.store.listCustomers({ email: text, deleted: false }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    }
    expect(issued.some((query) => namesCustomerTables(query.sql)), "no customer statement was sent").toBe(false);
    expect([await count("customers"), await count("saved_payment_methods")]).toEqual([1, 0]);
    expect(await t.store.getCustomer(customer.id)).toEqual(customer);
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
    await t.store.transaction(async (tx) => {
      for (const customer of customers) await tx.insertCustomer(customer);
      for (const method of [methods[1]!, methods[2]!, methods[0]!]) await tx.insertSavedPaymentMethod(method);
    });
    const first = await t.store.listCustomers({ owner: "user_1" }, { limit: 2 });
    expect(first.items.map((c) => c.id)).toEqual([customers[4]!.id, customers[3]!.id]);
    expect(await t.store.listCustomers({ owner: "user_1" }, { limit: 2, cursor: first.nextCursor! })).toEqual({ items: [customers[1], customers[0]], nextCursor: null });
    expect((await t.store.listCustomers({ owner: "user_1", email: "rider@example.com", deleted: false }, { limit: 10 })).items.map((c) => c.id)).toEqual([customers[4]!.id, customers[0]!.id]);
    expect((await t.store.listCustomers({ deleted: true }, { limit: 10 })).items).toEqual([customers[1]]);
    expect(await t.store.listSavedPaymentMethods(customers[0]!.id)).toEqual([methods[0], methods[1]]);
    expect(await codeOf(() => t.store.listCustomers({ status: "live" } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => t.store.listCustomers({ deleted: 1 } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => t.store.listCustomers({}, { limit: 10, cursor: "not a cursor" }))).toBe("invalid_cursor");
  });
});

describe.skipIf(!available)("postgres migration 0010_customers", () => {
  it("adds the customers and saved methods tables to a schema migrated to 0009, keeping its payments and disputes", async () => {
    const t = await createPostgresTestStore();
    try {
      const migrator = new Migrator({ db: t.store.db, provider: paymentMigrations(t.store.dialect.columnTypes), migrationTableSchema: t.testSchema.schema });
      expect((await migrator.migrateTo("0009_disputes")).error).toBeUndefined();
      const payment = makePayment({ references: { order: "o_1" } });
      const dispute = makeDispute(payment);
      await insertPaymentsBefore0010(t.store, [payment]);
      await t.store.transaction((tx) => tx.insertDispute(dispute));
      // 0010 and every later migration (each upgrades a schema holding rows).
      expect((await migrate(t.store)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0010_customers")));
      // The payment stored before 0010 reads back as it went in: not off-session (the new column's default).
      expect(await t.store.getPayment(payment.id)).toEqual(payment);
      expect(payment.offSession).toBe(false);
      expect(await t.store.listPaymentDisputes(payment.id)).toEqual([dispute]);
      const customer = makeCustomer();
      const method = makeMethod(customer);
      await t.store.transaction(async (tx) => {
        await tx.insertCustomer(customer);
        await tx.insertSavedPaymentMethod(method);
      });
      expect(await t.store.listCustomers({}, { limit: 10 })).toEqual({ items: [customer], nextCursor: null });
      expect(await t.store.listSavedPaymentMethods(customer.id)).toEqual([method]);
      expect((await migrate(t.store)).applied).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

describe.skipIf(!available)("postgres: customer filters use their indexes at size", () => {
  let t: PostgresTestStore;
  let issued: Issued = [];

  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
    await seedCustomers(t.store);
    await t.store.optimize();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  async function explain(statement: string, parameters: readonly unknown[]): Promise<{ nodes: PlanNode[]; shown: string }> {
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement}`, [...parameters]);
    const nodes = nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
    return { nodes, shown: JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]])) };
  }

  async function planOf(call: () => Promise<unknown>): Promise<{ nodes: PlanNode[]; shown: string }> {
    issued = [];
    await call();
    const statement = issued.findLast((query) => /^select\b/.test(query.sql));
    if (statement === undefined) throw new Error("the store issued no select");
    return explain(statement.sql, statement.parameters);
  }
  const seqScan = (nodes: PlanNode[], table: string) => nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === table);
  const sorts = (nodes: PlanNode[]) => nodes.some((node) => node["Node Type"] === "Sort");

  for (const { name, filter, index } of INDEXED_CUSTOMER_FILTERS) {
    it(`${name}: searched through ${index}, never a sequential scan of customers`, async () => {
      const { nodes, shown } = await planOf(() => t.store.listCustomers(filter, { limit: 50 }));
      expect(seqScan(nodes, "customers"), shown).toBe(false);
      // A sort may follow: for ten rows PostgreSQL rightly prefers a bitmap scan of the index and a sort of what it found.
      expect(nodes.some((node) => node["Index Name"] === index), shown).toBe(true);
      expect((await t.store.listCustomers(filter, { limit: 50 })).items.length).toBeGreaterThan(0);
    });
  }

  it("deleted: false walks the primary key newest first (live customers are nearly all), with no sort, and stops after a page", async () => {
    const { nodes, shown } = await planOf(() => t.store.listCustomers({ deleted: false }, { limit: 50 }));
    expect(seqScan(nodes, "customers"), shown).toBe(false);
    expect(nodes.some((node) => node["Index Name"] === "customers_pkey"), shown).toBe(true);
    expect(sorts(nodes), shown).toBe(false);
    expect((await t.store.listCustomers({ deleted: false }, { limit: 50 })).items).toHaveLength(50);
  });

  it("a customer's methods through saved_payment_methods_customer_id_id, with no sort", async () => {
    const { nodes, shown } = await planOf(() => t.store.listSavedPaymentMethods(seededCustomerId(1230)));
    expect(nodes.some((node) => node["Index Name"] === "saved_payment_methods_customer_id_id"), shown).toBe(true);
    expect(sorts(nodes), shown).toBe(false);
    expect(await t.store.listSavedPaymentMethods(seededCustomerId(1230))).toHaveLength(1);
  });

  it("the provider's token and setup id each have an index to be looked up by", async () => {
    const [method] = await t.store.listSavedPaymentMethods(seededCustomerId(1230));
    for (const [column, index, value] of [
      ["provider_payment_method_id", "saved_payment_methods_provider_payment_method_id", method!.providerPaymentMethodId],
      ["provider_setup_id", "saved_payment_methods_provider_setup_id", method!.providerSetupId],
    ] as const) {
      const { nodes, shown } = await explain(`select * from saved_payment_methods where provider = $1 and ${column} = $2`, ["stripe", value]);
      expect(seqScan(nodes, "saved_payment_methods"), shown).toBe(false);
      expect(nodes.some((node) => node["Index Name"] === index), shown).toBe(true);
    }
  });

  it("the owner filter reads one owner's customers, not the others'", async () => {
    expect((await t.store.listCustomers({ owner: SEEDED_OWNER }, { limit: 50 })).items).toHaveLength(10);
  });
});
