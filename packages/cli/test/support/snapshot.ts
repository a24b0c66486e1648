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
  const tables = (await db.introspection.getTables()).filter((t) => schema === undefined || t.schema === schema).map((t) => t.name);
  const parts: string[] = [];
  for (const table of [...new Set(tables)].sort()) {
    const rows = (await db.selectFrom(table).selectAll().execute()).map(json).sort();
    parts.push(`${table}: ${rows.join("\n")}`);
  }
  parts.push(`provider: ${existsSync(providerStateFile) ? readFileSync(providerStateFile, "utf8") : "(none)"}`);
  return parts.join("\n\n");
}
