import type { PaymentFilter } from "@org/payments-core";
import { sampleEvent, samplePayment } from "@org/payments-core/testing";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

/** Payments spread over a year, one every ~100 minutes, each with a reference of its own. */
const SEEDED = 5_000;
const YEAR_START = Date.parse("2026-01-01T00:00:00.000Z");
const SPACING_MS = 6_000_000;
const at = (index: number) => new Date(YEAR_START + index * SPACING_MS).toISOString();
const LAST = at(SEEDED - 1);
const tenMinutesBefore = (iso: string) => new Date(Date.parse(iso) - 600_000).toISOString();

/** Each filter a host pages through, and the index that must answer it instead of a scan of every payment. */
const FILTERS: Array<{ name: string; filter: PaymentFilter; index: string }> = [
  { name: "reference", filter: { reference: { key: "booking", value: "b_4242" } }, index: "payment_references_lookup" },
  { name: "createdFrom (the last 10 minutes)", filter: { createdFrom: tenMinutesBefore(LAST) }, index: "payments_created_at" },
  { name: "createdTo (the first day)", filter: { createdTo: at(14) }, index: "payments_created_at" },
  { name: "updatedFrom (reconcile's window)", filter: { updatedFrom: tenMinutesBefore(LAST) }, index: "payments_updated_at" },
  { name: "authorizationExpiresBefore", filter: { authorizationExpiresBefore: at(10) }, index: "payments_authorization_expires_at" },
];

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

const available = await postgresAvailable();

describe.skipIf(!available)("postgres: list filters use their indexes at size", () => {
  let t: PostgresTestStore;
  let issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    t = await createPostgresTestStore();
    // A second store on the same schema that records the statements it issues.
    await migrate(t.store);
    const { createPostgresStore } = await import("../src/index.js");
    const logged = await createPostgresStore({ connectionString: t.testSchema.url, log: (event) => void issued.push(event.query) });
    await t.store.close();
    t.store = logged;
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < SEEDED; i++) {
        await tx.insertPayment(
          samplePayment({
            createdAt: at(i),
            updatedAt: at(i),
            owner: `user_${i % 50}`,
            references: { booking: `b_${i}` },
            authorizationExpiresAt: i % 100 === 0 ? at(i + 7) : null,
          }),
        );
      }
    });
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

  for (const { name, filter, index } of FILTERS) {
    it(`${name}: searched through ${index}, never a sequential scan of payments`, async () => {
      const nodes = await planOf(filter);
      const shown = JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]]));
      expect(nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "payments"), shown).toBe(false);
      expect(nodes.some((node) => node["Index Name"] === index), shown).toBe(true);
    });
  }

  it("migrate() ANALYZEs the store's tables (the row estimate follows rows added since)", async () => {
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) await tx.insertPayment(samplePayment({ createdAt: at(i), updatedAt: at(i) }));
    });
    await migrate(t.store);
    // Inserts leave pg_class.reltuples alone; ANALYZE (or VACUUM) sets it, at once and in the catalog.
    const estimate = await t.raw.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'payments'::regclass");
    expect(estimate.rows[0]!.reltuples).toBe(SEEDED + 1_000);
  });
});

describe.skipIf(!available)("postgres: the outbox claim reads only its batch", () => {
  let t: PostgresTestStore;
  let issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    const { createPostgresStore } = await import("../src/index.js");
    const logged = await createPostgresStore({ connectionString: t.testSchema.url, log: (event) => void issued.push(event.query) });
    await t.store.close();
    t.store = logged;
    // A history of delivered events, and a backlog: 2,000 payments with three pending events each.
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < 2_000; i++) {
        const payment = samplePayment({ createdAt: at(i), updatedAt: at(i) });
        await tx.appendOutbox([0, 1, 2].map((n) => sampleEvent(payment, n === 0 ? "payment.created" : "payment.processing", at(i))));
      }
    });
    await t.raw.query("update outbox set status = 'delivered', delivered_at = next_attempt_at where sequence <= 3000");
    await t.store.optimize();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("walks outbox_pending in sequence order to its limit, probing outbox_open_by_payment, with no sort", async () => {
    issued = [];
    const claimed = await t.store.claimOutbox({ claimant: "d1", now: LAST, leaseUntil: new Date(Date.parse(LAST) + 60_000).toISOString(), limit: 50 });
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
    expect(claimed.map((entry) => entry.sequence)).toEqual(Array.from({ length: 50 }, (_, k) => 3_001 + 3 * k));
  });
});
