import { sampleHistory } from "@org/payments-core/testing";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { reshapedIndexAnswers, upgradePayments } from "@org/payments-test-support/smaller-indexes-upgrade";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { Migrator } from "kysely";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();

/** Index and constraint definitions of a schema, with its name taken out, so two schemas can be compared. */
async function schemaShape(raw: pg.Pool, schema: string): Promise<string[]> {
  const indexes = await raw.query<{ line: string }>(
    "select indexname || ': ' || replace(indexdef, $1 || '.', '') as line from pg_indexes where schemaname = $1 order by indexname",
    [schema],
  );
  const constraints = await raw.query<{ line: string }>(
    "select c.conrelid::regclass::text || '.' || c.conname || ': ' || pg_get_constraintdef(c.oid) as line from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = $1 order by 1",
    [schema],
  );
  return [...indexes.rows, ...constraints.rows].map((row) => row.line.replaceAll(`${schema}.`, ""));
}

describe.skipIf(!available)("postgres migration 0011_smaller_indexes", () => {
  it("upgrades a schema holding payments and history: every answer the same, the history's order and seq kept, the schema as a fresh one's", async () => {
    const t = await createPostgresTestStore();
    const fresh = await createPostgresTestStore();
    try {
      const migrator = new Migrator({ db: t.store.db, provider: paymentMigrations(t.store.dialect.columnTypes), migrationTableSchema: t.testSchema.schema });
      expect((await migrator.migrateTo("0010_customers")).error).toBeUndefined();
      const payments = upgradePayments();
      const doomed = makePayment();
      await t.store.transaction(async (tx) => {
        for (const payment of [...payments, doomed]) await tx.insertPayment(payment);
        await tx.appendHistory([sampleHistory(payments[0]!, { to: "pending" }), sampleHistory(payments[1]!, { to: "pending" })]);
        await tx.appendHistory([sampleHistory(payments[0]!, { from: "pending", to: "processing" }), sampleHistory(payments[0]!, { from: "processing", to: "succeeded" })]);
        await tx.appendHistory([sampleHistory(doomed), sampleHistory(doomed)]);
      });
      // The newest entries go with their payment: the next entry must still get a number past them.
      await t.raw.query("delete from payments where id = $1", [doomed.id]);
      const before = await reshapedIndexAnswers(t.store, payments);
      const seqBefore = (await t.raw.query<{ seq: string }>("select seq from payment_history order by seq")).rows;

      expect((await migrate(t.store)).applied).toEqual(["0011_smaller_indexes"]);
      expect(MIGRATION_NAMES.at(-1)).toBe("0011_smaller_indexes");

      expect(await reshapedIndexAnswers(t.store, payments)).toEqual(before);
      expect((await t.raw.query<{ seq: string }>("select seq from payment_history order by seq")).rows).toEqual(seqBefore);
      await t.store.transaction((tx) => tx.appendHistory([sampleHistory(payments[2]!)]));
      const newest = await t.raw.query<{ seq: string }>("select max(seq) as seq from payment_history");
      expect(BigInt(newest.rows[0]!.seq)).toBeGreaterThan(6n);
      // An upgraded schema is the schema a new install gets.
      await migrate(fresh.store);
      expect(await schemaShape(t.raw, t.testSchema.schema)).toEqual(await schemaShape(fresh.raw, fresh.testSchema.schema));
      expect((await migrate(t.store)).applied).toEqual([]);
    } finally {
      await t.dispose();
      await fresh.dispose();
    }
  });
});
