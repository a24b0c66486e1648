import { describeStoreContract } from "@org/payments-core/testing";
import { sqlReadBack } from "@org/payments-test-support/store-adapter-suite";
import { createSqliteStore, migrate } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";

describeStoreContract("sqlite", async () => {
  const database = createSqliteTestDatabase();
  const store = await createSqliteStore({ filename: database.filename });
  await migrate(store);
  return {
    store,
    reset: async () => database.reset(),
    // Read back through a second better-sqlite3 connection to the file.
    readBack: sqlReadBack(async (statement, params) => database.raw.prepare(statement).get(...params) as Record<string, unknown> | undefined, () => "?"),
    dispose: async () => {
      await store.close();
      database.remove();
    },
  };
});
