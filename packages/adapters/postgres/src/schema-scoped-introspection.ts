import { sql } from "kysely";
import type { DatabaseIntrospector, Kysely, SchemaMetadata, TableMetadata } from "kysely";

/**
 * `db` for kysely's Migrator, with an introspector that looks at `schema` only. The Migrator asks the introspector
 * whether its schema and bookkeeping tables exist; kysely's own PostgreSQL introspector reads every schema of the
 * database and resolves each table's serial sequence by name, which fails ("schema … does not exist") whenever
 * another schema is dropped at that moment: a migration would fail for something that has nothing to do with it.
 * Everything else is the instance itself.
 */
export function withSchemaScopedIntrospection(db: Kysely<any>, schema: string): Kysely<any> {
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string }>`select tablename as name from pg_catalog.pg_tables where schemaname = ${schema}`.execute(db);
    // Only existence is asked (name and schema); columns are not read.
    return rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    getSchemas: async (): Promise<SchemaMetadata[]> =>
      (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)).rows,
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "introspection") return introspection;
      const value: unknown = Reflect.get(target, property, target);
      // kysely's methods use private fields: they must run on the instance, not on the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
