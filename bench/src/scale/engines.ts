import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PaymentStore } from "@org/payments-core";
import { createPostgresStore, migrate as migratePostgres } from "@org/payments-postgres";
import { createSqliteStore, migrate as migrateSqlite } from "@org/payments-sqlite";
import { createTestSchema } from "@org/payments-test-support/postgres";
import BetterSqlite3 from "better-sqlite3";
import type { LogEvent } from "kysely";
import pg from "pg";
import { type QueryPlan, postgresScans, sqliteScans } from "./plans.js";
import type { Seeder } from "./seeder.js";
import { sqliteSeeder } from "./seeder-sqlite.js";
import { postgresSeeder } from "./seeder-postgres.js";

/** One engine as the scale bench drives it: the store (the adapter's own), a seeder, EXPLAIN and table sizes. */
export interface ScaleEngine {
  name: "sqlite" | "postgres";
  openStore(log: (event: LogEvent) => void): Promise<PaymentStore>;
  /** SQLite seeds with the store closed (one writer); PostgreSQL alongside it. */
  openSeeder(): Promise<Seeder>;
  explain(sql: string, parameters: readonly unknown[]): Promise<QueryPlan>;
  /** Bytes per table, indexes included. */
  tableBytes(): Promise<Record<string, number>>;
  /**
   * Bytes per b-tree (SQLite) or relation (PostgreSQL: the heap with its TOAST, and each index), named
   * `table` or `table.index`: which index or column costs what.
   */
  structureBytes(): Promise<Record<string, number>>;
  /**
   * Bytes by table as kept after the retention pass: the live rows and their indexes, which is what each table settles
   * at while retention runs continuously and freed space is reused. SQLite: the b-trees' pages (freed pages are on the
   * free list, and the incremental vacuum hands them back). PostgreSQL: sizes after VACUUM FULL of the store's tables.
   */
  retainedBytes(): Promise<Record<string, number>>;
  dispose(): Promise<void>;
}

/** BENCH_SCALE_KEEP=1 leaves the database behind after the run, to inspect its tables and plans by hand. */
const keep = () => process.env.BENCH_SCALE_KEEP === "1";

export async function sqliteEngine(): Promise<ScaleEngine> {
  const dir = mkdtempSync(join(process.env.BENCH_SCALE_DIR ?? tmpdir(), "payments-scale-"));
  const filename = join(dir, "scale.db");
  const first = await createSqliteStore({ filename });
  await migrateSqlite(first);
  await first.close();
  const reader = () => new BetterSqlite3(filename, { readonly: true });
  const sqliteStructureBytes = (): Record<string, number> => {
    const db = reader();
    try {
      const rows = db
        .prepare("select m.tbl_name as tbl, s.name as name, sum(s.pgsize) as bytes from dbstat s left join sqlite_master m on m.name = s.name group by s.name")
        .all() as Array<{ tbl: string | null; name: string; bytes: number }>;
      return Object.fromEntries(rows.map((r) => [r.tbl === null || r.tbl === r.name ? r.name : `${r.tbl}.${r.name}`, Number(r.bytes)]));
    } finally {
      db.close();
    }
  };
  const sqliteTableBytes = (): Record<string, number> => {
    const db = reader();
    try {
      const rows = db
        .prepare("select coalesce(m.tbl_name, s.name) as tbl, sum(s.pgsize) as bytes from dbstat s left join sqlite_master m on m.name = s.name group by tbl")
        .all() as Array<{ tbl: string; bytes: number }>;
      return Object.fromEntries(rows.map((r) => [r.tbl, Number(r.bytes)]));
    } finally {
      db.close();
    }
  };
  return {
    name: "sqlite",
    openStore: (log) => createSqliteStore({ filename, log }),
    openSeeder: async () => sqliteSeeder(filename),
    async explain(sql, parameters) {
      const db = reader();
      try {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail);
        const partial = db.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'payments' and sql like '% where %'").pluck().all() as string[];
        return { sql, plan, fullScanOfPayments: sqliteScans(plan, partial) };
      } finally {
        db.close();
      }
    },
    tableBytes: async () => sqliteTableBytes(),
    structureBytes: async () => sqliteStructureBytes(),
    async retainedBytes() {
      return sqliteTableBytes();
    },
    async dispose() {
      if (keep()) process.stderr.write(`[bench:scale] BENCH_SCALE_KEEP: the SQLite file is kept at ${filename}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresEngine(): Promise<ScaleEngine> {
  const schema = await createTestSchema("payments_scale");
  const first = await createPostgresStore({ connectionString: schema.url, max: 1 });
  await migratePostgres(first);
  await first.close();
  const server = new URL(schema.url);
  server.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: server.toString(), options: `-c search_path="${schema.schema}"` });
  await client.connect();
  return {
    name: "postgres",
    openStore: (log) => createPostgresStore({ connectionString: schema.url, max: 16, log }),
    openSeeder: () => postgresSeeder(schema.url, schema.schema),
    async explain(sql, parameters) {
      const { rows } = await client.query(`EXPLAIN ${sql}`, parameters as unknown[]);
      const plan = rows.map((r) => String(r["QUERY PLAN"]));
      return { sql, plan, fullScanOfPayments: postgresScans(plan) };
    },
    async tableBytes() {
      const { rows } = await client.query(
        "select c.relname, pg_total_relation_size(c.oid) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'",
        [schema.schema],
      );
      return Object.fromEntries(rows.map((r) => [String(r.relname), Number(r.bytes)]));
    },
    async retainedBytes() {
      const { rows } = await client.query("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'", [schema.schema]);
      for (const row of rows) await client.query(`vacuum full "${schema.schema}"."${String(row.relname)}"`);
      const sizes = await client.query(
        "select c.relname, pg_total_relation_size(c.oid) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'",
        [schema.schema],
      );
      return Object.fromEntries(sizes.rows.map((r) => [String(r.relname), Number(r.bytes)]));
    },
    async structureBytes() {
      const { rows } = await client.query(
        `select t.relname as tbl, null as idx, pg_table_size(t.oid) as bytes from pg_class t join pg_namespace n on n.oid = t.relnamespace where n.nspname = $1 and t.relkind = 'r'
         union all
         select t.relname, i.relname, pg_relation_size(i.oid) from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = $1`,
        [schema.schema],
      );
      return Object.fromEntries(rows.map((r) => [r.idx === null ? String(r.tbl) : `${String(r.tbl)}.${String(r.idx)}`, Number(r.bytes)]));
    },
    async dispose() {
      await client.end();
      if (keep()) process.stderr.write(`[bench:scale] BENCH_SCALE_KEEP: the PostgreSQL schema ${schema.schema} is kept\n`);
      else await schema.drop();
    },
  };
}
