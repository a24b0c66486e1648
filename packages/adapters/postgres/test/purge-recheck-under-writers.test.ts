import { sampleIdempotencyRecord, sampleInboxEvent } from "@org/payments-core/testing";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

// Review of the purge's re-check (issue 17): the DELETE's conditions are wrapped in coalesce(c, c) so no index serves
// them. They must still be re-checked on the row a concurrent writer committed while the purge waited for its lock.

const available = await postgresAvailable();
const LONG_AGO = "2025-01-01T00:00:00.000Z";
const FAR_AHEAD = "2999-01-01T00:00:00.000Z";

describe.skipIf(!available)("postgres: a purge batch re-checks rows a concurrent writer changed", () => {
  let t: PostgresTestStore;
  let store: PostgresPaymentStore;

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    store = await createPostgresStore({ connectionString: t.testSchema.url, purgeBatchSize: 100 });
  });
  afterAll(async () => {
    await store?.close();
    await t?.dispose();
  });

  it("an idempotency record re-opened or extended by a writer the DELETE waited for is kept; the others go", async () => {
    const records = Array.from({ length: 4 }, () => sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, expiresAt: LONG_AGO }));
    await t.store.transaction(async (tx) => {
      for (const record of records) await tx.insertIdempotencyRecord(record);
    });
    const [reopened, extended] = records;
    const writer = await t.raw.connect();
    try {
      await writer.query("begin");
      await writer.query("update idempotency_records set recovery_point = 'gateway_pending' where scope = $1 and key = $2", [reopened!.scope, reopened!.key]);
      await writer.query("update idempotency_records set expires_at = $3 where scope = $1 and key = $2", [extended!.scope, extended!.key, FAR_AHEAD]);
      // The purge chooses all four from its snapshot, then waits on the two rows the writer holds.
      const purge = store.deleteExpiredIdempotencyRecords(new Date().toISOString());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.query("commit");
      expect(await purge).toBe(2);
    } finally {
      writer.release();
    }
    const left = await t.raw.query<{ key: string }>("select key from idempotency_records order by key");
    expect(left.rows.map((row) => row.key).sort()).toEqual([reopened!.key, extended!.key].sort());
  });

  it("an inbox event a writer moved back out of processed while the DELETE waited is kept", async () => {
    await t.reset();
    const events = Array.from({ length: 3 }, (_, index) => ({
      ...sampleInboxEvent({ receivedAt: LONG_AGO, eventId: `evt_recheck_${index}` }),
      status: "processed" as const,
      processedAt: LONG_AGO,
    }));
    await t.store.transaction(async (tx) => {
      for (const event of events) await tx.insertInboxEvent(event);
    });
    const writer = await t.raw.connect();
    try {
      await writer.query("begin");
      await writer.query("update webhook_inbox set status = 'held', processed_at = null where event_id = $1", ["evt_recheck_0"]);
      const purge = store.purgeWebhookEvents(new Date().toISOString());
      await new Promise((resolve) => setTimeout(resolve, 300));
      await writer.query("commit");
      expect(await purge).toBe(2);
    } finally {
      writer.release();
    }
    const left = await t.raw.query<{ event_id: string }>("select event_id from webhook_inbox");
    expect(left.rows).toEqual([{ event_id: "evt_recheck_0" }]);
  });
});
