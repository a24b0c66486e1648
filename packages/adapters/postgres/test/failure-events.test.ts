import { postgresAvailable } from "@org/payments-test-support/postgres";
import { defineFailureEventCases } from "@org/payments-test-support/failure-events";
import { describe } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

// Failure events on PostgreSQL: what another pool reads back from the outbox's jsonb.
describe.skipIf(!available)("postgres: failure events carry their reason", () => {
  defineFailureEventCases(async () => {
    const t = await createPostgresTestStore();
    await migrate(t.store);
    const reader = await createPostgresStore({ connectionString: t.testSchema.url });
    return {
      store: t.store,
      reader,
      rawOutbox: async (paymentId) => JSON.stringify((await t.raw.query("select event from outbox where payment_id = $1", [paymentId])).rows),
      dispose: async () => {
        await reader.close();
        await t.dispose();
      },
    };
  });
});
