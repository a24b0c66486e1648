import type { PaymentStore } from "@org/payments-core";
import { existsSync } from "node:fs";
import { isPaymentError } from "@org/payments-core";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import { createSqliteStore, migrate, migrationStatus, openSqliteDatabase } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";
import { insertPaymentsBefore0010 } from "./payments-before-0010.js";

/**
 * test-support's `expectTotalsFilledFromExistingPayments`, with the 40 payments seeded as a 0006 schema holds them
 * (payments-before-0010.ts): that helper inserts through today's store, which writes a column 0006 lacks.
 */
async function expectTotalsFilledFromPaymentsBefore0010(store: Parameters<typeof insertPaymentsBefore0010>[0] & PaymentStore, migrateRest: () => Promise<void>): Promise<void> {
  const payments = Array.from({ length: 40 }, (_, i) => {
    const status = i % 3 === 0 ? "succeeded" : i % 3 === 1 ? "pending" : "failed";
    const amount = i === 0 ? Number.MAX_SAFE_INTEGER : 100 + i;
    return makePayment({ status, amount, amountCaptured: status === "succeeded" ? amount : 0, currency: i % 2 === 0 ? "USD" : "EUR" });
  });
  await insertPaymentsBefore0010(store, payments);
  await migrateRest();
  const allTime = await store.stats({});
  expect(allTime.reduce((sum, row) => sum + row.count, 0)).toBe(40);
  expect(allTime).toEqual(await store.stats({ createdFrom: "1970-01-01T00:00:00.000Z" }));
}

describe("sqlite store", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename });
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  it("opens the file in WAL mode with foreign keys on and declares itself a durable single writer", () => {
    expect(database.raw.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.capabilities).toEqual({ concurrentWriters: false, durable: true });
  });

  it("syncs every commit to disk by default (FULL), so an answered payment survives a power loss; NORMAL only when asked", () => {
    const full = openSqliteDatabase({ filename: database.filename });
    const normal = openSqliteDatabase({ filename: database.filename, synchronous: "NORMAL" });
    try {
      // 2 = FULL, 1 = NORMAL (the better-sqlite3 build's WAL default, which the store must not inherit).
      expect(Number(full.pragma("synchronous", { simple: true }))).toBe(2);
      expect(Number(normal.pragma("synchronous", { simple: true }))).toBe(1);
    } finally {
      full.close();
      normal.close();
    }
    expect(() => openSqliteDatabase({ filename: database.filename, synchronous: "OFF" as never })).toThrow(/synchronous/);
  });

  it("stores amounts as INTEGER and timestamps as ISO-8601 UTC text", async () => {
    const payment = makePayment({ createdAt: "2026-03-01T12:00:00+02:00", updatedAt: "2026-03-01T10:00:00Z" });
    await store.transaction((tx) => tx.insertPayment(payment));
    const row = database.raw
      .prepare("select typeof(amount) as amount_type, created_at, updated_at from payments where id = ?")
      .get(payment.id) as { amount_type: string; created_at: string; updated_at: string };
    expect(row).toEqual({ amount_type: "integer", created_at: "2026-03-01T10:00:00.000Z", updated_at: "2026-03-01T10:00:00.000Z" });
  });

  it("refuses, instead of deadlocking, a store call awaited inside transaction()", async () => {
    await expect(store.transaction(() => store.getPayment("pay_x"))).rejects.toThrow(/inside transaction/);
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow(/inside transaction/);
    // The connection is free again afterwards.
    expect(await store.getPayment("pay_x")).toBeNull();
  });

  it("refuses a bad option with configuration_error before creating any file, and misuse at run time with internal", async () => {
    const filename = `${database.filename}.never`;
    await expect(createSqliteStore({ filename, busyTimeoutMs: -1 })).rejects.toSatisfy((error: unknown) => isPaymentError(error, "configuration_error"));
    expect(existsSync(filename)).toBe(false);
    const internal = (error: unknown) => isPaymentError(error, "internal");
    await expect(store.transaction(() => store.getPayment("pay_x"))).rejects.toSatisfy(internal);
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toSatisfy(internal);
    const closed = await createSqliteStore({ filename: database.filename });
    await closed.close();
    await expect(closed.getPayment("pay_x")).rejects.toSatisfy(internal);
    await expect(closed.transaction(async () => 1)).rejects.toSatisfy(internal);
  });

  it("guards against nested calls by default except under NODE_ENV=production, where the guard's cost is saved", async () => {
    const previous = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = "production";
      const unguarded = await createSqliteStore({ filename: database.filename });
      // Unguarded, a nested read is not refused: it waits for the connection the transaction holds. Race it against
      // a timer inside the transaction, then let the transaction end so the waiting read completes.
      const { raced, nested } = await unguarded.transaction(async () => {
        const nested = unguarded.getPayment("pay_x");
        const raced = await Promise.race([nested.then(() => "ran"), new Promise((r) => setTimeout(() => r("waited"), 100))]);
        return { raced, nested };
      });
      expect(raced).toBe("waited");
      expect(await nested).toBeNull();
      await unguarded.close();
      const forced = await createSqliteStore({ filename: database.filename, guardNestedCalls: true });
      await expect(forced.transaction(() => forced.getPayment("pay_x"))).rejects.toThrow(/inside transaction/);
      await forced.close();
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it("queues concurrent transactions of one process on its connection rather than nesting them", async () => {
    const order: string[] = [];
    await Promise.all(
      ["a", "b", "c"].map((name) =>
        store.transaction(async (tx) => {
          order.push(`${name}:begin`);
          await tx.getPayment("pay_none");
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(`${name}:end`);
        }),
      ),
    );
    expect(order).toEqual(["a:begin", "a:end", "b:begin", "b:end", "c:begin", "c:end"]);
  });

  it("does not migrate implicitly: a new file reports its migrations pending and has no tables", async () => {
    const fresh = createSqliteTestDatabase();
    const unmigrated = await createSqliteStore({ filename: fresh.filename });
    try {
      expect((await migrationStatus(unmigrated)).current).toBeNull();
      await expect(unmigrated.getPayment("pay_1")).rejects.toThrow(/no such table/);
    } finally {
      await unmigrated.close();
      fresh.remove();
    }
  });

  it("0003_webhook_inbox turns the old first-seen markers into processed inbox events, so a redelivery stays a duplicate", async () => {
    const old = createSqliteTestDatabase();
    const upgrading = await createSqliteStore({ filename: old.filename });
    try {
      // The database as 0.1 left it: migrated to 0002, with one marker.
      const migrator = new Migrator({ db: upgrading.db, provider: paymentMigrations(upgrading.dialect.columnTypes) });
      expect((await migrator.migrateTo("0002_outbox_skip_reason")).error).toBeUndefined();
      old.raw.prepare("insert into webhook_events (provider, event_id, received_at) values (?, ?, ?)").run("stripe", "evt_old", "2026-01-01T00:00:00.000Z");
      // 0003 and every migration after it.
      expect((await migrate(upgrading)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0003_webhook_inbox")));
      const [row] = await upgrading.listInboxEvents({ limit: 10 });
      expect(row).toMatchObject({ provider: "stripe", eventId: "evt_old", status: "processed", processedAt: "2026-01-01T00:00:00.000Z" });
      expect(await upgrading.transaction((tx) => tx.insertInboxEvent({ ...row!, status: "received" }))).toBe(false);
      expect(old.raw.prepare("select name from sqlite_master where name = 'webhook_events'").get()).toBeUndefined();
    } finally {
      await upgrading.close();
      old.remove();
    }
  });

  it("0007_payment_totals fills the all-time totals from the payments already stored", async () => {
    const old = createSqliteTestDatabase();
    const upgrading = await createSqliteStore({ filename: old.filename });
    try {
      const migrator = new Migrator({ db: upgrading.db, provider: paymentMigrations(upgrading.dialect.columnTypes) });
      expect((await migrator.migrateTo("0006_outbox_open_events")).error).toBeUndefined();
      await expectTotalsFilledFromPaymentsBefore0010(upgrading, async () => {
        expect((await migrate(upgrading)).applied).toContain("0007_payment_totals");
      });
    } finally {
      await upgrading.close();
      old.remove();
    }
  });

  it("leaves a database handle the host passed in open on close", async () => {
    const handle = new BetterSqlite3(database.filename);
    const borrowed = await createSqliteStore({ database: handle });
    expect(await borrowed.getPayment("pay_none")).toBeNull();
    await borrowed.close();
    expect(handle.open).toBe(true);
    handle.close();
  });
});
