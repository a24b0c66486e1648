import { describeStoreContract } from "@org/payments-core/testing";
import { describe } from "vitest";
import { createTestSchema, postgresAvailable } from "@org/payments-test-support/postgres";
import type { TestSchema } from "@org/payments-test-support/postgres";
import { sqlReadBack } from "@org/payments-test-support/sql-read-back";
import { createPostgresStore, migrate, migrationStatus } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

// Under CI=true an unreachable server throws here (a failure); elsewhere the suite is skipped with the reason printed.
const available = await postgresAvailable();

describe.skipIf(!available)("postgres", () => {
  describeStoreContract("postgres", async () => {
    const t = await createPostgresTestStore();
    await migrate(t.store);
    const freshSchemas = new Set<TestSchema>();
    return {
      store: t.store,
      reset: t.reset,
      // Read back over a separate pool with plain SQL.
      readBack: sqlReadBack(async (statement, params) => (await t.raw.query(statement, params)).rows[0] as Record<string, unknown> | undefined, (n) => `$${n}`),
      // A pool of its own on the same schema: racers on separate connections, as two service processes would be.
      // The kit closes it.
      openSecondStore: () => createPostgresStore({ connectionString: t.testSchema.url }),
      // Bound as text and cast by the server: the column holds 2^53 + 1 exactly; the store must refuse to read it.
      corruptStoredAmount: async (paymentId, amount) => {
        await t.raw.query("update payments set amount = $1::bigint where id = $2", [amount, paymentId]);
      },
      migrations: {
        // A new, empty schema of its own, never migrated.
        fresh: async () => {
          const schema = await createTestSchema("payments_migrate");
          freshSchemas.add(schema);
          const store = await createPostgresStore({ connectionString: schema.url });
          return {
            migrate: () => migrate(store),
            status: () => migrationStatus(store),
            // Its own pool on the same schema, as a second deploy would be: only the database's lock keeps them apart.
            openSecondMigrator: async () => {
              const other = await createPostgresStore({ connectionString: schema.url });
              return { migrate: () => migrate(other), dispose: () => other.close() };
            },
            dispose: async () => {
              await store.close();
              await schema.drop();
              freshSchemas.delete(schema);
            },
          };
        },
      },
      dispose: async () => {
        await t.dispose();
        await Promise.all([...freshSchemas].map((schema) => schema.drop()));
      },
    };
  });
});
