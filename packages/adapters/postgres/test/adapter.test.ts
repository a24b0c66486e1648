import { describe } from "vitest";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { describeSqlAdapter } from "@org/payments-test-support/store-adapter-suite";
import { createPostgresStore, migrate, migrationStatus } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();

describe.skipIf(!available)("postgres", () => {
  describeSqlAdapter("postgres", async () => {
    const t = await createPostgresTestStore();
    const extraStores: { close(): Promise<void> }[] = [];
    return {
      store: t.store,
      migrate: () => migrate(t.store),
      migrationStatus: () => migrationStatus(t.store),
      exec: async (statement) => {
        await t.raw.query(statement);
      },
      reset: t.reset,
      // Its own pool: concurrent claimers on separate connections, as two dispatcher processes would be.
      openSecondStore: async () => {
        const second = await createPostgresStore({ connectionString: t.testSchema.url });
        extraStores.push(second);
        return second;
      },
      dispose: async () => {
        await Promise.all(extraStores.map((store) => store.close().catch(() => undefined)));
        await t.dispose();
      },
    };
  });
});
