import { TABLES } from "@org/payments-kysely";
import pg from "pg";
import { createTestSchema } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import { createPostgresStore } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";

/** A store in a fresh schema, with raw pg access to that schema that bypasses the store. */
export interface PostgresTestStore {
  testSchema: TestSchema;
  store: PostgresPaymentStore;
  /** A pg pool of its own on the same schema, for read-back and raw statements. */
  raw: pg.Pool;
  reset(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createPostgresTestStore(): Promise<PostgresTestStore> {
  const testSchema = await createTestSchema();
  const store = await createPostgresStore({ connectionString: testSchema.url });
  const raw = new pg.Pool({ connectionString: testSchema.url.replace(/[?&]schema=[^&]*/, ""), max: 2, options: `-c search_path=${testSchema.schema}` });
  return {
    testSchema,
    store,
    raw,
    reset: async () => {
      await raw.query(`truncate ${TABLES.join(", ")} restart identity cascade`);
    },
    dispose: async () => {
      await store.close();
      await raw.end();
      await testSchema.drop();
    },
  };
}
