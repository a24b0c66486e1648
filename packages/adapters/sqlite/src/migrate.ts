import { kyselyOf, readMigrationStatus, runMigrations } from "@org/payments-kysely";
import type { KyselyPaymentStore } from "@org/payments-kysely";
import type { MigrationReport, MigrationStatus, MigrationTarget } from "@org/payments-kysely";
import type { Kysely } from "kysely";
import { inImmediateTransaction, refreshSqliteStatistics, sqliteDialect } from "./sqlite-dialect.js";

function target(storeOrDb: KyselyPaymentStore | Kysely<any>): MigrationTarget {
  return {
    db: kyselyOf(storeOrDb),
    columnTypes: sqliteDialect({ durable: true }).columnTypes,
    // One IMMEDIATE transaction around the whole run: DDL is transactional in SQLite, so a failed migration
    // leaves nothing behind, and a second process migrating the same file waits, then finds nothing pending.
    run: (db, migrate) => inImmediateTransaction(db, migrate, (resultSet) => resultSet.error === undefined),
  };
}

/**
 * Applies pending migrations to the store's database (or a kysely SQLite instance); returns what ran. Then
 * refreshes the planner's statistics (after the migration's transaction: a new index has none until then).
 */
export async function migrate(storeOrDb: KyselyPaymentStore | Kysely<any>): Promise<MigrationReport> {
  const report = await runMigrations(target(storeOrDb));
  await refreshSqliteStatistics(kyselyOf(storeOrDb));
  return report;
}

/** The applied and pending migrations, for refusing to run against an out-of-date schema. */
export function migrationStatus(storeOrDb: KyselyPaymentStore | Kysely<any>): Promise<MigrationStatus> {
  return readMigrationStatus(target(storeOrDb));
}
