import { kyselyOf, readMigrationStatus, runMigrations } from "@org/payments-kysely";
import type { KyselyPaymentStore, MigrationReport, MigrationStatus, MigrationTarget } from "@org/payments-kysely";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { quoteSchema } from "./connection-options.js";
import { PostgresPaymentStore } from "./create-postgres-store.js";
import { analyzeStoreTables, postgresDialect } from "./postgres-dialect.js";
import { withSchemaScopedIntrospection } from "./schema-scoped-introspection.js";

export interface PostgresMigrateOptions {
  /** The schema to migrate; defaults to the store's schema, else the connection's current schema. */
  schema?: string | undefined;
}

async function target(storeOrDb: KyselyPaymentStore | Kysely<any>, options: PostgresMigrateOptions, create: boolean): Promise<MigrationTarget> {
  const db = kyselyOf(storeOrDb);
  let schema = options.schema ?? (storeOrDb instanceof PostgresPaymentStore ? storeOrDb.schema : undefined);
  if (schema === undefined) {
    const row = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = row.rows[0]?.schema ?? "public";
  }
  // The store's connections already point their search_path here; it just may not exist yet on a new database.
  if (create) {
    try {
      await sql`create schema if not exists ${sql.raw(quoteSchema(schema))}`.execute(db);
    } catch (error) {
      // Two first-time migrations can race on the catalog even with IF NOT EXISTS; the loser finds it there.
      const code = (error as { code?: unknown }).code;
      if (code !== "42P06" && code !== "23505") throw error;
    }
  }
  return {
    db: withSchemaScopedIntrospection(db, schema),
    columnTypes: postgresDialect({ maxTransactionAttempts: 1 }).columnTypes,
    // kysely's migration tables live beside ours, so that every schema has its own migration history.
    migrationTableSchema: schema,
  };
}

/**
 * Applies pending migrations (in one transaction, under kysely's advisory lock, so concurrent callers apply each
 * migration once); returns what ran. Then ANALYZEs the store's tables, so that a new index is planned with at once.
 */
export async function migrate(storeOrDb: KyselyPaymentStore | Kysely<any>, options: PostgresMigrateOptions = {}): Promise<MigrationReport> {
  const migrationTarget = await target(storeOrDb, options, true);
  const report = await runMigrations(migrationTarget);
  await analyzeStoreTables(migrationTarget.db, migrationTarget.migrationTableSchema);
  return report;
}

/** The applied and pending migrations, for refusing to run against an out-of-date schema. */
export async function migrationStatus(
  storeOrDb: KyselyPaymentStore | Kysely<any>,
  options: PostgresMigrateOptions = {},
): Promise<MigrationStatus> {
  return readMigrationStatus(await target(storeOrDb, options, false));
}
