import { sampleIdempotencyRecord } from "@org/payments-core/testing";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

// Under CI=true an unreachable server throws here: a failure, never a skip.
const available = await postgresAvailable();

/**
 * A claim held for the next statement answers "claimed" before the database did (optimistic-claims.ts in the shared
 * store). Updating it in the same transaction folds into its insert only under the lock it was claimed with: the
 * compare-and-set must answer as it would have against the stored row.
 */
describe.skipIf(!available)("PostgreSQL: idempotency claims held for the next statement", () => {
  let t: PostgresTestStore;

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
  });
  beforeEach(async () => t.reset());
  afterAll(async () => t?.dispose());

  const stored = async (key: string) => (await t.raw.query("select lock_id, recovery_point from idempotency_records where key = $1", [key])).rows;

  it("an update under another lock than the claim's matches nothing, and the claim is stored as claimed", async () => {
    const record = sampleIdempotencyRecord({ key: "held-1", lockId: "lock_mine", recoveryPoint: "started" });
    const answers = await t.store.transaction(async (tx) => {
      const claimed = await tx.insertIdempotencyRecord(record);
      const stolen = await tx.updateIdempotencyRecord({ ...record, lockId: "lock_theirs", recoveryPoint: "finished" }, "lock_other");
      return { claimed, stolen };
    });
    expect(answers).toEqual({ claimed: true, stolen: false });
    expect(await stored("held-1")).toEqual([{ lock_id: "lock_mine", recovery_point: "started" }]);
  });

  it("an update under the claim's lock is stored, whether it folds into the held insert or follows it", async () => {
    const record = sampleIdempotencyRecord({ key: "held-2", lockId: "lock_mine", recoveryPoint: "started" });
    await t.store.transaction(async (tx) => {
      expect(await tx.insertIdempotencyRecord(record)).toBe(true);
      expect(await tx.updateIdempotencyRecord({ ...record, lockId: "lock_next", recoveryPoint: "gateway_pending" }, "lock_mine")).toBe(true);
      // The record's lock is now lock_next: the first lock no longer matches, the new one does.
      expect(await tx.updateIdempotencyRecord({ ...record, lockId: null, recoveryPoint: "finished" }, "lock_mine")).toBe(false);
      expect(await tx.updateIdempotencyRecord({ ...record, lockId: null, recoveryPoint: "finished" }, "lock_next")).toBe(true);
    });
    expect(await stored("held-2")).toEqual([{ lock_id: null, recovery_point: "finished" }]);
  });

  it("a held claim of a key already stored re-runs the transaction with the key claimed at once, which then answers false", async () => {
    const record = sampleIdempotencyRecord({ key: "held-3", lockId: "lock_first" });
    await t.store.transaction(async (tx) => tx.insertIdempotencyRecord(record));
    const answers: boolean[] = [];
    await t.store.transaction(async (tx) => {
      answers.push(await tx.insertIdempotencyRecord({ ...record, lockId: "lock_second" }));
    });
    // First attempt: held, "claimed"; its statement failed and nothing of it stayed. Second: claimed at once, false.
    expect(answers).toEqual([true, false]);
    expect(await stored("held-3")).toEqual([{ lock_id: "lock_first", recovery_point: record.recoveryPoint }]);
  });
});
