/** `PaymentStore` for @org/payments-core on PostgreSQL (pg) through kysely, with its migrations. */
export { createPostgresStore, PostgresPaymentStore } from "./create-postgres-store.js";
export type { PostgresStoreOptions } from "./create-postgres-store.js";
export { migrate, migrationStatus } from "./migrate.js";
export type { PostgresMigrateOptions } from "./migrate.js";
export { isRetryableTransactionError } from "./postgres-dialect.js";
export { splitSchemaFromUrl } from "./connection-options.js";
export type { MigrationReport, MigrationStatus } from "@org/payments-kysely";
