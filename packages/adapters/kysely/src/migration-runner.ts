import { Migrator } from "kysely";
import type { Kysely, MigrationResultSet } from "kysely";
import { paymentMigrations } from "./migrations.js";
import type { ColumnTypes } from "./store-dialect.js";

/** Where the kysely migration bookkeeping lives, and how to run it safely on one database. */
export interface MigrationTarget {
  db: Kysely<any>;
  columnTypes: ColumnTypes;
  /** PostgreSQL: the schema holding both the tables and kysely's migration tables. */
  migrationTableSchema?: string | undefined;
  /**
   * Runs the migrator. SQLite wraps it in one BEGIN IMMEDIATE transaction on its single connection (kysely's own
   * SQLite migrations run without a transaction, and two processes migrating one file must not interleave).
   * Defaults to running it as is (PostgreSQL: kysely takes an advisory lock and a transaction itself).
   */
  run?: (db: Kysely<any>, migrate: (db: Kysely<any>) => Promise<MigrationResultSet>) => Promise<MigrationResultSet>;
}

export interface MigrationReport {
  /** Migrations this call applied, in order; empty when the schema was already current. */
  applied: string[];
  /** The newest applied migration after the call. */
  current: string | null;
}

export interface MigrationStatus {
  /** The newest applied migration, or null on an empty database. */
  current: string | null;
  /** Migrations this code knows that the database has not applied yet, in the order they would run. */
  pending: string[];
}

function migrator(db: Kysely<any>, target: MigrationTarget): Migrator {
  return new Migrator({
    db,
    provider: paymentMigrations(target.columnTypes),
    ...(target.migrationTableSchema === undefined ? {} : { migrationTableSchema: target.migrationTableSchema }),
  });
}

/** Applies every pending migration; throws (with the failing migration named) if one fails. */
export async function runMigrations(target: MigrationTarget): Promise<MigrationReport> {
  const run = target.run ?? ((db: Kysely<any>, migrate: (db: Kysely<any>) => Promise<MigrationResultSet>) => migrate(db));
  const resultSet: MigrationResultSet = await run(target.db, (db) => migrator(db, target).migrateToLatest());
  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((result) => result.status === "Error");
    const message = failed === undefined ? "migration failed" : `migration ${failed.migrationName} failed`;
    throw new Error(`${message}: ${errorMessage(resultSet.error)}`, { cause: resultSet.error });
  }
  const status = await readMigrationStatus(target);
  return {
    applied: results.filter((result) => result.status === "Success").map((result) => result.migrationName),
    current: status.current,
  };
}

export async function readMigrationStatus(target: MigrationTarget): Promise<MigrationStatus> {
  const migrations = await migrator(target.db, target).getMigrations();
  const applied = migrations.filter((migration) => migration.executedAt !== undefined);
  return {
    current: applied[applied.length - 1]?.name ?? null,
    pending: migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
