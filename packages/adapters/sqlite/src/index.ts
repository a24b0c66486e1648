/** `PaymentStore` for @org/payments-core on SQLite (better-sqlite3) through kysely, with its migrations. */
export { createSqliteStore, openSqliteDatabase, DEFAULT_SQLITE_FILENAME } from "./create-sqlite-store.js";
export type { SqliteStoreOptions } from "./create-sqlite-store.js";
export { migrate, migrationStatus } from "./migrate.js";
export { enableIncrementalVacuum } from "./incremental-vacuum.js";
export type { KyselyPaymentStore as SqlitePaymentStore, MigrationReport, MigrationStatus } from "@org/payments-kysely";
