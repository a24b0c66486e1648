import { isPaymentError } from "@org/payments-core";
import type { PaymentErrorCode } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { Migrator } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import { insertPaymentsBefore0010 } from "./payments-before-0010.js";
import { INDEXED_DISPUTE_FILTERS, SEEDED_PAYMENT_ID, STATS_WINDOW, makeDispute, seedYearOfDisputes } from "@org/payments-test-support/dispute-fixtures";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

/** The code a call is refused with, or "resolved". */
async function codeOf(call: () => Promise<unknown>): Promise<PaymentErrorCode | "resolved" | "other"> {
  try {
    await call();
    return "resolved";
  } catch (error) {
    return isPaymentError(error) ? error.code : "other";
  }
}

type Issued = Array<{ sql: string; parameters: readonly unknown[] }>;

/** A migrated test schema whose store records every statement it sends into `issued()`. */
async function openLoggedTestStore(issued: () => Issued): Promise<PostgresTestStore> {
  const t = await createPostgresTestStore();
  await migrate(t.store);
  const logged = await createPostgresStore({ connectionString: t.testSchema.url, log: (event) => void issued().push(event.query) });
  await t.store.close();
  t.store = logged;
  return t;
}

const available = await postgresAvailable();

describe.skipIf(!available)("postgres disputes", () => {
  let t: PostgresTestStore;
  let issued: Issued = [];
  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
  });
  beforeEach(async () => {
    await t.reset();
    issued = [];
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const count = async () => Number((await t.raw.query("select count(*) as n from disputes")).rows[0].n);

  it("a second dispute with the same provider and provider dispute id is conflict, refused by the unique constraint, and changes nothing", async () => {
    const payment = makePayment();
    const first = makeDispute(payment);
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(first);
    });
    const twin = makeDispute(payment, { providerDisputeId: first.providerDisputeId, amount: 1 });
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertDispute(twin)))).toBe("conflict");
    // Also when the insert travels with the payment's update (a held write failing in the statement it rode with).
    expect(
      await codeOf(() =>
        t.store.transaction(async (tx) => {
          await tx.insertDispute(twin);
          await tx.updatePayment({ ...payment, disputed: true, version: 2 }, 1);
        }),
      ),
    ).toBe("conflict");
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertDispute({ ...first, providerDisputeId: "du_other" })))).toBe("conflict");
    expect(await count()).toBe(1);
    expect(await t.store.getDispute(first.id)).toEqual(first);
    expect((await t.store.getPayment(payment.id))?.version).toBe(1);
    // The database's constraint, not a check of the store's: a write behind the store's back is refused too.
    await expect(t.raw.query("insert into disputes select 'dp_raw', payment_id, provider, provider_dispute_id, provider_payment_id, amount, currency, status, reason, provider_reason, evidence_due_by, status_history, opened_at, closed_at, reported_at, created_at, updated_at, version from disputes")).rejects.toThrow(/disputes_provider_dispute_id/);
    await t.store.transaction((tx) => tx.insertDispute(makeDispute(payment, { provider: "paypal", providerDisputeId: first.providerDisputeId })));
    expect(await count()).toBe(2);
  });

  it("stores the amount as bigint, the instants as timestamptz and the history as jsonb, and reads them back exactly", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment, { amount: Number.MAX_SAFE_INTEGER, openedAt: "2026-03-01T12:00:00+02:00", evidenceDueBy: "2026-03-08T10:00:00.123Z" });
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    const types = await t.raw.query(
      "select pg_typeof(amount)::text as amount, pg_typeof(opened_at)::text as opened, pg_typeof(status_history)::text as history, amount::text as value from disputes",
    );
    expect(types.rows[0]).toEqual({ amount: "bigint", opened: "timestamp with time zone", history: "jsonb", value: String(Number.MAX_SAFE_INTEGER) });
    expect(await t.store.getDispute(dispute.id)).toEqual({ ...dispute, openedAt: "2026-03-01T10:00:00.000Z" });
  });

  it("refuses to read a stored amount past 2^53 (internal), and to write an unsafe one (internal, nothing written)", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    issued = [];
    expect(await codeOf(() => t.store.transaction((tx) => tx.insertDispute(makeDispute(payment, { amount: 2 ** 53 }))))).toBe("internal");
    expect(await codeOf(() => t.store.transaction((tx) => tx.updateDispute({ ...dispute, amount: 10.5, version: 2 }, 1)))).toBe("internal");
    expect(issued.some((query) => query.sql.includes('"disputes"')), "no dispute statement was sent").toBe(false);
    expect(await count()).toBe(1);
    await t.raw.query("update disputes set amount = $1 where id = $2", [(2n ** 53n + 1n).toString(), dispute.id]);
    expect(await codeOf(() => t.store.getDispute(dispute.id))).toBe("internal");
    expect(await codeOf(() => t.store.listPaymentDisputes(payment.id))).toBe("internal");
  });

  it("refuses a stored status, reason or history status it does not know, rather than passing it on", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    await t.raw.query("update disputes set status = 'charge_refunded' where id = $1", [dispute.id]);
    expect(await codeOf(() => t.store.getDispute(dispute.id))).toBe("internal");
    await t.raw.query("update disputes set status = 'won', reason = 'whatever' where id = $1", [dispute.id]);
    expect(await codeOf(() => t.store.getDispute(dispute.id))).toBe("internal");
    await t.raw.query(`update disputes set reason = 'fraudulent', status_history = '[{"status":"reopened","providerStatus":"x","at":"2026-03-01T10:00:00.000Z"}]' where id = $1`, [dispute.id]);
    expect(await codeOf(() => t.store.getDispute(dispute.id))).toBe("internal");
  });

  it("in one transaction, a dispute just inserted is found by its provider id (the held insert goes first) and can be updated", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    const found = await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
      const byProviderId = await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId);
      const updated = await tx.updateDispute({ ...dispute, status: "under_review", version: 2 }, 1);
      return { byProviderId, updated, again: await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId) };
    });
    expect(found.byProviderId).toEqual(dispute);
    expect(found.updated?.status).toBe("under_review");
    expect(found.again?.version).toBe(2);
    // The lookups were never sent as the tail of a statement carrying the dispute's write (whose row it could not see).
    const lookups = issued.filter((query) => /select .* from "disputes"/.test(query.sql));
    expect(lookups).toHaveLength(2);
    expect(lookups.every((query) => !/^\s*with\b/i.test(query.sql)), lookups.map((query) => query.sql).join("\n")).toBe(true);
  });

  it("a recorded dispute's usual path: the insert rides with the payment's flag, and a later lookup still sees it", async () => {
    const payment = makePayment();
    await t.store.transaction((tx) => tx.insertPayment(payment));
    const dispute = makeDispute(payment);
    issued = [];
    const seen = await t.store.transaction(async (tx) => {
      expect(await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId)).toBeNull();
      await tx.insertDispute(dispute);
      expect(await tx.updatePayment({ ...payment, disputed: true, version: 2 }, 1)).not.toBeNull();
      return tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId);
    });
    expect(seen).toEqual(dispute);
    // One statement carried the insert in front of the payment's guarded update.
    expect(issued.some((query) => /^with .*insert into "disputes".*update "payments"/s.test(query.sql)), issued.map((q) => q.sql).join("\n")).toBe(true);
    expect(await t.store.listPaymentDisputes(payment.id)).toEqual([dispute]);
  });

  it("updateDispute is a compare-and-set on version: a stale one is null and changes nothing", async () => {
    const payment = makePayment();
    const dispute = makeDispute(payment);
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertDispute(dispute);
    });
    expect((await t.store.transaction((tx) => tx.updateDispute({ ...dispute, status: "under_review", version: 2 }, 1)))?.version).toBe(2);
    expect(await t.store.transaction((tx) => tx.updateDispute({ ...dispute, status: "lost", version: 2 }, 1))).toBeNull();
    expect(await t.store.getDispute(dispute.id)).toMatchObject({ status: "under_review", version: 2 });
  });

  it("hostile text: a write holding it is validation_error before any statement; a lookup or filter by it finds nothing", async () => {
    const payment = makePayment();
    await t.store.transaction((tx) => tx.insertPayment(payment));
    issued = [];
    for (const text of ["a\u0000b", "\ud800", "x\udc00y"]) {
      for (const field of ["providerReason", "providerDisputeId", "currency"] as const) {
        expect(await codeOf(() => t.store.transaction((tx) => tx.insertDispute(makeDispute(payment, { [field]: text }))))).toBe("validation_error");
      }
      expect(await codeOf(() => t.store.transaction((tx) => tx.insertDispute(makeDispute(payment, { statusHistory: [{ status: "needs_response", providerStatus: text, at: payment.createdAt }] }))))).toBe("validation_error");
      expect(await t.store.transaction((tx) => tx.findDisputeByProviderId("stripe", text))).toBeNull();
      expect(await t.store.transaction((tx) => tx.findDisputeByProviderId(text, "du_1"))).toBeNull();
      expect(await t.store.getDispute(text)).toBeNull();
      expect(await t.store.listPaymentDisputes(text)).toEqual([]);
      expect(await t.store.listDisputes({ provider: text }, { limit: 10 })).toEqual({ items: [], nextCursor: null });
    }
    expect(issued.some((query) => query.sql.includes('"disputes"')), "no dispute statement was sent").toBe(false);
    expect(await count()).toBe(0);
  });

  it("lists newest first by keyset pages with the filters combined, and refuses an unknown field or a bad cursor", async () => {
    const payment = makePayment({ currency: "EUR" });
    const other = makePayment({ currency: "USD" });
    const disputes = [
      makeDispute(payment, { status: "won", closedAt: payment.createdAt, evidenceDueBy: null }),
      makeDispute(payment),
      makeDispute(other),
      makeDispute(payment),
    ];
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertPayment(other);
      for (const dispute of disputes) await tx.insertDispute(dispute);
    });
    const first = await t.store.listDisputes({ paymentId: payment.id }, { limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual([disputes[3]!.id, disputes[1]!.id]);
    expect(await t.store.listDisputes({ paymentId: payment.id }, { limit: 2, cursor: first.nextCursor! })).toEqual({ items: [disputes[0]], nextCursor: null });
    expect((await t.store.listDisputes({ status: ["needs_response"], currency: "EUR" }, { limit: 10 })).items.map((d) => d.id)).toEqual([disputes[3]!.id, disputes[1]!.id]);
    expect((await t.store.listDisputes({ evidenceDueBefore: "2099-01-01T00:00:00Z" }, { limit: 10 })).items).toHaveLength(3);
    expect(await t.store.listPaymentDisputes(payment.id)).toEqual([disputes[0], disputes[1], disputes[3]]);
    expect(await codeOf(() => t.store.listDisputes({ owner: "user_1" } as never, { limit: 10 }))).toBe("validation_error");
    expect(await codeOf(() => t.store.listDisputes({}, { limit: 10, cursor: "not a cursor" }))).toBe("invalid_cursor");
  });

  it("stats: exact bigint sums per status and currency, past 2^53, within the opened window, in code-unit order", async () => {
    const payment = makePayment({ amount: Number.MAX_SAFE_INTEGER, currency: "EUR" });
    await t.store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      for (let i = 0; i < 3; i++) await tx.insertDispute(makeDispute(payment));
      await tx.insertDispute(makeDispute(payment, { status: "lost", amount: 7, currency: "USD", openedAt: "2026-04-01T00:00:00.000Z" }));
      await tx.insertDispute(makeDispute(payment, { status: "warning_closed", amount: 5, openedAt: "2026-04-01T00:00:00.000Z" }));
      await tx.insertDispute(makeDispute(payment, { status: "won", amount: 5, openedAt: "2026-04-01T00:00:00.000Z" }));
    });
    expect(await t.store.disputeStats({})).toEqual([
      { status: "lost", currency: "USD", count: 1, amount: 7n },
      { status: "needs_response", currency: "EUR", count: 3, amount: 3n * BigInt(Number.MAX_SAFE_INTEGER) },
      { status: "warning_closed", currency: "EUR", count: 1, amount: 5n },
      { status: "won", currency: "EUR", count: 1, amount: 5n },
    ]);
    expect((await t.store.disputeStats({ openedFrom: "2026-03-15T00:00:00Z" })).map((row) => row.status)).toEqual(["lost", "warning_closed", "won"]);
  });
});

describe.skipIf(!available)("postgres migration 0009_disputes", () => {
  it("adds the disputes table to a schema migrated to 0008, keeping its payments", async () => {
    const t = await createPostgresTestStore();
    try {
      const migrator = new Migrator({ db: t.store.db, provider: paymentMigrations(t.store.dialect.columnTypes), migrationTableSchema: t.testSchema.schema });
      expect((await migrator.migrateTo("0008_search_indexes")).error).toBeUndefined();
      const payment = makePayment({ references: { order: "o_1" } });
      await insertPaymentsBefore0010(t.store, [payment]);
      // 0009 and every migration after it (0010_customers has a test of its own, customers.test.ts).
      expect((await migrate(t.store)).applied).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf("0009_disputes")));
      expect(await t.store.getPayment(payment.id)).toEqual(payment);
      const dispute = makeDispute(payment);
      await t.store.transaction((tx) => tx.insertDispute(dispute));
      expect(await t.store.listPaymentDisputes(payment.id)).toEqual([dispute]);
      expect((await migrate(t.store)).applied).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

describe.skipIf(!available)("postgres: dispute filters use their indexes at size", () => {
  let t: PostgresTestStore;
  let issued: Issued = [];

  beforeAll(async () => {
    t = await openLoggedTestStore(() => issued);
    await seedYearOfDisputes(t.store);
    await t.store.optimize();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  async function planOf(call: () => Promise<unknown>): Promise<{ nodes: PlanNode[]; shown: string }> {
    issued = [];
    await call();
    const statement = issued.findLast((query) => /^select\b/.test(query.sql));
    if (statement === undefined) throw new Error("the store issued no select");
    const result = await t.raw.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${statement.sql}`, [...statement.parameters]);
    const nodes = nodesOf(result.rows[0]!["QUERY PLAN"][0]!.Plan);
    return { nodes, shown: JSON.stringify(nodes.map((node) => [node["Node Type"], node["Relation Name"], node["Index Name"]])) };
  }
  const seqScan = (nodes: PlanNode[]) => nodes.some((node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "disputes");

  for (const { name, filter, index } of INDEXED_DISPUTE_FILTERS) {
    it(`${name}: searched through ${index}, never a sequential scan of disputes`, async () => {
      const { nodes, shown } = await planOf(() => t.store.listDisputes(filter, { limit: 50 }));
      expect(seqScan(nodes), shown).toBe(false);
      expect(nodes.some((node) => node["Index Name"] === index), shown).toBe(true);
      expect((await t.store.listDisputes(filter, { limit: 50 })).items.length).toBeGreaterThan(0);
    });
  }

  it("a payment's disputes through disputes_payment_id_id, with no sort", async () => {
    const { nodes, shown } = await planOf(() => t.store.listPaymentDisputes(SEEDED_PAYMENT_ID));
    expect(nodes.some((node) => node["Index Name"] === "disputes_payment_id_id"), shown).toBe(true);
    expect(nodes.some((node) => node["Node Type"] === "Sort"), shown).toBe(false);
  });

  it("the lookup by provider dispute id probes the unique constraint's index", async () => {
    const [seeded] = await t.store.listPaymentDisputes(SEEDED_PAYMENT_ID);
    const { nodes, shown } = await planOf(() => t.store.transaction((tx) => tx.findDisputeByProviderId(seeded!.provider, seeded!.providerDisputeId)));
    expect(seqScan(nodes), shown).toBe(false);
    expect(nodes.some((node) => node["Index Name"] === "disputes_provider_dispute_id"), shown).toBe(true);
  });

  it("windowed stats read disputes_opened_at", async () => {
    const { nodes, shown } = await planOf(() => t.store.disputeStats(STATS_WINDOW));
    expect(seqScan(nodes), shown).toBe(false);
    expect(nodes.some((node) => node["Index Name"] === "disputes_opened_at"), shown).toBe(true);
  });
});
