// @org/payments-kysely alone: its declarations (the dialect a store author supplies, the migrations) typecheck and
// the module loads.
import { MIGRATION_NAMES, type MigrationStatus, type StoreDialect } from "@org/payments-kysely";

/** What a store author writes against: the dialect type must resolve from the published declarations. */
export type AuthorsDialect = StoreDialect;

const status: MigrationStatus = { current: null, pending: [...MIGRATION_NAMES] };
console.log(`kysely: ${status.pending.length} migrations (${status.pending.join(", ")})`);
