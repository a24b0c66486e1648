import { isPaymentError } from "@org/payments-core";
import type { PaymentErrorCode } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { insertPaymentsBefore0010 } from "./payments-before-0010.js";
import { INDEXED_DISPUTE_FILTERS, SEEDED_PAYMENT_ID, STATS_WINDOW, makeDispute, seedYearOfDisputes } from "@org/payments-test-support/dispute-fixtures";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

/** The code a call is refused with, or "resolved". */
async function codeOf(call: () => Promise<unknown>): Promise<PaymentErrorCode | "resolved" | "other"> {
  try {
    await call();
    return "resolved";
  } catch (error) {
    return isPaymentError(error) ? error.code : "other";
  }
}

describe("sqlite disputes", () => {
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

  const count = () => Number((database.raw.prepare("select count(*) as n from disputes").get() as { n: bigint }).n);

  it("a second dispute with the same provider and provider dispute id is conflict, refused by the unique constraint, and changes nothing", async () => {
    const payment = makePayment();
    const first = makeDispute(payment);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(first);
    });
    const twin = makeDispute(payment, { providerDisputeId: first.providerDisputeId, amount: 1 });
    expect(await codeOf(() => store.transaction((tx) => tx.insertDispute(twin)))).toBe("conflict");
    expect(await codeOf(() => store.transaction((tx) => tx.insertDispute({ ...first, providerDisputeId: "du_other" })))).toBe("conflict");
    expect(count()).toBe(1);
    expect(await store.getDispute(first.id)).toEqual(first);
    // The database's constraint, not a check of the store's: a write behind the store's back is refused too.
    expect(() =>
      database.raw
        .prepare("insert into disputes select 'dp_raw', payment_id, provider, provider_dispute_id, provider_payment_id, amount, currency, status, reason, provider_reason, evidence_due_by, status_history, opened_at, closed_at, reported_at, created_at, updated_at, version from disputes")
        .run(),
    ).toThrow(/UNIQUE/);
    // The same provider dispute id at another provider is another dispute.
    await store.transaction((tx) => tx.insertDispute(makeDispute(payment, { provider: "paypal", providerDisputeId: first.providerDisputeId })));
    expect(count()).toBe(2);
  });

  it("stores the amount as INTEGER and the instants as canonical UTC text, and reads them back exactly", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment, {
      amount: Number.MAX_SAFE_INTEGER,
      openedAt: "2026-03-01T12:00:00+02:00",
      evidenceDueBy: "2026-03-08T10:00:00.123Z",
      closedAt: null,
    });
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    const row = database.raw.prepare("select typeof(amount) as t, amount, opened_at, evidence_due_by, closed_at from disputes").get();
    expect(row).toEqual({ t: "integer", amount: BigInt(Number.MAX_SAFE_INTEGER), opened_at: "2026-03-01T10:00:00.000Z", evidence_due_by: "2026-03-08T10:00:00.123Z", closed_at: null });
    expect(await store.getDispute(dispute.id)).toEqual({ ...dispute, openedAt: "2026-03-01T10:00:00.000Z" });
  });

  it("refuses to read a stored amount past 2^53 (internal), and to write an unsafe one (internal, nothing written)", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    expect(await codeOf(() => store.transaction((tx) => tx.insertDispute(makeDispute(payment, { amount: 2 ** 53 }))))).toBe("internal");
    expect(await codeOf(() => store.transaction((tx) => tx.updateDispute({ ...dispute, amount: 10.5, version: 2 }, 1)))).toBe("internal");
    expect(count()).toBe(1);
    database.raw.prepare("update disputes set amount = ? where id = ?").run(2n ** 53n + 1n, dispute.id);
    expect(await codeOf(() => store.getDispute(dispute.id))).toBe("internal");
    expect(await codeOf(() => store.listPaymentDisputes(payment.id))).toBe("internal");
  });

  it("refuses a stored status or reason it does not know, rather than passing it on", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    database.raw.prepare("update disputes set status = 'charge_refunded' where id = ?").run(dispute.id);
    expect(await codeOf(() => store.getDispute(dispute.id))).toBe("internal");
    database.raw.prepare("update disputes set status = 'won', reason = 'whatever' where id = ?").run(dispute.id);
    expect(await codeOf(() => store.getDispute(dispute.id))).toBe("internal");
  });

  it("in one transaction, a dispute just inserted is found by its provider id and can be updated", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    const found = await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
      const byProviderId = await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId);
      const updated = await tx.updateDispute({ ...dispute, status: "under_review", version: 2 }, 1);
      return { byProviderId, updated, again: await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId) };
    });
    expect(found.byProviderId).toEqual(dispute);
    expect(found.updated?.status).toBe("under_review");
    expect(found.again?.version).toBe(2);
  });

  it("updateDispute is a compare-and-set on version: a stale one is null and changes nothing", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    const won = await store.transaction((tx) => tx.updateDispute({ ...dispute, status: "under_review", version: 2 }, 1));
    expect(won?.version).toBe(2);
    expect(await store.transaction((tx) => tx.updateDispute({ ...dispute, status: "lost", version: 2 }, 1))).toBeNull();
    expect(await store.getDispute(dispute.id)).toMatchObject({ status: "under_review", version: 2 });
  });

  it("hostile text: a write holding it is validation_error before any statement; a lookup or filter by it finds nothing", async () => {
    const payment = makePayment();
    await store.transaction((tx) => tx.insertPayment(payment));
    for (const text of ["a\u0000b", "\ud800", "x\udc00y"]) {
      for (const field of ["providerReason", "providerDisputeId", "currency"] as const) {
        expect(await codeOf(() => store.transaction((tx) => tx.insertDispute(makeDispute(payment, { [field]: text }))))).toBe("validation_error");
      }
      expect(await codeOf(() => store.transaction((tx) => tx.insertDispute(makeDispute(payment, { statusHistory: [{ status: "needs_response", providerStatus: text, at: payment.createdAt }] }))))).toBe("validation_error");
      expect(await store.transaction((tx) => tx.findDisputeByProviderId("stripe", text))).toBeNull();
      expect(await store.transaction((tx) => tx.findDisputeByProviderId(text, "du_1"))).toBeNull();
      expect(await store.getDispute(text)).toBeNull();
      expect(await store.listPaymentDisputes(text)).toEqual([]);
      expect(await store.listDisputes({ provider: text }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
      expect(await store.listDisputes({ paymentId: text, currency: "EUR" }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    }
    expect(count()).toBe(0);
  });

  it("lists newest first by keyset pages with the filters combined, and refuses an unknown field or a bad cursor", async () => {
    const payment = makePayment({ currency: "EUR" });
    const other = makePayment({ currency: "USD" });
    const disputes = [
      makeDispute(payment, { status: "won", closedAt: payment.createdAt, evidenceDueBy: null }),
      makeDispute(payment),
      makeDispute(other, { currency: "USD" }),
      makeDispute(payment),
    ];
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertPayment(other);
      for (const dispute of disputes) await tx.insertDispute(dispute);
    });
    const first = await store.listDisputes({ paymentId: payment.id }, { limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual([disputes[3]!.id, disputes[1]!.id]);
    const second = await store.listDisputes({ paymentId: payment.id }, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [disputes[0]], nextCursor: null });
    expect((await store.listDisputes({ status: ["needs_response"], currency: "EUR" }, { limit: 10 })).items.map((d) => d.id)).toEqual([disputes[3]!.id, disputes[1]!.id]);
    expect((await store.listDisputes({ evidenceDueBefore: "2099-01-01T00:00:00Z" }, { limit: 10 })).items).toHaveLength(3);
    expect((await store.listDisputes({ status: [] }, { limit: 10 })).items).toEqual([]);
    expect(await store.listPaymentDisputes(payment.id)).toEqual([disputes[0], disputes[1], disputes[3]]);
    expect(await codeOf(() => store.listDisputes({ owner: "user_1" } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => store.listDisputes({}, { limit: 10, cursor: "not a cursor" }))).toBe("invalid_cursor");
  });

  it("stats: exact bigint sums per status and currency, past 2^53, within the opened window", async () => {
    const payment = makePayment({ amount: Number.MAX_SAFE_INTEGER, currency: "EUR" });
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      for (let i = 0; i < 3; i++) await tx.insertDispute(makeDispute(payment));
      await tx.insertDispute(makeDispute(payment, { status: "lost", amount: 7, currency: "USD", openedAt: "2026-04-01T00:00:00.000Z" }));
    });
    expect(await store.disputeStats({})).toEqual([
      { status: "lost", currency: "USD", count: 1, amount: 7n },
      { status: "needs_response", currency: "EUR", count: 3, amount: 3n * BigInt(Number.MAX_SAFE_INTEGER) },
    ]);
    expect(await store.disputeStats({ openedFrom: "2026-03-15T00:00:00Z" })).toEqual([{ status: "lost", currency: "USD", count: 1, amount: 7n }]);
    expect(await store.disputeStats({ openedTo: "2026-03-15T00:00:00Z" })).toHaveLength(1);
  });
});

describe("sqlite migration 0009_disputes", () => {
  it("adds the disputes table to a database migrated to 0008, keeping its payments", async () => {
    const old = createSqliteTestDatabase();
    const upgrading = await createSqliteStore({ filename: old.filename });
    try {
      const migrator = new Migrator({ db: upgrading.db, provider: paymentMigrations(upgrading.dialect.columnTypes) });
      expect((await migrator.migrateTo("0008_search_indexes")).error).toBeUndefined();
      const payment = makePayment({ references: { order: "o_1" } });
      await insertPaymentsBefore0010(upgrading, [payment]);
      // 0009 and every migration after it (0010_customers has a test of its own, customers.test.ts).
      expect((await migrate(upgrading)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0009_disputes")));
      expect(await upgrading.getPayment(payment.id)).toEqual(payment);
      const dispute = makeDispute(payment);
      await upgrading.transaction((tx) => tx.insertDispute(dispute));
      expect(await upgrading.listPaymentDisputes(payment.id)).toEqual([dispute]);
      // A second migrate finds nothing to do.
      expect((await migrate(upgrading)).applied).toEqual([]);
    } finally {
      await upgrading.close();
      old.remove();
    }
  });
});

describe("sqlite: dispute filters use their indexes at size", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  const issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, log: (event) => void issued.push(event.query) });
    await migrate(store);
    await seedYearOfDisputes(store);
    await store.optimize();
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  async function planOf(call: () => Promise<unknown>, pick: (sql: string) => boolean = (sql) => /^select\b/.test(sql)): Promise<string[]> {
    issued.length = 0;
    await call();
    const statement = issued.findLast((query) => pick(query.sql));
    if (statement === undefined) throw new Error("the store issued no such statement");
    return (database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>).map((row) => row.detail);
  }

  for (const { name, filter, index } of INDEXED_DISPUTE_FILTERS) {
    it(`${name}: searched through ${index}, never a scan of disputes`, async () => {
      const plan = await planOf(() => store.listDisputes(filter, { limit: 50 }));
      expect(plan.some((step) => /^SCAN disputes\b/.test(step)), plan.join(" | ")).toBe(false);
      expect(plan.some((step) => step.includes(index)), plan.join(" | ")).toBe(true);
      expect((await store.listDisputes(filter, { limit: 50 })).items.length).toBeGreaterThan(0);
    });
  }

  it("a payment's disputes through disputes_payment_id_id, in id order with no sort", async () => {
    const plan = await planOf(() => store.listPaymentDisputes(SEEDED_PAYMENT_ID));
    expect(plan.some((step) => step.includes("disputes_payment_id_id")), plan.join(" | ")).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE")), plan.join(" | ")).toBe(false);
  });

  it("the lookup by provider dispute id probes the unique constraint's index", async () => {
    const [seeded] = await store.listPaymentDisputes(SEEDED_PAYMENT_ID);
    const plan = await planOf(() => store.transaction((tx) => tx.findDisputeByProviderId(seeded!.provider, seeded!.providerDisputeId)));
    // SQLite names a constraint's index itself (sqlite_autoindex_disputes_N).
    expect(plan.some((step) => /^SEARCH disputes USING INDEX sqlite_autoindex_disputes_\d+ \(provider=\? AND provider_dispute_id=\?\)/.test(step)), plan.join(" | ")).toBe(true);
  });

  it("windowed stats read disputes_opened_at", async () => {
    const plan = await planOf(() => store.disputeStats(STATS_WINDOW));
    expect(plan.some((step) => /^SCAN disputes\b/.test(step)), plan.join(" | ")).toBe(false);
    expect(plan.some((step) => step.includes("disputes_opened_at")), plan.join(" | ")).toBe(true);
  });
});
