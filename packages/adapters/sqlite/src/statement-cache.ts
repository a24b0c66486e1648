import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase } from "kysely";
import { refuseStatementOutsideTransaction } from "./group-commit.js";

/**
 * The database as kysely's SqliteDialect sees it, with prepared statements reused by SQL text. kysely prepares
 * every query afresh, and SQLite's parse and plan cost more than running one of the store's small statements; the
 * store issues a few dozen distinct statements, so a bounded cache keeps them all. SQLite re-prepares a cached
 * statement by itself after a schema change (a migration). kysely's streaming (`stream()`, unused by the store)
 * would hold a statement mid-iteration: two concurrent streams of the same SQL on one connection are not supported.
 */
export function withStatementCache(database: BetterSqlite3.Database, options: { capacity: number; closeDatabase: boolean }): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      // kysely prepares before every run: a transaction's work SQLite already rolled back sends nothing more.
      refuseStatementOutsideTransaction(database);
      const cached = cache.get(sql);
      if (cached !== undefined) return cached;
      const statement = database.prepare(sql);
      // Oldest first out: the store's own statements are prepared early and reused, so they stay.
      if (cache.size >= options.capacity) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
      return statement;
    },
    close() {
      cache.clear();
      if (options.closeDatabase) database.close();
    },
  };
}
