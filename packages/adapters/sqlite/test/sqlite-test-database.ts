import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TABLES } from "@org/payments-kysely";
import BetterSqlite3 from "better-sqlite3";

/** A database file in its own temporary directory, and raw driver access to it that bypasses the store. */
export interface SqliteTestDatabase {
  filename: string;
  /** A separate better-sqlite3 connection: what the harness reads back and resets through. */
  raw: BetterSqlite3.Database;
  reset(): void;
  remove(): void;
}

export function createSqliteTestDatabase(): SqliteTestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "payments-sqlite-"));
  const filename = join(dir, "payments.db");
  const raw = new BetterSqlite3(filename);
  raw.pragma("busy_timeout = 5000");
  raw.defaultSafeIntegers(true);
  return {
    filename,
    raw,
    reset() {
      raw.transaction(() => {
        for (const table of TABLES) raw.prepare(`delete from ${table}`).run();
      }).immediate();
    },
    remove() {
      raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
