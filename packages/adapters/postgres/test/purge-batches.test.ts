import { sampleIdempotencyRecord, sampleInboxEvent } from "@org/payments-core/testing";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();
const LONG_AGO = "2025-01-01T00:00:00.000Z";

describe.skipIf(!available)("postgres: purges delete in bounded batches until done", () => {
  let t: PostgresTestStore;
  let store: PostgresPaymentStore;
  const deletes: string[] = [];

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    store = await createPostgresStore({
      connectionString: t.testSchema.url,
      purgeBatchSize: 3,
      log: (event) => void (event.query.sql.startsWith("delete") && deletes.push(event.query.sql)),
    });
  });
  afterAll(async () => {
    await store?.close();
    await t?.dispose();
  });

  it("removes every expired row in batches of purgeBatchSize, and nothing it must keep", async () => {
    await t.store.transaction(async (tx) => {
      for (let i = 0; i < 10; i++) {
        await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, expiresAt: LONG_AGO }));
        await tx.insertInboxEvent({ ...sampleInboxEvent({ receivedAt: LONG_AGO }), status: "processed", processedAt: LONG_AGO });
      }
      // Unfinished: kept however old.
      await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ recoveryPoint: "gateway_pending", expiresAt: LONG_AGO }));
    });
    const now = new Date().toISOString();
    expect(await store.deleteExpiredIdempotencyRecords(now)).toBe(10);
    expect(await store.purgeWebhookEvents(now)).toBe(10);
    // 10 rows in batches of 3: four deletes each (3, 3, 3, 1), the last one short.
    expect(deletes).toHaveLength(8);
    const left = await t.raw.query<{ recovery_point: string }>("select recovery_point from idempotency_records");
    expect(left.rows).toEqual([{ recovery_point: "gateway_pending" }]);
    expect((await t.raw.query("select 1 from webhook_inbox")).rowCount).toBe(0);
  });

  it("refuses a purgeBatchSize that is not a positive integer before connecting", async () => {
    await expect(createPostgresStore({ connectionString: t.testSchema.url, purgeBatchSize: 0 })).rejects.toThrow(/purgeBatchSize/);
  });
});
