import { formatReceiptNumber } from "@org/payments-core";
import type { Payment } from "@org/payments-core";
import { sampleEvent, samplePayment } from "@org/payments-core/testing";
import { JSON_COLUMNS } from "@org/payments-kysely";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

const ISSUED = "2026-05-06T07:08:09.000Z";
/** The application name of the lock-order test's sessions, so that it counts only its own waits. */
const LOCK_ORDER_APP = "receipts-lock-order-test";

/**
 * The receipt number taken at commit (receipts-at-commit.ts in the shared store) is formatted and put in place by
 * SQL the core never sees: these pin it to the core's format, to the columns PostgreSQL really has, and to what
 * the database ends up holding when the number must be taken before the last statement.
 */
describe.skipIf(!available)("PostgreSQL: receipt numbers taken at commit", () => {
  let schema: TestSchema;
  let store: PostgresPaymentStore;
  let second: PostgresPaymentStore;
  const sent: string[] = [];
  const sentBySecond: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema("payments_receipts_at_commit");
    store = await createPostgresStore({ connectionString: schema.url, max: 4, log: (event) => void sent.push(event.query.sql) });
    second = await createPostgresStore({ connectionString: schema.url, max: 4, log: (event) => void sentBySecond.push(event.query.sql) });
    await migrate(store);
  });
  beforeEach(async () => {
    sent.length = 0;
    sentBySecond.length = 0;
    await sql`delete from receipts`.execute(store.db);
    await sql`delete from receipt_counters`.execute(store.db);
  });
  afterAll(async () => {
    await second?.close();
    await store?.close();
    await schema?.drop();
  });

  async function storedPayment(overrides: Partial<Payment> = {}): Promise<Payment> {
    const payment = samplePayment({ status: "processing", ...overrides });
    await store.transaction((tx) => tx.insertPayment(payment));
    return payment;
  }

  const atCommit = (on: PostgresPaymentStore, paymentId: string) => on.transaction((tx) => tx.allocateReceiptNumberAtCommit!(paymentId, ISSUED));

  it("formats the number as the core does, past a million too", async () => {
    for (const sequence of [1, 999_999, 1_000_000, 1_234_567]) {
      await sql`delete from receipt_counters`.execute(store.db);
      if (sequence > 1) await sql`insert into receipt_counters (year, last_number) values (2026, ${sequence - 1})`.execute(store.db);
      const payment = await storedPayment();
      const taken = await atCommit(store, payment.id);
      expect(taken).toBe(formatReceiptNumber(2026, sequence));
      const { rows } = await sql<{ number: string }>`select number from receipts where payment_id = ${payment.id}`.execute(store.db);
      expect(rows[0]?.number).toBe(taken);
    }
  });

  it("casts back to jsonb exactly the columns that are jsonb after the migrations", async () => {
    const { rows } = await sql<{ column: string }>`
      select table_name || '.' || column_name as column from information_schema.columns
      where table_schema = current_schema() and data_type = 'jsonb'`.execute(store.db);
    const listed = Object.entries(JSON_COLUMNS).flatMap(([table, columns]) => [...columns].map((column) => `${table}.${column}`));
    expect(rows.map((row) => row.column).sort()).toEqual(listed.sort());
  });

  it("a number the transaction must take before its last statement is put in place in what it sends after, and in its result", async () => {
    const payment = await storedPayment();
    const other = await storedPayment();
    let standIn = "";
    const result = await store.transaction(async (tx) => {
      standIn = await tx.allocateReceiptNumberAtCommit!(payment.id, ISSUED);
      const settled: Payment = { ...payment, status: "succeeded", receiptNumber: standIn, version: payment.version + 1 };
      await tx.updatePaymentOrConflict!(settled, payment.version);
      // A read of a table the held writes touch: they go first, and the number with them.
      expect(await tx.getPayment(other.id)).not.toBeNull();
      await tx.appendOutbox([sampleEvent({ ...settled, references: { receipt: standIn } }, "payment.succeeded")]);
      return { number: standIn, payment: settled };
    });
    expect(result.number).toBe(formatReceiptNumber(2026, 1));
    expect(result.payment.receiptNumber).toBe(result.number);
    expect(standIn).not.toBe(result.number);
    // Taken in the statement the read sent ahead of itself, inside the transaction; the event went after.
    const begin = sent.findIndex((text) => /^start transaction/.test(text));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(sent.findIndex((text) => /^with "rc" as/.test(text))).toBeGreaterThan(begin);
    expect(sent.at(-1)).toBe("commit");
    const { rows } = await sql<{ receipt: string | null; event: string; standIns: string }>`
      select (select receipt_number from payments where id = ${payment.id}) as receipt,
             (select event->'data'->'payment'->'references'->>'receipt' from outbox where event->>'paymentId' = ${payment.id} and event->>'type' = 'payment.succeeded') as event,
             ((select count(*) from payments p where p::text like ${`%${standIn}%`}) + (select count(*) from outbox o where o::text like ${`%${standIn}%`}))::text as "standIns"`.execute(store.db);
    expect(rows[0]).toEqual({ receipt: result.number, event: result.number, standIns: "0" });
  });

  it("two settles of one payment at once, on two stores: one number, the loser re-run numbering at once", async () => {
    const payment = await storedPayment();
    const [a, b] = await Promise.all([atCommit(store, payment.id), atCommit(second, payment.id)]);
    expect(a).toBe(formatReceiptNumber(2026, 1));
    expect(b).toBe(a);
    const { rows } = await sql<{ last_number: string }>`select last_number from receipt_counters where year = 2026`.execute(store.db);
    expect(Number(rows[0]?.last_number)).toBe(1);
    // The next payment goes on from there: the loser's counter step was undone with its statement.
    expect(await atCommit(store, (await storedPayment()).id)).toBe(formatReceiptNumber(2026, 2));
  });

  it("a number taken at once and one at commit for the same payment queue on the counter, never deadlock", async () => {
    const lockOrderSent: string[] = [];
    const lockOrderSecondSent: string[] = [];
    const named = (sent: string[]) =>
      createPostgresStore({ connectionString: schema.url, max: 2, poolConfig: { application_name: LOCK_ORDER_APP }, log: (event) => void sent.push(event.query.sql) });
    const lockOrder = await named(lockOrderSent);
    const lockOrderSecond = await named(lockOrderSecondSent);
    onTestFinished(async () => {
      await lockOrder.close();
      await lockOrderSecond.close();
    });
    const payment = await storedPayment();
    await sql`insert into receipt_counters (year, last_number) values (2026, 0)`.execute(store.db);
    // Only this test's sessions: other suites run beside it on the same database.
    const waiting = async () =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${LOCK_ORDER_APP} and wait_event_type = 'Lock'`.execute(store.db))
          .rows[0]!.n,
      );
    const until = async (count: number) => {
      for (let i = 0; i < 200 && (await waiting()) < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await waiting()).toBe(count);
    };
    // A third transaction holds the year's counter, so that the at-commit settle queues first and the allocation at
    // once behind it. Taken the other way round (the receipt row first, then the counter), the second would hold
    // the payment's receipt row that the first waits for, while waiting for the counter the first holds.
    const holder = await store.db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      let settle: Promise<string> | undefined;
      let webhook: Promise<string> | undefined;
      try {
        await sql`select * from receipt_counters where year = 2026 for update`.execute(connection);
        settle = atCommit(lockOrder, payment.id);
        await until(1);
        webhook = lockOrderSecond.transaction((tx) => tx.allocateReceiptNumber(payment.id, ISSUED));
        await until(2);
      } finally {
        // Never left holding the counter: every later test would wait on it.
        await sql`commit`.execute(connection);
      }
      return Promise.all([settle, webhook]);
    });
    expect(holder).toEqual([formatReceiptNumber(2026, 1), formatReceiptNumber(2026, 1)]);
    // Each sent once: no deadlock was broken and its transaction re-run.
    const counted = (statements: string[]) => statements.filter((text) => /insert into "receipt_counters"/.test(text));
    expect(counted(lockOrderSent)).toHaveLength(1);
    expect(counted(lockOrderSecondSent)).toHaveLength(1);
    const { rows } = await sql<{ last_number: string }>`select last_number from receipt_counters where year = 2026`.execute(store.db);
    expect(Number(rows[0]?.last_number)).toBe(1);
  });
});
