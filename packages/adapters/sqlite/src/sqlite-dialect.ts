import { AsyncLocalStorage } from "node:async_hooks";
import { SQLITE_PAYMENT_TOTALS_DDL, parseJsonText } from "@org/payments-kysely";
import type { Database, StoreDialect } from "@org/payments-kysely";
import type BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import type { Kysely, SqlBool } from "kysely";
import { DEFAULT_GROUP_COMMIT_LIMITS, GroupCommit } from "./group-commit.js";
import { reclaimFreePages } from "./incremental-vacuum.js";

/**
 * Runs `work` on kysely's one SQLite connection inside BEGIN IMMEDIATE. kysely's own `transaction()` issues a
 * deferred BEGIN: its first write then tries to upgrade a read snapshot to the write lock, and in WAL mode a
 * snapshot another process has written past fails with SQLITE_BUSY at once, without waiting. IMMEDIATE takes the
 * write lock up front, waiting up to busy_timeout, so writers in other processes queue instead of failing.
 * Callers in this process queue on the connection itself (kysely's SQLite driver hands it to one user at a time).
 */
export async function inImmediateTransaction<T>(db: Kysely<any>, work: (conn: Kysely<any>) => Promise<T>, commitIf?: (result: T) => boolean): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await work(conn);
    } catch (error) {
      await rollbackQuietly(conn);
      throw error;
    }
    if (commitIf !== undefined && !commitIf(result)) {
      await rollbackQuietly(conn);
      return result;
    }
    try {
      await sql`commit`.execute(conn);
    } catch (error) {
      await rollbackQuietly(conn);
      throw error;
    }
    return result;
  });
}

async function rollbackQuietly(conn: Kysely<any>): Promise<void> {
  try {
    await sql`rollback`.execute(conn);
  } catch {
    // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error is the one worth seeing.
  }
}

/**
 * `PRAGMA optimize` with 0x10000 (look at every table, not only those this connection queried) and 0x02 (ANALYZE
 * the ones that need it: never analyzed, or grown or shrunk about 25-fold since). SQLite caps each ANALYZE at a
 * sample (analysis_limit) so the lock it holds stays short; on an empty database it records nothing, and the first
 * run after data arrives does the work. The planner needs this: without sqlite_stat1 it reads a time window
 * (`created_at >= ?` ordered by id) as a walk of every payment by primary key.
 */
export async function refreshSqliteStatistics(db: Kysely<any>): Promise<void> {
  await sql`pragma optimize = 0x10002`.execute(db);
}

const UNIQUE_CODES = new Set(["SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"]);

/**
 * `database`: the store's better-sqlite3 handle, for the steps kysely cannot drive (the purge's vacuum) and for
 * group commit (group-commit.ts), which must see when SQLite itself ended a transaction. Without it each store
 * transaction gets a COMMIT of its own.
 */
export function sqliteDialect(options: { durable: boolean; database?: BetterSqlite3.Database | undefined }): StoreDialect {
  const { database } = options;
  // One per kysely instance (the store's one connection). Its own statements run in the context the store was
  // created in: it is made at the first transaction, but must not keep that caller's context for later batches.
  const storeContext = AsyncLocalStorage.snapshot();
  const committers = new WeakMap<Kysely<Database>, GroupCommit>();
  const committerFor = (db: Kysely<Database>): GroupCommit => {
    let committer = committers.get(db);
    if (committer === undefined) {
      committer = new GroupCommit(db, database!, DEFAULT_GROUP_COMMIT_LIMITS, storeContext);
      committers.set(db, committer);
    }
    return committer;
  };
  return {
    name: "sqlite",
    capabilities: { concurrentWriters: false, durable: options.durable },
    singleConnection: true,
    rowLocks: false,
    // Statements are calls into this process: holding writes back saves nothing.
    batchWrites: false,
    columnTypes: {
      // SQLite INTEGER is 64-bit; read back as bigint (safe-integer mode) and checked.
      int64: "integer",
      json: "text",
      // ISO-8601 UTC text of one fixed shape, so that text order is time order.
      timestamp: "text",
      boolean: "integer",
      serial: { type: "integer", autoIncrement: true },
      paymentTotalsDdl: SQLITE_PAYMENT_TOTALS_DDL,
      // No SQLite index covers every key of a JSON object: a metadata search reads the rows the other filters leave.
      metadataIndexDdl: [],
    },
    // Transactions queued while one runs share its COMMIT (group-commit.ts): one synced write for many.
    transaction: <T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>) =>
      database === undefined
        ? inImmediateTransaction(db, (conn) => work(conn as Kysely<Database>))
        : committerFor(db).run((conn) => work(conn as Kysely<Database>)),
    optimize: refreshSqliteStatistics,
    reclaimSpace: async (db) => {
      if (database !== undefined) await reclaimFreePages(db, database);
    },
    readJson: parseJsonText,
    writeBoolean: (value) => (value ? 1 : 0),
    metadataHasEntry: (key, value) =>
      sql<SqlBool>`exists (select 1 from json_each(payments.metadata) as entry where entry.key = ${key} and entry.type = 'text' and entry.value = ${value})`,
    isUniqueViolation: (error) =>
      typeof error === "object" && error !== null && UNIQUE_CODES.has(String((error as { code?: unknown }).code)),
    isForeignKeyViolation: (error) => typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_FOREIGNKEY",
    // Nothing is combined on SQLite, so no error needs its table.
    violatedTable: () => undefined,
  };
}
