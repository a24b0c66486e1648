import type { Payment, PaymentFilter, PaymentStore } from "@org/payments-core";
import { sampleHistory } from "@org/payments-core/testing";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { Migrator } from "kysely";
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();

/** Payments that each reshaped index answers for: references, a customer, a dispute, an authorization, provider ids. */
function upgradePayments(): Payment[] {
  return [
    makePayment({ references: { booking: "b_1", order: "o_1" }, provider: "stripe", providerPaymentId: "pi_1" }),
    makePayment({ references: { booking: "b_2" }, customerId: "cus_1", customerEmail: "a@example.com", disputed: true }),
    makePayment({ status: "authorized", captureMethod: "manual", authorizationExpiresAt: "2026-03-08T10:00:00.000Z", providerPaymentId: "pi_3" }),
    // The same provider id at another provider: each lookup must still find its own.
    makePayment({ provider: "paypal", providerPaymentId: "pi_1", references: { order: "o_1" } }),
  ];
}

const FILTERS: PaymentFilter[] = [
  { reference: { key: "booking", value: "b_1" } },
  { reference: { key: "order", value: "o_1" } },
  { customerId: "cus_1" },
  { customerEmail: "a@example.com" },
  { disputed: true },
  { disputed: false },
  { authorizationExpiresBefore: "2026-03-09T00:00:00.000Z" },
  { authorizationExpiresBefore: "2026-03-08T10:00:00.000Z" },
];

/** Everything the reshaped indexes serve, as the store answers it. */
async function answers(store: PaymentStore, payments: readonly Payment[]): Promise<unknown> {
  return {
    history: await Promise.all(payments.map((payment) => store.listHistory(payment.id))),
    lists: await Promise.all(FILTERS.map(async (filter) => (await store.listPayments(filter, { limit: 50 })).items.map((payment) => payment.id))),
    byProviderId: await store.transaction(async (tx) =>
      Promise.all([["stripe", "pi_1"], ["paypal", "pi_1"], ["simulated", "pi_3"], ["simulated", "pi_1"]].map(async ([provider, id]) => (await tx.findPaymentByProviderId(provider!, id!))?.id ?? null)),
    ),
  };
}

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
      const before = await answers(t.store, payments);
      const seqBefore = (await t.raw.query<{ seq: string }>("select seq from payment_history order by seq")).rows;

      expect((await migrate(t.store)).applied).toEqual(["0011_smaller_indexes"]);
      expect(MIGRATION_NAMES.at(-1)).toBe("0011_smaller_indexes");

      expect(await answers(t.store, payments)).toEqual(before);
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
