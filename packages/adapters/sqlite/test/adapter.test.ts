import { describeSqlAdapter } from "@org/payments-test-support/store-adapter-suite";
import { createSqliteStore, migrate, migrationStatus } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";

describeSqlAdapter("sqlite", async () => {
  const database = createSqliteTestDatabase();
  const store = await createSqliteStore({ filename: database.filename });
  return {
    store,
    migrate: () => migrate(store),
    migrationStatus: () => migrationStatus(store),
    exec: async (statement) => {
      database.raw.prepare(statement).run();
    },
    reset: async () => database.reset(),
    dispose: async () => {
      await store.close();
      database.remove();
    },
  };
});
