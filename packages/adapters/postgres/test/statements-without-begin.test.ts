import { samplePayment, sampleHistory, sampleEvent } from "@org/payments-core/testing";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

/**
 * A store transaction sends BEGIN only in front of its first write, and none when its writes are its last and only
 * statement (transaction-start.ts and deferred-writes.ts in the shared store). These pin what that may never cost:
 * a statement that is its own transaction must still be all or nothing, and a read must still see the
 * transaction's own writes.
 */
describe.skipIf(!available)("PostgreSQL: statements sent without BEGIN", () => {
  let schema: TestSchema;
  let store: PostgresPaymentStore;
  const sent: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema("payments_without_begin");
    store = await createPostgresStore({ connectionString: schema.url, max: 2, log: (event) => void sent.push(event.query.sql) });
    await migrate(store);
  });
  beforeEach(() => {
    sent.length = 0;
  });
  afterAll(async () => {
    await store?.close();
    await schema?.drop();
  });

  const count = async (table: string, paymentId: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where payment_id = ${paymentId}`.execute(store.db)).rows[0]!.n);

  it("a lost compare-and-set in the one statement of a transaction undoes the writes beside it", async () => {
    const payment = samplePayment();
    await store.transaction(async (tx) => tx.insertPayment(payment));
    sent.length = 0;
    const moved = { ...payment, status: "processing" as const, version: payment.version + 1 };
    // A stale version: the guarded update matches nothing; history and event travel in the same statement.
    const attempt = store.transaction(async (tx) => {
      await tx.updatePaymentOrConflict!({ ...moved, version: payment.version + 2 }, payment.version + 1);
      await tx.appendHistory([sampleHistory(moved)]);
      await tx.appendOutbox([sampleEvent(moved, "payment.created")]);
    });
    await expect(attempt).rejects.toMatchObject({ code: "conflict" });
    expect(sent.filter((text) => /^(start transaction|begin|commit|rollback)/i.test(text))).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(await count("payment_history", payment.id)).toBe(0);
    expect(await count("outbox", payment.id)).toBe(0);
  });

  it("a read after a held write of its table begins the transaction, sends the write, and sees it", async () => {
    const payment = samplePayment();
    const seen = await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      return tx.getPayment(payment.id);
    });
    expect(seen?.id).toBe(payment.id);
    expect(sent[0]).toMatch(/^start transaction/);
    expect(sent.at(-1)).toBe("commit");
  });

  it("a failure after writes that went rolls them back", async () => {
    const payment = samplePayment();
    const attempt = store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.getPayment(payment.id);
      throw new Error("the caller changed its mind");
    });
    await expect(attempt).rejects.toThrow("changed its mind");
    expect(sent.at(-1)).toBe("rollback");
    expect(await store.getPayment(payment.id)).toBeNull();
  });
});
