import { existsSync } from "node:fs";
import type { PaymentStore } from "@org/payments-core";
import type { Connection } from "../config/connection.js";
import { loadOptionalPackage } from "../config/optional-package.js";

export interface MigrationStatus {
  current: string | null;
  pending: string[];
}

export interface OpenedStore {
  store: PaymentStore;
  status(): Promise<MigrationStatus>;
  migrate(): Promise<{ applied: string[]; current: string | null }>;
  close(): Promise<void>;
}

/**
 * Opens the store the connection names (`readOnly`: a SQLite file as it is, for a look), with its adapter's
 * migration functions bound to it. Adapters are optional peers imported on demand: pg is not loaded for a SQLite
 * file, nor better-sqlite3 for PostgreSQL, and one not installed is named with the command that adds it.
 */
export async function openStore(connection: Connection, options: { create: boolean; readOnly?: boolean }): Promise<OpenedStore | null> {
  if (connection.kind === "sqlite") {
    // Only `migrate` may create the file; elsewhere a missing file is a mistyped path, not an empty database.
    if (!options.create && connection.filename !== ":memory:" && !existsSync(connection.filename)) return null;
    const sqlite = await loadOptionalPackage("@org/payments-sqlite", "a SQLite database (--db <file>)", () => import("@org/payments-sqlite"));
    // Read-only leaves the file exactly as it is (no switch to WAL): for looking before anything writes.
    const readOnly = options.readOnly === true && connection.filename !== ":memory:";
    const store = await sqlite.createSqliteStore({ filename: connection.filename, readOnly });
    return { store, status: () => sqlite.migrationStatus(store), migrate: () => sqlite.migrate(store), close: () => store.close() };
  }
  const postgres = await loadOptionalPackage("@org/payments-postgres", "a PostgreSQL database (--db postgres://…)", () => import("@org/payments-postgres"));
  // A CLI run needs few connections; keep the footprint small on a shared server.
  const store = await postgres.createPostgresStore({ connectionString: connection.url, max: 2 });
  return { store, status: () => postgres.migrationStatus(store), migrate: () => postgres.migrate(store), close: () => store.close() };
}
