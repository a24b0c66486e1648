import { type ColumnInfo, copyStatement } from "./copy-statements.js";
import type { SeedKey } from "./seed-keys.js";

/** What seeding needs of an engine: raw SQL on the store's own tables, outside the store. */
export interface Seeder {
  readonly dialect: "sqlite" | "postgres";
  /** Tables with a `payment_id` column (payments itself is always copied first). */
  paymentTables(): Promise<string[]>;
  columns(table: string): Promise<ColumnInfo[]>;
  rows(table: string, column: string, ids: readonly string[]): Promise<Record<string, unknown>[]>;
  /** Replaces the seed_keys table's contents. */
  writeKeys(keys: readonly SeedKey[]): Promise<void>;
  /** Runs statements in one transaction. */
  inTransaction(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Copies every row the service wrote for each template payment (payment, references, history, refunds, receipt,
 * idempotency records, outbox events) once per key of that template, `chunk` copies per transaction so that no
 * transaction (and on SQLite no WAL file) grows with the size seeded.
 */
export async function seedCopies(seeder: Seeder, templates: readonly string[], keys: readonly SeedKey[], chunk: number): Promise<void> {
  await seeder.writeKeys(keys);
  const tables = ["payments", ...(await seeder.paymentTables()).filter((t) => t !== "payments")];
  const statements: string[] = [];
  for (const table of tables) {
    const columns = await seeder.columns(table);
    for (const [template, paymentId] of templates.entries()) {
      for (const row of await seeder.rows(table, table === "payments" ? "id" : "payment_id", [paymentId])) {
        statements.push(copyStatement({ table, columns, row, template, dialect: seeder.dialect }));
      }
    }
  }
  const first = keys[0]!.n;
  const end = keys[keys.length - 1]!.n + 1;
  for (let from = first; from < end; from += chunk) {
    const to = Math.min(end, from + chunk);
    await seeder.inTransaction(statements.map((s) => s.replace("$FROM", String(from)).replace("$TO", String(to))));
  }
}
