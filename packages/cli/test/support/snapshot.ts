import { existsSync, readFileSync } from "node:fs";
import type { PaymentStore } from "@org/payments-core";

/** The kysely instance behind both SQL stores (`store.db`), typed loosely: tables are read by name. */
interface SqlStore {
  db: {
    introspection: { getTables(): Promise<Array<{ name: string; schema?: string | undefined }>> };
    selectFrom(table: string): { selectAll(): { execute(): Promise<Array<Record<string, unknown>>> } };
  };
  schema?: string | undefined;
}

const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

/**
 * Every row of every table of the store's database (its own schema on PostgreSQL), plus the simulated provider's
 * state file: read through the database's own tables rather than the store's methods, so that a change no port
 * method reports (an idempotency record, an outbox row, a provider-side refund) still shows.
 */
export async function snapshot(store: PaymentStore, providerStateFile: string): Promise<string> {
  const { db, schema } = store as unknown as SqlStore;
  // PostgreSQL: the schema's tables from pg_tables alone. kysely's introspection reads every schema of the database
  // and resolves each table's serial sequence by name, which fails ("schema … does not exist") whenever another
  // suite drops its schema at that moment (suites run side by side).
  const tables =
    schema === undefined
      ? (await db.introspection.getTables()).map((t) => t.name)
      : (await db.selectFrom("pg_catalog.pg_tables").selectAll().execute()).filter((row) => row["schemaname"] === schema).map((row) => String(row["tablename"]));
  const parts: string[] = [];
  for (const table of [...new Set(tables)].sort()) {
    const rows = (await db.selectFrom(table).selectAll().execute()).map(json).sort();
    parts.push(`${table}: ${rows.join("\n")}`);
  }
  parts.push(`provider: ${existsSync(providerStateFile) ? readFileSync(providerStateFile, "utf8") : "(none)"}`);
  return parts.join("\n\n");
}
