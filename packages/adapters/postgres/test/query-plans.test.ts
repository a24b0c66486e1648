import type { PaymentFilter } from "@org/payments-core";
import { samplePayment } from "@org/payments-core/testing";
import {
  BACKLOG_CLAIM,
  INDEXED_FILTERS,
  LAST_SEEDED,
  MARK_HISTORY_DELIVERED,
  METADATA_ALONE,
  SEEDED_REFUND_LOOKUP,
  SEEDED_PAYMENTS,
  expectOldestHeadsClaimed,
  seedOutboxBacklog,
  seedYearOfPayments,
  seededAt,
} from "@org/payments-test-support/query-plan-fixtures";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/**
 * A migrated test schema whose store records every statement it issues into `issued`, so a test can EXPLAIN the
 * exact statement (and parameters) the store sent.
 */
async function openLoggedTestStore(issued: () => Array<{ sql: string; parameters: readonly unknown[] }>): Promise<PostgresTestStore> {
  const t = await createPostgresTestStore();
  await migrate(t.store);
  const logged = await createPostgresStore({ connectionString: t.testSchema.url, log: (event) => void issued().push(event.query) });
  await t.store.close();
  t.store = logged;
  return t;
}

const available = await postgresAvailable();

describe.skipIf(!available)("postgres: list filters use their indexes at size", () => {
  let t: PostgresTestStore;
  let issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
    await seedYearOfPayments(t.store);
    // What a host's schedule (or the next migrate) does; autovacuum would too, in its own time.
    await t.store.optimize();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  async function planOf(filter: PaymentFilter): Promise<PlanNode[]> {
    issued = [];
    await t.store.listPayments(filter, { limit: 50 });
    const statement = issued.at(-1);
    if (statement === undefined) throw new Error("the store issued no statement");
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
    return nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
  }

  for (const { name, filter, index } of INDEXED_FILTERS) {
    it(`${name}: searched through ${index}, never a sequential scan of payments`, async () => {
      const nodes = await planOf(filter);
      const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
      expect(nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "payments"), shown).toBe(false);
      expect(nodes.some((node) => node["Index Name"] === index), shown).toBe(true);
    });
  }

  it(`metadata alone: searched through the GIN index ${METADATA_ALONE.index}, never a sequential scan of payments`, async () => {
    const nodes = await planOf(METADATA_ALONE.filter);
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "payments"), shown).toBe(false);
    expect(nodes.some((node) => node["Index Name"] === METADATA_ALONE.index), shown).toBe(true);
    const { items } = await t.store.listPayments(METADATA_ALONE.filter, { limit: 50 });
    expect(items.map((payment) => payment.metadata)).toEqual([{ channel: "ch_4242" }]);
  });

  it(`a refund by its provider id: found through ${SEEDED_REFUND_LOOKUP.index}, never a sequential scan`, async () => {
    issued = [];
    const refund = await t.store.findRefundByProviderId(SEEDED_REFUND_LOOKUP.provider, SEEDED_REFUND_LOOKUP.providerRefundId);
    expect(refund?.providerRefundId).toBe(SEEDED_REFUND_LOOKUP.providerRefundId);
    const statement = issued.at(-1)!;
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
    const nodes = nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan"), shown).toBe(false);
    expect(nodes.some((node) => node["Index Name"] === SEEDED_REFUND_LOOKUP.index), shown).toBe(true);
  });

  it("all-time stats read the totals, never payments; a window reads payments through payments_created_at", async () => {
    const planOfStats = async (filter: Parameters<typeof t.store.stats>[0]) => {
      issued = [];
      await t.store.stats(filter);
      const statement = issued.at(-1)!;
      const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
      return nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
    };
    const allTime = await planOfStats({});
    expect(allTime.some((node) => node["Relation Name"] === "payments"), JSON.stringify(allTime.map((node) => node["Relation Name"]))).toBe(false);
    const lastDay = await planOfStats({ createdFrom: new Date(Date.now() - 86_400_000).toISOString() });
    expect(lastDay.some((node) => node["Index Name"] === "payments_created_at"), JSON.stringify(lastDay.map((node) => node["Index Name"]))).toBe(true);
  });

  it("authorizationExpiresBefore with most authorizations due: payments_authorization_expires_at walked newest first to a page, with no sort", async () => {
    // Every seeded authorization expires before this bound: the page is the newest 50 of them, found without reading
    // the others (an index ordered by expiry reads every one before the bound, then sorts them by id).
    const filter = { authorizationExpiresBefore: new Date(Date.parse(LAST_SEEDED) + 86_400_000).toISOString() };
    const nodes = await planOf(filter);
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Index Name"] === "payments_authorization_expires_at" && node["Node Type"] === "Index Scan"), shown).toBe(true);
    expect(nodes.some((node) => node["Node Type"] === "Sort" || node["Node Type"] === "Seq Scan"), shown).toBe(false);
    const { items } = await t.store.listPayments(filter, { limit: 50 });
    expect(items).toHaveLength(50);
    expect(items.every((payment) => payment.authorizationExpiresAt !== null && payment.authorizationExpiresAt < filter.authorizationExpiresBefore)).toBe(true);
  });

  /** The plan PostgreSQL chooses for a statement the store issued. */
  async function planOfStatement(statement: { sql: string; parameters: readonly unknown[] } | undefined): Promise<PlanNode[]> {
    if (statement === undefined) throw new Error("the store issued no such statement");
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
    return nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
  }

  it("a payment by its provider id: found through payments_provider_payment_id, never a scan", async () => {
    issued = [];
    await t.store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_4242"));
    const nodes = await planOfStatement(issued.find((statement) => /from "payments"/.test(statement.sql)));
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Index Name"] === "payments_provider_payment_id"), shown).toBe(true);
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan"), shown).toBe(false);
  });

  it("a payment's history: found through payment_history_payment, never a scan of the history", async () => {
    // Three entries for every seeded payment, as a charge writes.
    await t.raw.query(
      "insert into payment_history (id, payment_id, to_status, at, actor, reason, kind) select 'his_' || n || '_' || id, id, 'pending', created_at, 'user_1', 'created', 'transition' from payments, generate_series(1, 3) as n",
    );
    await t.raw.query("analyze payment_history");
    const { items } = await t.store.listPayments({}, { limit: 1 });
    issued = [];
    expect(await t.store.listHistory(items[0]!.id)).toHaveLength(3);
    const nodes = await planOfStatement(issued.at(-1));
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Index Name"] === "payment_history_payment"), shown).toBe(true);
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan"), shown).toBe(false);
  });

  it("migrate() ANALYZEs the store's tables (the row estimate follows rows added since)", async () => {
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) await tx.insertPayment(samplePayment({ createdAt: seededAt(i), updatedAt: seededAt(i) }));
    });
    await migrate(t.store);
    // Inserts leave pg_class.reltuples alone; ANALYZE (or VACUUM) sets it, at once and in the catalog.
    const estimate = await t.raw.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'payments'::regclass");
    expect(estimate.rows[0]!.reltuples).toBe(SEEDED_PAYMENTS + 1_000);
  });
});

describe.skipIf(!available)("postgres: the outbox claim reads only its batch", () => {
  let t: PostgresTestStore;
  let issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
    await seedOutboxBacklog(t.store);
    await t.raw.query(MARK_HISTORY_DELIVERED);
    await t.store.optimize();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("walks outbox_pending in sequence order to its limit, probing outbox_open_by_payment, with no sort", async () => {
    issued = [];
    const claimed = await t.store.claimOutbox(BACKLOG_CLAIM);
    const statement = issued.find((query) => /^update "outbox"/.test(query.sql));
    if (statement === undefined) throw new Error("the claim issued no update");
    // EXPLAIN without ANALYZE plans the statement without running it (nothing is leased twice).
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
    const nodes = nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
    const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
    expect(nodes.some((node) => node["Index Name"] === "outbox_pending"), shown).toBe(true);
    expect(nodes.some((node) => node["Index Name"] === "outbox_open_by_payment"), shown).toBe(true);
    expect(nodes.some((node) => node["Node Type"] === "Sort" || node["Node Type"] === "Hash"), shown).toBe(false);
    expect(nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "outbox"), shown).toBe(false);
    expectOldestHeadsClaimed(claimed);
  });
});
