import BetterSqlite3 from "better-sqlite3";
import type { ColumnInfo } from "./copy-statements.js";
import type { SeedKey } from "./seed-keys.js";
import type { Seeder } from "./seeder.js";

const TIME_COLUMN = /(^at|_at)$/;

/** Seeds a SQLite file on its own connection, with the store closed (seeding is setup, not measured: no fsync). */
export function sqliteSeeder(filename: string): Seeder {
  const db = new BetterSqlite3(filename);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.pragma("foreign_keys = ON");
  db.exec(
    "create temp table seed_keys (n integer primary key, template integer, tag text, owner text, ref text, created_at text, updated_at text, expires_at text, auth_expires_at text, backlog integer)",
  );
  return {
    dialect: "sqlite",
    async paymentTables() {
      const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").pluck().all() as string[];
      return tables.filter((t) => (db.prepare(`select name from pragma_table_info(?)`).pluck().all(t) as string[]).includes("payment_id"));
    },
    async columns(table) {
      const info = db.prepare(`select name, type, pk from pragma_table_info(?)`).all(table) as Array<{ name: string; type: string; pk: number }>;
      const sample = (db.prepare(`select * from "${table}" limit 1`).get() ?? {}) as Record<string, unknown>;
      const single = info.filter((c) => c.pk > 0).length === 1;
      return info.map(({ name, type, pk }): ColumnInfo => {
        if (single && pk > 0 && type.toUpperCase() === "INTEGER") return { name, kind: "serial" };
        if (TIME_COLUMN.test(name)) return { name, kind: "timestamp" };
        const value = sample[name];
        return { name, kind: typeof value === "number" || typeof value === "bigint" || /INT/i.test(type) ? "number" : "text" };
      });
    },
    async rows(table, column, ids) {
      return db.prepare(`select * from "${table}" where "${column}" in (${ids.map(() => "?").join(", ")})`).all(...ids) as Record<string, unknown>[];
    },
    async writeKeys(keys: readonly SeedKey[]) {
      const insert = db.prepare("insert into seed_keys values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      db.transaction(() => {
        db.exec("delete from seed_keys");
        for (const k of keys) insert.run(k.n, k.template, k.tag, k.owner, k.ref, k.createdAt, k.updatedAt, k.expiresAt, k.authExpiresAt, k.backlog);
      })();
    },
    async inTransaction(statements) {
      db.transaction(() => {
        for (const statement of statements) db.exec(statement);
      })();
    },
    async close() {
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
    },
  };
}
