import { describeStoreContract } from "@org/payments-core/testing";
import { sqlReadBack } from "@org/payments-test-support/sql-read-back";
import { createSqliteStore, migrate, migrationStatus } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

describeStoreContract("sqlite", async () => {
  const database = createSqliteTestDatabase();
  const store = await createSqliteStore({ filename: database.filename });
  await migrate(store);
  const freshDatabases = new Set<SqliteTestDatabase>();
  return {
    store,
    reset: async () => database.reset(),
    // Read back through a second better-sqlite3 connection to the file.
    readBack: sqlReadBack(async (statement, params) => database.raw.prepare(statement).get(...params) as Record<string, unknown> | undefined, () => "?"),
    // No openSecondStore: better-sqlite3 waits for a busy file synchronously, so a second connection in this process
    // that asks for the write lock while the first holds it across an await blocks the very event loop the first
    // needs to commit ("database is locked" after busy_timeout, tried). Writers on one file in separate processes
    // are proven in multi-process.test.ts; here the racers share the store's one connection.
    // Through the raw connection, as a bigint: SQLite's INTEGER holds it exactly, the store must refuse to read it.
    corruptStoredAmount: async (paymentId, amount) => {
      database.raw.prepare("update payments set amount = ? where id = ?").run(BigInt(amount), paymentId);
    },
    migrations: {
      // A new file of its own, never migrated.
      fresh: async () => {
        const fresh = createSqliteTestDatabase();
        freshDatabases.add(fresh);
        const freshStore = await createSqliteStore({ filename: fresh.filename });
        return {
          migrate: () => migrate(freshStore),
          status: () => migrationStatus(freshStore),
          dispose: async () => {
            await freshStore.close();
            fresh.remove();
            freshDatabases.delete(fresh);
          },
        };
      },
    },
    dispose: async () => {
      await store.close();
      database.remove();
      for (const fresh of freshDatabases) fresh.remove();
    },
  };
});
