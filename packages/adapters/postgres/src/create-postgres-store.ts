import { configurationError } from "@org/payments-core";
import { KyselyPaymentStore, checkPurgeBatchSize } from "@org/payments-kysely";
import type { Database } from "@org/payments-kysely";
import { CompiledQuery, Kysely, PostgresDialect } from "kysely";
import type { LogConfig, PostgresPool } from "kysely";
import pg from "pg";
import { quoteSchema, splitSchemaFromUrl } from "./connection-options.js";
import { postgresDialect } from "./postgres-dialect.js";
import { PreparedStatementNames, withPreparedStatements } from "./prepared-statements.js";

export interface PostgresStoreOptions {
  /** `postgres://…`; a `?schema=` parameter selects the schema (and is removed before pg sees the URL). */
  connectionString?: string | undefined;
  /**
   * A pg pool the host owns, instead of `connectionString`. The store leaves it open on `close()`. With `schema`,
   * the store sets `search_path` on each connection it first takes from the pool: give the store a pool of its
   * own if other code relies on another search_path.
   */
  pool?: pg.Pool | PostgresPool | undefined;
  /** The schema holding the tables; overrides `?schema=`. Default: the server's search_path (usually public). */
  schema?: string | undefined;
  /** Size of the pool the store creates (ignored with `pool`). */
  max?: number | undefined;
  /** Further settings for the pool the store creates (ssl, timeouts, …). */
  poolConfig?: Omit<pg.PoolConfig, "connectionString" | "max"> | undefined;
  /** Attempts of a transaction that fails with a serialization failure or deadlock, including the first. */
  maxTransactionAttempts?: number | undefined;
  /** kysely's query log (levels or a function), e.g. to trace or count the statements an operation issues. */
  log?: LogConfig | undefined;
  /** Refuse store calls made inside `transaction(work)` (they would run outside it) with an error. Default: on unless NODE_ENV=production. */
  guardNestedCalls?: boolean | undefined;
  /** Rows a purge deletes per statement (each its own short transaction); default 1,000. */
  purgeBatchSize?: number | undefined;
  /**
   * Run the store's hot statements as named prepared statements, parsed and planned once per connection. Default:
   * on for the pool the store creates from `connectionString`, off for a host's `pool` (the store cannot know what
   * else runs on it: `DISCARD ALL`, or a non-pg pool). Turn it off behind a pooler that cannot keep prepared
   * statements per client (PgBouncer in transaction mode without `max_prepared_statements`).
   */
  preparedStatements?: boolean | undefined;
}

const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_TRANSACTION_ATTEMPTS = 5;

/** A `PaymentStore` on PostgreSQL; knows its schema so that `migrate(store)` creates the tables there. */
export class PostgresPaymentStore extends KyselyPaymentStore {
  /** The schema the store's connections use, or undefined for the server's default search_path. */
  readonly schema: string | undefined;

  constructor(
    db: Kysely<Database>,
    schema: string | undefined,
    maxTransactionAttempts: number,
    guardNestedCalls?: boolean,
    purgeBatchSize?: number,
    preparedStatements?: PreparedStatementNames,
  ) {
    super(db, postgresDialect({ maxTransactionAttempts }), {
      guardNestedCalls,
      purgeBatchSize,
      onHotStatement: preparedStatements === undefined ? undefined : (text) => preparedStatements.register(text),
    });
    this.schema = schema;
  }
}

/** A `PaymentStore` on PostgreSQL. It never migrates by itself: call `migrate(store)` first. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresPaymentStore> {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw configurationError("createPostgresStore needs exactly one of connectionString and pool", { option: "connectionString" });
  }
  const fromUrl = options.connectionString === undefined ? undefined : splitSchemaFromUrl(options.connectionString);
  const schema = options.schema ?? fromUrl?.schema;
  const searchPath = schema === undefined ? undefined : quoteSchema(schema);
  const maxTransactionAttempts = options.maxTransactionAttempts ?? DEFAULT_TRANSACTION_ATTEMPTS;
  if (!Number.isSafeInteger(maxTransactionAttempts) || maxTransactionAttempts < 1) {
    throw configurationError("maxTransactionAttempts must be a positive integer", { option: "maxTransactionAttempts" });
  }

  checkPurgeBatchSize(options.purgeBatchSize);

  let pool: PostgresPool;
  if (options.pool !== undefined) {
    const hostPool = options.pool;
    // kysely ends the pool on destroy; the host's pool outlives the store.
    pool = { connect: () => hostPool.connect(), end: async () => undefined };
  } else {
    pool = new pg.Pool({
      ...options.poolConfig,
      connectionString: fromUrl?.connectionString,
      max: options.max ?? DEFAULT_MAX_CONNECTIONS,
      // Set at connection start-up: costs no round trip, and every connection of the pool has it.
      ...(searchPath === undefined ? {} : { options: `-c search_path=${searchPath}` }),
    });
  }

  const prepared = options.preparedStatements ?? options.pool === undefined;
  const statementNames = prepared ? new PreparedStatementNames() : undefined;
  if (statementNames !== undefined) pool = withPreparedStatements(pool, statementNames);

  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool,
      ...(searchPath !== undefined && options.pool !== undefined
        ? {
            onCreateConnection: async (connection) => {
              await connection.executeQuery(CompiledQuery.raw(`set search_path to ${searchPath}`));
            },
          }
        : {}),
    }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return new PostgresPaymentStore(db, schema, maxTransactionAttempts, options.guardNestedCalls, options.purgeBatchSize, statementNames);
}
