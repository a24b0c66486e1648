import { randomBytes } from "node:crypto";
import pg from "pg";
import { requireServiceInCi } from "./require-service.js";

/**
 * A fresh PostgreSQL schema per suite, so suites (and engineers) sharing one server never see each other's rows.
 * The URL carries the schema as `?schema=`, which the postgres adapter reads.
 */

export const DEFAULT_TEST_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

export function testPostgresUrl(): string {
  const fromEnv = process.env.PAYMENTS_TEST_POSTGRES_URL;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_TEST_POSTGRES_URL;
}

export interface TestSchema {
  /** The server URL with `?schema=<schema>` added. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

let availability: Promise<boolean> | undefined;

/**
 * Whether the test server answers. Under CI=true an unreachable server throws (a failure, never a silent skip);
 * elsewhere it returns false after printing why, for `describe.skipIf(!available)`.
 */
export function postgresAvailable(): Promise<boolean> {
  const url = testPostgresUrl();
  availability ??= withClient(url, async (client) => {
    await client.query("select 1");
    return true;
  }).catch((error: unknown) => requireServiceInCi("PostgreSQL", url, error));
  return availability;
}

/** `url` with `?schema=` set (any other query parameters kept). */
export function withSchemaParam(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

/** Creates an empty schema with a unique name (`<prefix>_<time>_<random>`). */
export async function createTestSchema(prefix = "payments_test"): Promise<TestSchema> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`schema prefix ${prefix} must be a lower-case SQL identifier`);
  const base = testPostgresUrl();
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withClient(base, (client) => client.query(`create schema "${schema}"`));
  return {
    url: withSchemaParam(base, schema),
    schema,
    drop: async () => {
      await withClient(base, (client) => client.query(`drop schema if exists "${schema}" cascade`));
    },
  };
}
