import { defineFailureEventCases } from "@org/payments-test-support/failure-events";
import { describe } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";

// Failure events on a real SQLite file: what a second store on the file reads back from the outbox.
describe("sqlite: failure events carry their reason", () => {
  defineFailureEventCases(async () => {
    const database = createSqliteTestDatabase();
    const store = await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 });
    const reader = await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 });
    await migrate(store);
    return {
      store,
      reader,
      rawOutbox: async (paymentId) => JSON.stringify(database.raw.prepare("select event, last_error from outbox where payment_id = ?").all(paymentId)),
      dispose: async () => {
        await store.close();
        await reader.close();
        database.remove();
      },
    };
  });
});
