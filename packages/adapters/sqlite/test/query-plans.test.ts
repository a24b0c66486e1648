import type { PaymentFilter } from "@org/payments-core";
import {
  BACKLOG_CLAIM,
  INDEXED_FILTERS,
  LAST_SEEDED,
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

  /**
   * A step that reads every payment: `SCAN payments` of the table, of its primary key or of an index holding every
   * payment. A SCAN of a partial index reads only the payments it holds (those with an authorization expiry, say),
   * in its order, and stops at the page.
   */
  function scansAllPayments(step: string): boolean {
    if (!/^SCAN payments\b/.test(step)) return false;
    const partial = database.raw
      .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'payments' and sql like '% where %'")
      .pluck()
      .all() as string[];
    return !partial.some((index) => new RegExp(`^SCAN payments USING (COVERING )?INDEX ${index}$`).test(step));
  }

  for (const { name, filter, index } of INDEXED_FILTERS) {
    it(`${name}: searched through ${index}, never a scan of payments`, async () => {
      const plan = await planOf(filter);
      expect(plan.some(scansAllPayments), plan.join(" | ")).toBe(false);
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

  it("authorizationExpiresBefore with most authorizations due: payments_authorization_expires_at walked newest first to a page, with no sort", async () => {
    // Every seeded authorization expires before this bound: the page is the newest 50 of them, found without reading
    // the others (an index ordered by expiry reads every one before the bound, then sorts them by id).
    const filter = { authorizationExpiresBefore: new Date(Date.parse(LAST_SEEDED) + 86_400_000).toISOString() };
    const plan = await planOf(filter);
    const shown = plan.join(" | ");
    expect(plan.some((step) => /^SCAN payments USING (COVERING )?INDEX payments_authorization_expires_at$/.test(step)), shown).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE")), shown).toBe(false);
    const { items } = await store.listPayments(filter, { limit: 50 });
    expect(items).toHaveLength(50);
    expect(items.every((payment) => payment.authorizationExpiresAt !== null && payment.authorizationExpiresAt < filter.authorizationExpiresBefore)).toBe(true);
  });

  /** The plan SQLite chooses for a statement the store issued. */
  function planOfStatement(statement: { sql: string; parameters: readonly unknown[] } | undefined): string[] {
    if (statement === undefined) throw new Error("the store issued no such statement");
    return (database.raw.prepare(`explain query plan ${statement.sql}`).all(...statement.parameters) as Array<{ detail: string }>).map((row) => row.detail);
  }

  it("a payment by its provider id: found through payments_provider_payment_id, never a scan", async () => {
    issued.length = 0;
    await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_4242"));
    const plan = planOfStatement(issued.find((statement) => /from "payments"/.test(statement.sql)));
    expect(plan.some((step) => step.includes("payments_provider_payment_id")), plan.join(" | ")).toBe(true);
    expect(plan.some((step) => /^SCAN /.test(step)), plan.join(" | ")).toBe(false);
  });

  it("a payment's history: payment_history_payment in seq order (its rowid), with no sort and no scan", async () => {
    // Three entries for every seeded payment, as a charge writes.
    database.raw
      .prepare(
        "insert into payment_history (id, payment_id, to_status, at, actor, reason, kind) select 'his_' || n.value || '_' || id, id, 'pending', created_at, 'user_1', 'created', 'transition' from payments, (select 1 as value union all select 2 union all select 3) as n",
      )
      .run();
    database.raw.exec("analyze payment_history");
    const { items } = await store.listPayments({}, { limit: 1 });
    issued.length = 0;
    expect(await store.listHistory(items[0]!.id)).toHaveLength(3);
    const plan = planOfStatement(issued.at(-1));
    expect(plan.some((step) => step.includes("payment_history_payment")), plan.join(" | ")).toBe(true);
    expect(plan.some((step) => step.includes("TEMP B-TREE") || /^SCAN /.test(step)), plan.join(" | ")).toBe(false);
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
