import { configurationError } from "@org/payments-core";
import { KyselyPaymentStore, checkPurgeBatchSize } from "@org/payments-kysely";
import type { Database } from "@org/payments-kysely";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { LogConfig } from "kysely";
import { sqliteDialect } from "./sqlite-dialect.js";
import { withStatementCache } from "./statement-cache.js";

export interface SqliteStoreOptions {
  /** Database file; created if missing. `":memory:"` gives a private, non-durable database. */
  filename?: string | undefined;
  /**
   * An open better-sqlite3 handle to use instead of opening `filename`. The store sets its pragmas and safe-integer
   * mode on it, and leaves it open on `close()`: the host owns it.
   */
  database?: BetterSqlite3.Database | undefined;
  /** How long a write waits for another process's write lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number | undefined;
  /**
   * Open `filename` read-only and exactly as it is: it must exist, and nothing is written to it (no switch to WAL).
   * For looking at a file before deciding to use it, e.g. checking that it is a database with the current schema.
   */
  readOnly?: boolean | undefined;
  /** kysely's query log (levels or a function), e.g. to trace or count the statements an operation issues. */
  log?: LogConfig | undefined;
  /** Refuse store calls made inside `transaction(work)` (a deadlock on the one connection) with an error. Default: on unless NODE_ENV=production. */
  guardNestedCalls?: boolean | undefined;
  /**
   * When a commit reaches the disk. `FULL` (the default): every commit is synced before it returns, so a payment the
   * service answered for survives a power loss or an OS crash. `NORMAL`: WAL is synced only at checkpoints — faster,
   * safe against a crash of the process, but the last commits before a power loss can be lost (money moved at the
   * provider, no record here until reconcile finds it). better-sqlite3 builds default to NORMAL under WAL.
   */
  synchronous?: "FULL" | "NORMAL" | undefined;
  /** Rows a purge deletes per statement (one short write-lock each); default 1,000. */
  purgeBatchSize?: number | undefined;
}

export const DEFAULT_SQLITE_FILENAME = "./payments.db";
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** Well above the number of distinct statements the store issues (list filters combine into a few dozen more). */
const STATEMENT_CACHE_CAPACITY = 256;

/**
 * Opens (or adopts) the database and prepares the connection: WAL so readers never block the writer, every commit
 * synced to disk (`synchronous`), a busy timeout
 * so writers in other processes wait their turn, foreign keys on, and integers as bigint so that a stored value
 * beyond 2^53 is detected instead of silently rounded.
 */
export function openSqliteDatabase(options: SqliteStoreOptions = {}): BetterSqlite3.Database {
  // Checked before opening: a refused option must not leave a file created and a handle open behind it.
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw configurationError("busyTimeoutMs must be a non-negative integer", { option: "busyTimeoutMs" });
  }
  const synchronous = options.synchronous ?? "FULL";
  if (synchronous !== "FULL" && synchronous !== "NORMAL") {
    throw configurationError('synchronous must be "FULL" or "NORMAL"', { option: "synchronous" });
  }
  const database =
    options.database ??
    new BetterSqlite3(options.filename ?? DEFAULT_SQLITE_FILENAME, options.readOnly ? { readonly: true, fileMustExist: true } : {});
  // First, so that switching to WAL waits for a concurrent opener instead of failing.
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Before anything writes the header: takes effect only on a file with no tables yet (a new one), so that purges
  // can give freed pages back (incremental-vacuum.ts); an existing file keeps its mode. Never on a read-only look.
  if (!database.readonly) database.pragma("auto_vacuum = INCREMENTAL");
  // Switching to WAL writes the file's header: never on a read-only look.
  if (!database.memory && !database.readonly) database.pragma("journal_mode = WAL");
  // After WAL: the build's WAL default (NORMAL) would otherwise apply. Per connection, so every opener sets it.
  if (!database.readonly) database.pragma(`synchronous = ${synchronous}`);
  database.pragma("foreign_keys = ON");
  // Sorts and IN lists the planner keeps in a temporary b-tree stay in memory: with temporary files a small ORDER BY
  // (the look-up of held webhooks after every settle) cost ~200 µs more, an open and unlink of a file each time.
  // The store's sorts are pages (LIMIT keeps only the page) and index builds; both fit in memory.
  database.pragma("temp_store = MEMORY");
  database.defaultSafeIntegers(true);
  return database;
}

/** A `PaymentStore` on SQLite. It never migrates by itself: call `migrate(store)` first. */
export async function createSqliteStore(options: SqliteStoreOptions = {}): Promise<KyselyPaymentStore> {
  // Before opening: a refused option leaves no file behind.
  checkPurgeBatchSize(options.purgeBatchSize);
  const database = openSqliteDatabase(options);
  const owned = options.database === undefined;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({
      // kysely closes the database on destroy; a handle the host passed in stays open.
      database: withStatementCache(database, { capacity: STATEMENT_CACHE_CAPACITY, closeDatabase: owned }),
    }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return new KyselyPaymentStore(db, sqliteDialect({ durable: !database.memory, database }), {
    guardNestedCalls: options.guardNestedCalls,
    purgeBatchSize: options.purgeBatchSize,
  });
}
