import pg from "pg";
import type { ColumnInfo } from "./copy-statements.js";
import type { SeedKey } from "./seed-keys.js";
import type { Seeder } from "./seeder.js";

/** Seeds a PostgreSQL schema on one client of its own (setup, not measured: synchronous_commit off for it). */
export async function postgresSeeder(url: string, schema: string): Promise<Seeder> {
  const server = new URL(url);
  server.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: server.toString(), options: `-c search_path="${schema}"` });
  await client.connect();
  await client.query("set synchronous_commit = off");
  await client.query(
    "create temp table seed_keys (n integer primary key, template integer, tag text, owner text, ref text, created_at timestamptz, updated_at timestamptz, expires_at timestamptz, auth_expires_at timestamptz, backlog integer)",
  );
  return {
    dialect: "postgres",
    async paymentTables() {
      const { rows } = await client.query("select table_name from information_schema.columns where table_schema = $1 and column_name = 'payment_id'", [schema]);
      return rows.map((r) => String(r.table_name));
    },
    async columns(table) {
      const { rows } = await client.query(
        "select column_name, data_type, column_default from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position",
        [schema, table],
      );
      return rows.map((r): ColumnInfo => {
        const name = String(r.column_name);
        const type = String(r.data_type);
        if (String(r.column_default ?? "").startsWith("nextval(")) return { name, kind: "serial" };
        if (type.startsWith("timestamp")) return { name, kind: "timestamp" };
        if (type === "jsonb" || type === "json") return { name, kind: "json" };
        if (type === "boolean") return { name, kind: "boolean" };
        if (/int|numeric|double|real/.test(type)) return { name, kind: "number" };
        return { name, kind: "text" };
      });
    },
    async rows(table, column, ids) {
      return (await client.query(`select * from "${table}" where "${column}" = any($1)`, [ids])).rows;
    },
    async writeKeys(keys: readonly SeedKey[]) {
      await client.query("truncate seed_keys");
      for (let i = 0; i < keys.length; i += 20_000) {
        const batch = keys.slice(i, i + 20_000);
        const column = <K extends keyof SeedKey>(name: K) => batch.map((k) => k[name]);
        await client.query(
          "insert into seed_keys select * from unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int[])",
          [column("n"), column("template"), column("tag"), column("owner"), column("ref"), column("createdAt"), column("updatedAt"), column("expiresAt"), column("authExpiresAt"), column("backlog")],
        );
      }
      await client.query("analyze seed_keys");
    },
    async inTransaction(statements) {
      await client.query("begin");
      try {
        for (const statement of statements) await client.query(statement);
        await client.query("commit");
      } catch (error) {
        await client.query("rollback");
        throw error;
      }
    },
    async close() {
      await client.end();
    },
  };
}
