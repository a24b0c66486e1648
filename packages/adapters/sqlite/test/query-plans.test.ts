import type { PaymentFilter } from "@org/payments-core";
import { sampleEvent, samplePayment } from "@org/payments-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

/** Payments spread over a year, one every ~100 minutes, each with a reference of its own. */
const SEEDED = 5_000;
const YEAR_START = Date.parse("2026-01-01T00:00:00.000Z");
const SPACING_MS = 6_000_000;
const at = (index: number) => new Date(YEAR_START + index * SPACING_MS).toISOString();
const LAST = at(SEEDED - 1);
const tenMinutesBefore = (iso: string) => new Date(Date.parse(iso) - 600_000).toISOString();

/** Each filter a host pages through, and the index that must answer it instead of a walk of every payment. */
const FILTERS: Array<{ name: string; filter: PaymentFilter; index: string }> = [
  { name: "reference", filter: { reference: { key: "booking", value: "b_4242" } }, index: "payment_references_lookup" },
  { name: "createdFrom (the last 10 minutes)", filter: { createdFrom: tenMinutesBefore(LAST) }, index: "payments_created_at" },
  { name: "createdTo (the first day)", filter: { createdTo: at(14) }, index: "payments_created_at" },
  { name: "updatedFrom (reconcile's window)", filter: { updatedFrom: tenMinutesBefore(LAST) }, index: "payments_updated_at" },
  { name: "authorizationExpiresBefore", filter: { authorizationExpiresBefore: at(10) }, index: "payments_authorization_expires_at" },
];

describe("sqlite: list filters use their indexes at size", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  const issued: Array<{ sql: string; parameters: readonly unknown[] }> = [];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    store = await createSqliteStore({ filename: database.filename, log: (event) => void issued.push(event.query) });
    await migrate(store);
    await store.transaction(async (tx) => {
      for (let i = 0; i < SEEDED; i++) {
        await tx.insertPayment(
          samplePayment({
            createdAt: at(i),
            updatedAt: at(i),
            owner: `user_${i % 50}`,
            references: { booking: `b_${i}` },
            // A few authorized payments carry an expiry (the index is partial: only those).
            authorizationExpiresAt: i % 100 === 0 ? at(i + 7) : null,
          }),
        );
      }
    });
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

  for (const { name, filter, index } of FILTERS) {
    it(`${name}: searched through ${index}, never a scan of payments`, async () => {
      const plan = await planOf(filter);
      expect(plan.some((step) => /^SCAN payments\b/.test(step)), plan.join(" | ")).toBe(false);
      expect(plan.some((step) => step.includes(index)), plan.join(" | ")).toBe(true);
    });
  }

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
    // A history of delivered events, and a backlog: 2,000 payments with three pending events each.
    await store.transaction(async (tx) => {
      for (let i = 0; i < 2_000; i++) {
        const payment = samplePayment({ createdAt: at(i), updatedAt: at(i) });
        await tx.appendOutbox([0, 1, 2].map((n) => sampleEvent(payment, n === 0 ? "payment.created" : "payment.processing", at(i))));
      }
    });
    database.raw.prepare("update outbox set status = 'delivered', delivered_at = next_attempt_at where sequence <= 3000").run();
    await store.optimize();
  });
  afterAll(async () => {
    await store?.close();
    database?.remove();
  });

  it("walks outbox_pending in sequence order to its limit, probing outbox_open_by_payment, with no sort", async () => {
    issued.length = 0;
    const claimed = await store.claimOutbox({ claimant: "d1", now: LAST, leaseUntil: new Date(Date.parse(LAST) + 60_000).toISOString(), limit: 50 });
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
    expect(claimed).toHaveLength(50);
    expect(new Set(claimed.map((entry) => entry.event.paymentId)).size).toBe(50);
    expect(claimed.map((entry) => entry.sequence)).toEqual(Array.from({ length: 50 }, (_, k) => 3_001 + 3 * k));
  });
});
