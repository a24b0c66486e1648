import { setTimeout as delay } from "node:timers/promises";
import { POSTGRES_PAYMENT_TOTALS_DDL, TABLES, lazyTransactionStart } from "@org/payments-kysely";
import type { Database, StoreDialect, TransactionStart } from "@org/payments-kysely";
import { sql } from "kysely";
import type { Kysely, SqlBool } from "kysely";
import { quoteSchema } from "./connection-options.js";
import { isStalePlanError } from "./prepared-statements.js";

/** SQLSTATEs after which re-running the whole transaction is safe and likely to succeed. */
const RETRYABLE = new Set(["40001" /* serialization_failure */, "40P01" /* deadlock_detected */]);

function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isRetryableTransactionError(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * The size from which a table's statistics are worth taking, in pages: the size the planner assumes for a table never
 * analyzed. Below it, statistics only tell the planner the table is tiny — and then every lookup by key is planned as
 * a scan (cheaper, for a few rows), which a prepared statement keeps as the table grows, until the next ANALYZE: on a
 * new store, each charge would read every payment. Left unanalyzed, a small table is planned as ten pages, by key.
 */
const MIN_ANALYZED_PAGES = 10;

/**
 * ANALYZE of the store's tables only (a bare ANALYZE would sample every table of the database): a bounded sample
 * per table (default_statistics_target), under a lock that blocks no reader or writer. Autovacuum analyzes on its
 * own as tables grow; this makes the statistics current at once, e.g. right after a migration added an index — for
 * the tables of at least `MIN_ANALYZED_PAGES` pages. Which those are is read from the files' sizes, not the rows
 * (a table a purge just emptied is still read in full by any query of its rows until vacuum).
 * `schema` qualifies the tables; without it the connection's search_path finds them.
 */
export async function analyzeStoreTables(db: Kysely<any>, schema?: string): Promise<void> {
  // The store's table names are plain lowercase identifiers; the schema is checked and quoted as everywhere else.
  const qualified = TABLES.map((table) => (schema === undefined ? `"${table}"` : `${quoteSchema(schema)}."${table}"`));
  const { rows } = await sql<{ name: string }>`select t.name from unnest(${[...TABLES]}::text[], ${qualified}::text[]) as t(name, qualified)
    where pg_relation_size(to_regclass(t.qualified)) >= ${MIN_ANALYZED_PAGES} * current_setting('block_size')::bigint`.execute(db);
  if (rows.length === 0) return;
  const named = (table: string) => (schema === undefined ? sql.table(table) : sql.table(`${schema}.${table}`));
  await sql`analyze ${sql.join(rows.map((row) => named(row.name)))}`.execute(db);
}

/**
 * Runs `work` on one pooled connection as one READ COMMITTED transaction whose BEGIN goes only in front of its first
 * statement, and which is no transaction at all when that statement is its only one (transaction-start.ts in the
 * shared store: then the statement commits by itself, whole or not at all, and COMMIT has nothing to do).
 */
async function inLazyTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>, start?: TransactionStart) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    const start = lazyTransactionStart(async () => {
      await sql`start transaction isolation level read committed`.execute(conn);
    });
    let result: T;
    try {
      result = await work(conn, start);
      if (start.begun) await sql`commit`.execute(conn);
    } catch (error) {
      if (start.begun) await rollbackQuietly(conn);
      throw error;
    }
    return result;
  });
}

async function rollbackQuietly(conn: Kysely<Database>): Promise<void> {
  try {
    await sql`rollback`.execute(conn);
  } catch {
    // The connection may be gone or the transaction already ended (a failed COMMIT ends it); the original error is
    // the one worth seeing.
  }
}

export interface PostgresDialectOptions {
  /** Attempts of a transaction that keeps failing with 40001/40P01, including the first. */
  maxTransactionAttempts: number;
}

/**
 * PostgreSQL at READ COMMITTED, on purpose. Every guarded write in the store is one compare-and-set statement
 * (`UPDATE … WHERE version = ?`, `INSERT … ON CONFLICT DO NOTHING`, `UPDATE … WHERE lock_id = ?`): a concurrent
 * writer of the same row waits for the first to commit and then re-evaluates its WHERE against the committed row,
 * so exactly one wins without the serialization failures SERIALIZABLE would add. Receipt counters are taken with
 * FOR UPDATE, outbox claims with FOR UPDATE SKIP LOCKED. Deadlocks (and serialization failures, should a host raise
 * the default isolation) re-run the whole `work`, which the port allows: work has no side effects outside.
 */
export function postgresDialect(options: PostgresDialectOptions): StoreDialect {
  return {
    name: "postgres",
    capabilities: { concurrentWriters: true, durable: true },
    singleConnection: false,
    rowLocks: true,
    batchWrites: true,
    columnTypes: {
      int64: "bigint",
      json: "jsonb",
      timestamp: "timestamptz",
      boolean: "boolean",
      serial: { type: "bigserial", autoIncrement: false },
      paymentTotalsDdl: POSTGRES_PAYMENT_TOTALS_DDL,
      // jsonb_path_ops: the smaller GIN opclass, enough for the containment the metadata filter asks.
      metadataIndexDdl: ["create index if not exists payments_metadata on payments using gin (metadata jsonb_path_ops)"],
    },
    async transaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>, start?: TransactionStart) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await inLazyTransaction(db, work);
        } catch (error) {
          // A stale prepared plan (a migration changed a table under it) aborted the transaction; the statement is
          // prepared afresh on the next attempt (prepared-statements.ts).
          const retryable = isRetryableTransactionError(error) || isStalePlanError(error);
          if (attempt >= options.maxTransactionAttempts || !retryable) throw error;
          // Jittered, growing pause so that the transactions that collided do not collide again in lockstep.
          await delay(Math.random() * 10 * 2 ** attempt);
        }
      }
    },
    optimize: (db) => analyzeStoreTables(db),
    // Autovacuum makes deleted rows' space reusable within the table; the purge needs nothing more.
    reclaimSpace: async () => undefined,
    // pg parses jsonb itself.
    readJson: (value) => value,
    writeBoolean: (value) => value,
    metadataHasEntry: (key, value) => sql<SqlBool>`payments.metadata @> jsonb_build_object(${key}::text, ${value}::text)`,
    isUniqueViolation: (error) => sqlState(error) === "23505",
    isForeignKeyViolation: (error) => sqlState(error) === "23503",
    violatedTable: (error) => {
      const table = error !== null && typeof error === "object" ? (error as { table?: unknown }).table : undefined;
      return typeof table === "string" ? table : undefined;
    },
  };
}
