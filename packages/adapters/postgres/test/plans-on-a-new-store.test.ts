import { createPaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import type { LogEvent } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

interface SentStatement {
  sql: string;
  parameters: readonly unknown[];
}

/** The tables every charge reaches by key. */
const KEYED_TABLES = ["payments", "idempotency_records", "receipts", "receipt_counters"];

/**
 * The plan PostgreSQL keeps for `statement` once it is prepared and planned generically — what a connection runs
 * after a hot statement's first few executions (the store prepares its hot statements, prepared-statements.ts), and
 * keeps until the planner's statistics change.
 */
async function genericPlan(pool: pg.Pool, statement: SentStatement): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query("set plan_cache_mode = force_generic_plan");
    await client.query(`prepare plan_probe as ${statement.sql}`);
    // The store sends text, numbers and nulls (JSON as text, instants as ISO text).
    const values = statement.parameters.map((value) => (value === null ? "null" : client.escapeLiteral(String(value))));
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain execute plan_probe${values.length > 0 ? `(${values.join(", ")})` : ""}`);
    return rows.map((row) => row["QUERY PLAN"]).join("\n");
  } finally {
    await client.query("deallocate all");
    await client.query("reset plan_cache_mode");
    client.release();
  }
}

const scansOfKeyedTables = (plan: string) => KEYED_TABLES.filter((table) => new RegExp(`Seq Scan on (\\S+\\.)?${table}\\b`).test(plan));

/**
 * A store's hot statements are planned once per connection and the plan kept. Planned from statistics that say a
 * table is empty or tiny, a lookup by key is a scan (cheaper, for a few rows), and it stays a scan as the table
 * grows until statistics change: on a new store every charge would read every payment. These pin that the store's
 * own statistics never put it there: migrate() and optimize() analyze only tables of ten pages or more (the planner
 * assumes a never-analyzed table spans ten and uses the key), and the settle's receipt numbering reaches its row
 * through the primary key whatever the statistics say.
 */
describe.skipIf(!available)("PostgreSQL: plans of a new store", () => {
  let captureSchema: TestSchema;
  let freshSchema: TestSchema;
  let capturing: PostgresPaymentStore;
  let fresh: PostgresPaymentStore;
  let freshPool: pg.Pool;
  const sent: SentStatement[] = [];

  const charge = async (store: PostgresPaymentStore, key: string) => {
    const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
    const { payment } = await service.createPayment({ owner: "user_plans", amount: 1999, currency: "USD" }, { scope: "user_plans", idempotencyKey: `create-${key}` });
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_plans", idempotencyKey: `confirm-${key}` });
    expect(confirmed.payment.status).toBe("succeeded");
  };

  beforeAll(async () => {
    captureSchema = await createTestSchema("payments_plans_capture");
    freshSchema = await createTestSchema("payments_plans_fresh");
    const log = (event: LogEvent) => void (event.level === "query" && sent.push({ sql: event.query.sql, parameters: [...event.query.parameters] }));
    capturing = await createPostgresStore({ connectionString: captureSchema.url, max: 2, log });
    await migrate(capturing);
    fresh = await createPostgresStore({ connectionString: freshSchema.url, max: 2 });
    await migrate(fresh);
    const url = new URL(freshSchema.url);
    url.searchParams.delete("schema");
    freshPool = new pg.Pool({ connectionString: url.toString(), max: 1, options: `-c search_path=${freshSchema.schema}` });
  });
  afterAll(async () => {
    await capturing?.close();
    await fresh?.close();
    await freshPool?.end();
    await captureSchema?.drop();
    await freshSchema?.drop();
  });

  it("after migrate(), every statement of a charge reaches the keyed tables by key, as its kept plan", async () => {
    sent.length = 0;
    await charge(capturing, "capture");
    const statements = sent.filter((statement) => !/^\s*(start transaction|begin|commit|rollback)\b/i.test(statement.sql));
    expect(statements.length).toBeGreaterThan(4);
    // Planned on the fresh schema: migrated, never written.
    const scanning: string[] = [];
    for (const statement of statements) {
      const scans = scansOfKeyedTables(await genericPlan(freshPool, statement));
      if (scans.length > 0) scanning.push(`${scans.join(", ")}: ${statement.sql.slice(0, 80)}`);
    }
    expect(scanning).toEqual([]);
  });

  it("migrate() and optimize() leave tables under ten pages unanalyzed, and analyze the larger ones", async () => {
    const analyzed = async () => {
      const { rows } = await freshPool.query<{ relname: string; analyze_count: string }>(
        "select relname, analyze_count from pg_stat_user_tables where schemaname = $1",
        [freshSchema.schema],
      );
      return Object.fromEntries(rows.map((row) => [row.relname, Number(row.analyze_count)]));
    };
    expect((await analyzed())["payments"]).toBe(0);
    // One payment: a page. Statistics of it would plan every lookup of payments as a scan.
    await charge(fresh, "small");
    await fresh.optimize();
    expect((await analyzed())["payments"]).toBe(0);
    // Past ten pages (copies of that payment under new ids), its statistics are taken.
    await freshPool.query(
      "insert into payments select (jsonb_populate_record(null::payments, to_jsonb(p) || jsonb_build_object('id', p.id || '_' || g))).* from payments p, generate_series(1, 400) g",
    );
    await fresh.optimize();
    const after = await analyzed();
    expect(after["payments"]).toBeGreaterThanOrEqual(1);
    expect(after["disputes"]).toBe(0);
  });

  it("the settle's receipt numbering reaches its row by key even when statistics say receipts is tiny", async () => {
    // A store whose statistics were taken while it held one receipt (an early scheduled optimize()).
    await charge(fresh, "tiny");
    await freshPool.query("analyze receipts");
    sent.length = 0;
    await charge(capturing, "numbering");
    const numbering = sent.filter((statement) => /"receipts"/.test(statement.sql) && /"payments"/.test(statement.sql));
    expect(numbering.length).toBeGreaterThan(0);
    for (const statement of numbering) expect(await genericPlan(freshPool, statement)).not.toMatch(/Seq Scan on (\S+\.)?receipts\b/);
  });
});
