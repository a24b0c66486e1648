/**
 * The query code shared by @org/payments-sqlite and @org/payments-postgres: a `PaymentStore` over kysely, the schema
 * and its migrations, parameterized by a small `StoreDialect`. Hosts use the dialect packages, not this one.
 */
export { KyselyPaymentStore, checkPurgeBatchSize, DEFAULT_PURGE_BATCH_SIZE, kyselyOf, nestedCallGuardDefault } from "./kysely-payment-store.js";
export type { KyselyPaymentStoreOptions } from "./kysely-payment-store.js";
export { KyselyStoreTx } from "./kysely-store-tx.js";
export type { ColumnTypes, StoreDialect } from "./store-dialect.js";
export { BEGUN_UP_FRONT, lazyTransactionStart } from "./transaction-start.js";
export type { TransactionStart } from "./transaction-start.js";
export type { OnHotStatement } from "./compiled-statements.js";
export type { Database } from "./database.js";
export { JSON_COLUMNS, TABLES } from "./database.js";
export { MIGRATION_NAMES, paymentMigrations } from "./migrations.js";
export { POSTGRES_PAYMENT_TOTALS_DDL, SQLITE_PAYMENT_TOTALS_DDL } from "./payment-totals-ddl.js";
export { readMigrationStatus, runMigrations } from "./migration-runner.js";
export type { MigrationReport, MigrationStatus, MigrationTarget } from "./migration-runner.js";
export { parseJsonText, readInteger } from "./conversions.js";
/** For the adapters' upgrade tests, which write a payment as an older schema holds it (without later columns). */
export { paymentToRow } from "./row-mappers.js";
/** Re-exported from the core, where every store takes it from. */
export { formatReceiptNumber } from "@org/payments-core";
