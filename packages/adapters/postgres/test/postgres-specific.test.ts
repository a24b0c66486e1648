import type { PaymentStore } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import pg from "pg";
import { type PaymentErrorCode, isPaymentError } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresStore, isRetryableTransactionError, migrate, migrationStatus, splitSchemaFromUrl } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";
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

/** The minimal row of a payment, for inserting one behind the store's back. */
function rowOf(payment: ReturnType<typeof makePayment>) {
  return {
    id: payment.id, owner: payment.owner, amount: payment.amount, currency: payment.currency, status: payment.status,
    provider: payment.provider, refs: {}, capture_method: payment.captureMethod, amount_captured: 0, amount_refunded: 0,
    amount_refund_reserved: 0, disputed: false, off_session: false, line_items: [], metadata: {}, created_at: payment.createdAt,
    updated_at: payment.updatedAt, version: 1,
  };
}

describe("postgres connection options", () => {
  it("takes ?schema= off the URL before pg sees it, keeping other parameters", () => {
    expect(splitSchemaFromUrl("postgres://u@h:5432/db?schema=pay&sslmode=disable")).toEqual({
      connectionString: "postgres://u@h:5432/db?sslmode=disable",
      schema: "pay",
    });
    expect(splitSchemaFromUrl("postgres://u@h/db")).toEqual({ connectionString: "postgres://u@h/db", schema: undefined });
  });

  it("refuses a schema name that would need escaping", async () => {
    await expect(createPostgresStore({ connectionString: "postgres://u@h/db?schema=a;drop" })).rejects.toThrow(/schema/);
  });

  it("refuses contradictory or impossible options with configuration_error, and a closed store's calls with internal", async () => {
    const refused = (code: PaymentErrorCode) => (error: unknown) => isPaymentError(error, code);
    await expect(createPostgresStore({ connectionString: "postgres://u@h/db?schema=a;drop" })).rejects.toSatisfy(refused("configuration_error"));
    await expect(createPostgresStore({})).rejects.toSatisfy(refused("configuration_error"));
    await expect(createPostgresStore({ connectionString: "postgres://u@h/db", pool: new pg.Pool() })).rejects.toSatisfy(refused("configuration_error"));
    await expect(createPostgresStore({ connectionString: "postgres://u@h/db", maxTransactionAttempts: 0 })).rejects.toSatisfy(refused("configuration_error"));
    // Never connected: the pool connects on first use.
    const closed = await createPostgresStore({ connectionString: "postgres://u@h/db" });
    await closed.close();
    await expect(closed.getPayment("pay_x")).rejects.toSatisfy(refused("internal"));
    await expect(closed.transaction(async () => 1)).rejects.toSatisfy(refused("internal"));
  });

  it("classifies serialization failures and deadlocks as retryable, nothing else", () => {
    expect(isRetryableTransactionError({ code: "40001" })).toBe(true);
    expect(isRetryableTransactionError(new Error("wrapped", { cause: { code: "40P01" } }))).toBe(true);
    expect(isRetryableTransactionError({ code: "23505" })).toBe(false);
  });
});

const available = await postgresAvailable();

describe.skipIf(!available)("postgres store", () => {
  let t: PostgresTestStore;
  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
  });
  afterAll(async () => {
    await t?.dispose();
  });
  beforeEach(async () => {
    await t.reset();
  });

  it("creates its tables in the URL's schema, with 64-bit and timestamptz columns", async () => {
    const { rows } = await t.raw.query<{ column_name: string; data_type: string }>(
      "select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = 'payments' and column_name in ('amount', 'created_at', 'refs')",
      [t.testSchema.schema],
    );
    expect(Object.fromEntries(rows.map((row) => [row.column_name, row.data_type]))).toEqual({
      amount: "bigint",
      created_at: "timestamp with time zone",
      refs: "jsonb",
    });
    expect((await migrationStatus(t.store)).pending).toEqual([]);
  });

  it("runs transactions at READ COMMITTED even where the server default is stricter", async () => {
    // Connections whose default is SERIALIZABLE: only an explicit level gives read-committed behaviour below.
    const strictPool = new pg.Pool({
      connectionString: t.testSchema.url.replace(/[?&]schema=[^&]*/, ""),
      max: 1,
      options: `-c search_path=${t.testSchema.schema} -c default_transaction_isolation=serializable`,
    });
    const store = await createPostgresStore({ pool: strictPool });
    try {
      const late = makePayment();
      const seen = await store.transaction(async (tx) => {
        const before = await tx.getPayment(late.id);
        await t.raw.query("insert into payments select * from json_populate_record(null::payments, $1::json)", [
          JSON.stringify({ ...rowOf(late) }),
        ]);
        // READ COMMITTED: each statement sees what committed before it started, so the row appears mid-transaction.
        const after = await tx.getPayment(late.id);
        return { before, after: after?.id };
      });
      expect(seen).toEqual({ before: null, after: late.id });
    } finally {
      await store.close();
      await strictPool.end();
    }
  });

  it("re-runs the whole transaction after a serialization failure, a bounded number of times", async () => {
    let runs = 0;
    const result = await t.store.transaction(async () => {
      runs += 1;
      if (runs < 3) throw Object.assign(new Error("could not serialize access"), { code: "40001" });
      return "done";
    });
    expect(result).toBe("done");
    expect(runs).toBe(3);

    let forever = 0;
    await expect(
      t.store.transaction(async () => {
        forever += 1;
        throw Object.assign(new Error("could not serialize access"), { code: "40001" });
      }),
    ).rejects.toMatchObject({ code: "40001" });
    expect(forever).toBe(5);
  });

  it("survives a real deadlock: PostgreSQL aborts one transaction and the store re-runs it", async () => {
    const a = makePayment();
    const b = makePayment();
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(a);
      await tx.insertPayment(b);
    });
    let arrived = 0;
    let release!: () => void;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    const meet = async () => {
      arrived += 1;
      if (arrived === 2) release();
      await bothLocked;
    };
    let runs = 0;
    const crosswise = (first: typeof a, second: typeof a) =>
      t.store.transaction(async (tx) => {
        runs += 1;
        const one = await tx.updatePayment({ ...first, description: "x", version: 2 }, 1);
        await meet();
        const two = await tx.updatePayment({ ...second, description: "y", version: 2 }, 1);
        return [one, two];
      });
    const results = await Promise.all([crosswise(a, b), crosswise(b, a)]);
    expect(runs).toBe(3);
    // The survivor wrote both rows; the re-run found both versions taken and changed nothing.
    expect(results.map((pair) => pair.filter((p) => p !== null).length).sort()).toEqual([0, 2]);
  });

  it("uses a host pool's connections in the requested schema and leaves the pool open on close", async () => {
    const hostPool = new pg.Pool({ connectionString: t.testSchema.url.replace(/[?&]schema=[^&]*/, ""), max: 2 });
    try {
      const store = await createPostgresStore({ pool: hostPool, schema: t.testSchema.schema });
      const payment = makePayment();
      await store.transaction((tx) => tx.insertPayment(payment));
      await store.close();
      const { rows } = await hostPool.query(`select id from "${t.testSchema.schema}".payments`);
      expect(rows.map((row: { id: string }) => row.id)).toEqual([payment.id]);
    } finally {
      await hostPool.end();
    }
  });

  it("never migrates implicitly: a store on a new schema reports every migration pending", async () => {
    const fresh = await createPostgresStore({ connectionString: t.testSchema.url.replace(t.testSchema.schema, `${t.testSchema.schema}_new`) });
    try {
      const status = await migrationStatus(fresh);
      expect(status.current).toBeNull();
      expect(status.pending.length).toBeGreaterThan(0);
      await expect(fresh.getPayment("pay_1")).rejects.toThrow(/payments/);
    } finally {
      await fresh.close();
    }
  });
});

describe.skipIf(!available)("postgres migration 0007_payment_totals", () => {
  it("fills the all-time totals from the payments already stored, across its shards", async () => {
    const t = await createPostgresTestStore();
    try {
      const migrator = new Migrator({ db: t.store.db, provider: paymentMigrations(t.store.dialect.columnTypes), migrationTableSchema: t.testSchema.schema });
      expect((await migrator.migrateTo("0006_outbox_open_events")).error).toBeUndefined();
      await expectTotalsFilledFromPaymentsBefore0010(t.store, async () => {
        expect((await migrate(t.store)).applied).toContain("0007_payment_totals");
      });
      // Spread over shards, not one row per group.
      expect(Number((await t.raw.query("select count(distinct shard) as n from payment_totals")).rows[0].n)).toBeGreaterThan(1);
    } finally {
      await t.dispose();
    }
  });

  it("counts a write made from a session on another search_path (an operator's psql) in this schema's totals", async () => {
    const t = await createPostgresTestStore();
    const other = await createPostgresTestStore();
    // A session whose search_path finds the *other* store first, as an operator's default path might.
    const operator = new pg.Client({ connectionString: t.testSchema.url.replace(/[?&]schema=[^&]*/, ""), options: `-c search_path=${other.testSchema.schema}` });
    try {
      await migrate(t.store);
      await migrate(other.store);
      const payment = makePayment({ amount: 500 });
      await t.store.transaction((tx) => tx.insertPayment(payment));
      await operator.connect();
      await operator.query(`update "${t.testSchema.schema}".payments set status = 'canceled', version = version + 1 where id = $1`, [payment.id]);
      expect(await t.store.stats({})).toEqual(await t.store.stats({ createdFrom: "1970-01-01T00:00:00.000Z" }));
      expect((await t.store.stats({})).map((row) => `${row.status}:${row.count}`)).toEqual(["canceled:1"]);
      expect(await other.store.stats({})).toEqual([]);
    } finally {
      await operator.end().catch(() => undefined);
      await t.dispose();
      await other.dispose();
    }
  });
});

describe.skipIf(!available)("postgres migration 0003_webhook_inbox", () => {
  it("turns the old first-seen markers into processed inbox events, so a redelivery stays a duplicate", async () => {
    const t = await createPostgresTestStore();
    try {
      const migrator = new Migrator({ db: t.store.db, provider: paymentMigrations(t.store.dialect.columnTypes), migrationTableSchema: t.testSchema.schema });
      expect((await migrator.migrateTo("0002_outbox_skip_reason")).error).toBeUndefined();
      await t.raw.query("insert into webhook_events (provider, event_id, received_at) values ($1, $2, $3)", ["paypal", "WH-OLD", "2026-01-01T00:00:00.000Z"]);
      // 0003 and every migration after it.
      expect((await migrate(t.store)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0003_webhook_inbox")));
      const [row] = await t.store.listInboxEvents({ limit: 10 });
      expect(row).toMatchObject({ provider: "paypal", eventId: "WH-OLD", status: "processed", processedAt: "2026-01-01T00:00:00.000Z" });
      expect(await t.store.transaction((tx) => tx.insertInboxEvent({ ...row!, status: "received" }))).toBe(false);
      expect((await t.raw.query("select to_regclass('webhook_events') as t")).rows[0].t).toBeNull();
    } finally {
      await t.dispose();
    }
  });
});
