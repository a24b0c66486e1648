import type { StoreCapabilities } from "@org/payments-core";
import type { ColumnDataType, Expression, Kysely, SqlBool } from "kysely";
import type { Database } from "./database.js";
import type { TransactionStart } from "./transaction-start.js";

/**
 * What differs between the databases the shared store runs on. Everything else (every query, the schema, the
 * migrations) is written once, in this package, against kysely.
 */
export interface StoreDialect {
  /** For messages only. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  /**
   * The database has one connection that every caller queues for (SQLite): a store method awaited inside
   * `transaction(work)` would wait for the transaction it runs in, so the store refuses it instead of hanging.
   */
  readonly singleConnection: boolean;
  /**
   * Row locks exist (`FOR UPDATE`, `SKIP LOCKED`: PostgreSQL). Without them (SQLite) every write transaction holds
   * the database's write lock from its first statement, which serializes writers anyway.
   */
  readonly rowLocks: boolean;
  /**
   * Every statement is a round trip to a server (PostgreSQL): writes nobody waits on travel with the next statement
   * as data-modifying CTEs (deferred-writes.ts). False where statements are in-process calls (SQLite).
   */
  readonly batchWrites: boolean;
  /** Column types the shared migrations use. */
  readonly columnTypes: ColumnTypes;

  /**
   * Runs `work` in one write transaction on one connection and commits, or rolls back and rethrows. The dialect
   * chooses how to begin (SQLite: BEGIN IMMEDIATE) and may re-run `work` on a transient conflict (PostgreSQL:
   * serialization failures and deadlocks). A dialect that sends BEGIN lazily passes `work` the `TransactionStart`
   * it commits or rolls back by (transaction-start.ts); one that begins up front passes none.
   */
  transaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>, start?: TransactionStart) => Promise<T>): Promise<T>;

  /**
   * Brings the planner's statistics up to date, bounded in time (see `KyselyPaymentStore.optimize`). Runs outside
   * a transaction.
   */
  optimize(db: Kysely<any>): Promise<void>;

  /**
   * After a purge deleted rows: return the freed space to the file system if the engine does not reuse it by itself
   * (SQLite's incremental vacuum, in bounded steps); a no-op where it does (PostgreSQL's autovacuum). Runs outside a
   * transaction.
   */
  reclaimSpace(db: Kysely<any>): Promise<void>;

  /** Parses a JSON column as the driver returns it (pg parses jsonb itself; SQLite returns the text). */
  readJson(value: unknown, column: string): unknown;
  writeBoolean(value: boolean): boolean | number;
  /**
   * The list condition "the payment's metadata holds `key` with the text `value`", both bound as parameters (never
   * spliced into a JSON path). The engine's own JSON functions: PostgreSQL's containment (answered by the GIN index
   * of `metadataIndexDdl`), SQLite's `json_each`.
   */
  metadataHasEntry(key: string, value: string): Expression<SqlBool>;
  /** A unique or primary-key violation, so an insert of a duplicate can be reported in the domain's terms. */
  isUniqueViolation(error: unknown): boolean;
  /** A foreign-key violation (a dispute of a payment, a method of a customer, the store does not hold). */
  isForeignKeyViolation(error: unknown): boolean;
  /** The table a constraint violation names, when the driver says (pg does); for errors of combined statements. */
  violatedTable(error: unknown): string | undefined;
}

export interface ColumnTypes {
  /** 64-bit integers: amounts, counters, versions. */
  readonly int64: ColumnDataType;
  readonly json: ColumnDataType;
  readonly timestamp: ColumnDataType;
  readonly boolean: ColumnDataType;
  /**
   * An increasing 64-bit key assigned on insert (outbox sequence, history order): `bigserial` on PostgreSQL,
   * `integer primary key autoincrement` on SQLite (never reuses a deleted value, unlike a plain rowid).
   */
  readonly serial: { readonly type: ColumnDataType; readonly autoIncrement: boolean };
  /**
   * The engine's statements that keep `payment_totals` in step with payments (triggers, and the fill from the rows
   * already there), run in order by the migration that creates the table. See payment-totals-ddl.ts.
   */
  readonly paymentTotalsDdl: readonly string[];
  /**
   * The engine's index for the metadata filter, run by `0008_search_indexes`: a GIN index on PostgreSQL; none on
   * SQLite, which has no index over arbitrary JSON keys (see the README's search section).
   */
  readonly metadataIndexDdl: readonly string[];
}
