import type { PaymentFilter } from "@org/payments-core";
import {
  BACKLOG_CLAIM,
  INDEXED_FILTERS,
  MARK_HISTORY_DELIVERED,
  METADATA_WITH_CUSTOMER,
  SEEDED_REFUND_LOOKUP,
  expectOldestHeadsClaimed,
  seedOutboxBacklog,
  seedYearOfPayments,
} from "@org/payments-test-support/query-plan-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

describe("sqlite: list filters use their indexes at size", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  const issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, log: (event) => void issued.push(event.query) });
    await migrate(store);
    await seedYearOfPayments(store);
    // What a host's schedule (or the next migrate) does once data has arrived.
    await store.optimize();
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  /** The plan SQLite chooses for the exact statement (and parameters) the store issued for this filter. */
  async function planOf(filter: PaymentFilter): Promise<string[]> {
    issued.length = 0;
    await store.listPayments(filter, { limit: 50 });
    const statement = issued.at(-1);
    if (statement === undefined) throw new Error("the store issued no statement");
    const rows = database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>;
    return rows.map((row) => row.detail);
  }

  for (const { name, filter, index } of INDEXED_FILTERS) {
    it(`${name}: searched through ${index}, never a scan of payments`, async () => {
      const plan = await planOf(filter);
      expect(plan.some((step) => /^SCAN payments\b/.test(step)), plan.join(" | ")).toBe(false);
      expect(plan.some((step) => step.includes(index)), plan.join(" | ")).toBe(true);
    });
  }

  it(`metadata with a customer: the customer's rows found through ${METADATA_WITH_CUSTOMER.index}, metadata checked on those alone`, async () => {
    const plan = await planOf(METADATA_WITH_CUSTOMER.filter);
    expect(plan.some((step) => /^SCAN payments\b/.test(step)), plan.join(" | ")).toBe(false);
    expect(plan.some((step) => step.includes(METADATA_WITH_CUSTOMER.index)), plan.join(" | ")).toBe(true);
    const { items } = await store.listPayments(METADATA_WITH_CUSTOMER.filter, { limit: 50 });
    expect(items.map((payment) => payment.metadata)).toEqual([{ channel: "ch_4242" }]);
  });

  it(`a refund by its provider id: found through ${SEEDED_REFUND_LOOKUP.index}, never a scan of refunds`, async () => {
    issued.length = 0;
    const refund = await store.findRefundByProviderId(SEEDED_REFUND_LOOKUP.provider, SEEDED_REFUND_LOOKUP.providerRefundId);
    expect(refund?.providerRefundId).toBe(SEEDED_REFUND_LOOKUP.providerRefundId);
    const statement = issued.at(-1)!;
    const plan = (database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan.some((step) => /^SCAN (refunds|payments)\b/.test(step)), plan.join(" | ")).toBe(false);
    expect(plan.some((step) => step.includes(SEEDED_REFUND_LOOKUP.index)), plan.join(" | ")).toBe(true);
  });

  it("all-time stats read the totals, never payments; a window reads payments through payments_created_at", async () => {
    const plan = async (filter: Parameters<typeof store.stats>[0]) => {
      issued.length = 0;
      await store.stats(filter);
      const statement = issued.at(-1)!;
      return (database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>).map((row) => row.detail);
    };
    const allTime = await plan({});
    expect(allTime.some((step) => /\bpayments\b/.test(step.replace(/payment_totals/g, ""))), allTime.join(" | ")).toBe(false);
    const lastDay = await plan({ createdFrom: new Date(Date.now() - 86_400_000).toISOString() });
    expect(lastDay.some((step) => step.includes("payments_created_at")), lastDay.join(" | ")).toBe(true);
  });

  it("answers the reference filter with the one payment holding it", async () => {
    const { items } = await store.listPayments({ reference: { key: "booking", value: "b_4242" } }, { limit: 50 });
    expect(items.map((payment) => payment.references)).toEqual([{ booking: "b_4242" }]);
  });

  it("migrate() gathers the planner statistics a file holding data lacks (an upgrade of an existing file)", async () => {
    database.raw.exec("drop table sqlite_stat1; drop table sqlite_stat4");
    await migrate(store);
    const analyzed = database.raw.prepare("select count(*) as n from sqlite_stat1 where tbl = 'payments'").get() as { n: bigint };
    expect(Number(analyzed.n)).toBeGreaterThan(0);
  });
});

describe("sqlite: the outbox claim reads only its batch", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  const issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, log: (event) => void issued.push(event.query) });
    await migrate(store);
    await seedOutboxBacklog(store);
    database.raw.prepare(MARK_HISTORY_DELIVERED).run();
    await store.optimize();
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  it("walks outbox_pending in sequence order to its limit, probing outbox_open_by_payment, with no sort", async () => {
    issued.length = 0;
    const claimed = await store.claimOutbox(BACKLOG_CLAIM);
    // The claim is the statement that leases: an UPDATE whose candidates are the subquery.
    const statement = issued.find((query) => /^update "outbox"/.test(query.sql));
    if (statement === undefined) throw new Error("the claim issued no update");
    const plan = (database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>).map((row) => row.detail);
    const shown = plan.join(" | ");
    expect(plan.some((step) => /\bo\b.*USING (COVERING )?INDEX outbox_pending\b/.test(step)), shown).toBe(true);
    expect(plan.some((step) => /\bearlier\b.*USING (COVERING )?INDEX outbox_open_by_payment\b/.test(step)), shown).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE")), shown).toBe(false);
    expect(plan.some((step) => /^SCAN (o|outbox)$/.test(step)), shown).toBe(false);
    // And the batch is the oldest head of each payment: one event per payment, in sequence order.
    expectOldestHeadsClaimed(claimed);
  });
});
