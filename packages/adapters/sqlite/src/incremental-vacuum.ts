import { kyselyOf } from "@org/payments-kysely";
import type { KyselyPaymentStore } from "@org/payments-kysely";
import type BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import type { Kysely } from "kysely";

/**
 * SQLite keeps the pages a DELETE frees inside the file (on its freelist, reused by later inserts): without
 * auto-vacuum the file never shrinks after a purge. The store uses `auto_vacuum = INCREMENTAL`:
 * - FULL would move pages at every commit, a cost on every charge; INCREMENTAL moves them only when asked, so the
 *   purge asks, after its deletes, in bounded steps.
 * - The mode can only be chosen before the first table exists. New files get it at open (`openSqliteDatabase`).
 *   An existing file made without it keeps working exactly as before (the purge's vacuum step is skipped); it is
 *   converted only when an operator runs `enableIncrementalVacuum`, a full VACUUM that rewrites the file under an
 *   exclusive lock (minutes for gigabytes, up to the file's size again in free disk), never done behind their back.
 */
const AUTO_VACUUM_INCREMENTAL = 2;
/** Pages freed per statement: 2,000 pages of 4 KiB, 8 MB, a few milliseconds of write lock. */
const VACUUM_STEP_PAGES = 2_000;

async function pragmaNumber(db: Kysely<any>, name: "auto_vacuum" | "freelist_count"): Promise<number> {
  const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db);
  return Number(rows[0]?.[name] ?? 0);
}

/**
 * Gives the freelist's pages back to the file system, `VACUUM_STEP_PAGES` at a time (each its own short write),
 * yielding between steps so queued transactions run. A no-op on a file without incremental auto-vacuum. In WAL mode
 * the file itself shrinks at the next checkpoint.
 *
 * The step runs through `exec` on the better-sqlite3 handle, while holding kysely's one connection (so that no
 * transaction of the store is open on it): a prepared `PRAGMA incremental_vacuum(N)` is stepped once by the driver
 * and frees one page, `exec` steps it to the end.
 */
export async function reclaimFreePages(db: Kysely<any>, database: BetterSqlite3.Database): Promise<void> {
  const onConnection = <T>(work: () => T): Promise<T> => db.connection().execute(async () => work());
  const number = (name: string) => Number(database.pragma(name, { simple: true }));
  if ((await onConnection(() => number("auto_vacuum"))) !== AUTO_VACUUM_INCREMENTAL) return;
  let free = await onConnection(() => number("freelist_count"));
  while (free > 0) {
    const left = await onConnection(() => {
      database.exec(`pragma incremental_vacuum(${VACUUM_STEP_PAGES})`);
      return number("freelist_count");
    });
    // Nothing moved: leave the rest to the next purge rather than spin.
    if (left >= free) return;
    free = left;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Converts an existing file to incremental auto-vacuum (and compacts it): one full VACUUM, which holds the write lock
 * for as long as it takes to rewrite the whole file and needs about the file's size in free disk. Run it once, in a
 * maintenance window, with nothing else writing; files the store created already have the mode. Returns whether the
 * file was converted (false: it already had the mode, nothing done).
 */
export async function enableIncrementalVacuum(storeOrDb: KyselyPaymentStore | Kysely<any>): Promise<boolean> {
  const db = kyselyOf(storeOrDb);
  if ((await pragmaNumber(db, "auto_vacuum")) === AUTO_VACUUM_INCREMENTAL) return false;
  await sql`pragma auto_vacuum = incremental`.execute(db);
  await sql`vacuum`.execute(db);
  return (await pragmaNumber(db, "auto_vacuum")) === AUTO_VACUUM_INCREMENTAL;
}
