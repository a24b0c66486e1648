import { expect } from "vitest";
import { RACERS } from "../case.js";
import { sampleIdempotencyRecord, testId } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";

/** Idempotency records: what `IdempotencyTx` and `IdempotencyMaintenance` promise (ports/store/idempotency.ts). */
export const IDEMPOTENCY_CASES = {
  idempotencyInsertRace: "exactly one of 10 concurrent inserts of the same idempotency key wins",
  idempotencyLockRace: "exactly one of 10 concurrent lock takeovers of an idempotency record wins",
  idempotencyRoundTrip:
    "stores an idempotency record with its outcome and gateway request and reads it back, also when written twice in one transaction",
  pendingAndExpiredRecords: "lists records left at gateway_pending and sweeps only expired finished ones",
  pendingRecordsQuery: "lists only gateway_pending records updated strictly before the instant, oldest first, at most the limit",
  expiredRecordsBoundary: "deletes only finished records that expired strictly before now, never an unfinished one however old",
} as const;

export function defineIdempotencyCases(define: DefineCase<keyof typeof IDEMPOTENCY_CASES>, kit: StoreUnderTest): void {
  define("idempotencyInsertRace", async () => {
    const key = `race-${testId("k")}`;
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        kit.racer(i).transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key, lockId: `lock_${i}` }))),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await kit.harness.readBack.idempotencyRecord("user_1", key)).toMatchObject({ lockId: `lock_${winner}` });
  });

  define("idempotencyLockRace", async () => {
    const { store, harness } = kit;
    const record = sampleIdempotencyRecord({ lockId: "lock_dead" });
    await store.transaction((tx) => tx.insertIdempotencyRecord(record));
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => kit.racer(i).transaction((tx) => tx.updateIdempotencyRecord({ ...record, lockId: `lock_${i}` }, "lock_dead"))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await harness.readBack.idempotencyRecord(record.scope, record.key))?.lockId).toBe(`lock_${results.indexOf(true)}`);
    // null matches only an unlocked record
    expect(await store.transaction((tx) => tx.updateIdempotencyRecord({ ...record, lockId: "x" }, null))).toBe(false);
  });

  define("idempotencyRoundTrip", async () => {
    const { store, harness } = kit;
    const record = sampleIdempotencyRecord({
      recoveryPoint: "gateway_pending",
      paymentId: "pay_1",
      gatewayKey: "pay_1:confirm",
      gatewayRequest: { op: "create", amount: Number.MAX_SAFE_INTEGER, nested: { a: [1, "two"] } },
      gatewaySentAt: "2026-01-01T00:00:00.000Z",
      gatewayAttempts: 3,
      lastGatewayError: { code: "gateway_outcome_unknown", message: "lost", details: { sameKeyReplays: true } },
      flaggedAt: "2026-01-02T00:00:00.000Z",
      outcomeUnknownSince: "2026-01-01T00:00:01.000Z",
      gatewayLastSentAt: "2026-01-01T00:00:02.000Z",
    });
    await store.transaction((tx) => tx.insertIdempotencyRecord(record));
    expect(await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key))).toEqual(record);
    const finished = {
      ...record,
      recoveryPoint: "finished" as const,
      lockId: null,
      lockedAt: null,
      outcome: { ok: false as const, error: { code: "card_declined" as const, message: "declined", declineCode: "generic_decline" } },
    };
    expect(await store.transaction((tx) => tx.updateIdempotencyRecord(finished, record.lockId))).toBe(true);
    expect(await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key))).toEqual(finished);
    expect(await harness.readBack.idempotencyRecord(record.scope, record.key)).toEqual({ lockId: null, recoveryPoint: "finished" });
    expect(await store.transaction((tx) => tx.getIdempotencyRecord("someone_else", record.key))).toBeNull();

    // Inserted and then moved on under its lock in one transaction, as the core's claim does: a store may then set
    // only what changed, and must still set every change, including values cleared to null and JSON that shrank.
    const claimed = sampleIdempotencyRecord({ gatewayRequest: { op: "create", nested: { a: [1, 2, 3] } }, lastGatewayError: { code: "gateway_error", message: "x" } });
    const moved = {
      ...claimed,
      recoveryPoint: "gateway_pending" as const,
      paymentId: "pay_2",
      gatewayKey: "pay_2:confirm",
      gatewayRequest: { op: "create" },
      lastGatewayError: null,
      gatewayAttempts: 1,
      updatedAt: "2026-01-03T00:00:00.000Z",
    };
    const finishedInPlace = { ...moved, recoveryPoint: "finished" as const, lockId: null, lockedAt: null, outcome: { ok: true as const, value: { id: "pay_2" } } };
    await store.transaction(async (tx) => {
      expect(await tx.insertIdempotencyRecord(claimed)).toBe(true);
      expect(await tx.updateIdempotencyRecord(moved, claimed.lockId)).toBe(true);
      expect(await tx.updateIdempotencyRecord(finishedInPlace, claimed.lockId)).toBe(true);
    });
    expect(await store.transaction((tx) => tx.getIdempotencyRecord(claimed.scope, claimed.key))).toEqual(finishedInPlace);
  });

  define("pendingAndExpiredRecords", async () => {
    const { store, harness } = kit;
    const old = "2026-01-01T00:00:00.000Z";
    const pending = sampleIdempotencyRecord({ recoveryPoint: "gateway_pending", lockId: null, lockedAt: null, updatedAt: old, expiresAt: old });
    const finishedExpired = sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 1 }, updatedAt: old, expiresAt: old });
    const finishedFresh = sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 2 }, expiresAt: "2999-01-01T00:00:00.000Z" });
    await store.transaction(async (tx) => {
      for (const r of [pending, finishedExpired, finishedFresh]) await tx.insertIdempotencyRecord(r);
    });
    const listed = await store.listPendingIdempotencyRecords("2026-06-01T00:00:00.000Z", 10);
    expect(listed.map((r) => r.key)).toEqual([pending.key]);
    expect(await store.listPendingIdempotencyRecords("2025-06-01T00:00:00.000Z", 10)).toEqual([]);
    expect(await store.deleteExpiredIdempotencyRecords("2026-06-01T00:00:00.000Z")).toBe(1);
    expect(await harness.readBack.idempotencyRecord(pending.scope, pending.key)).not.toBeNull();
    expect(await harness.readBack.idempotencyRecord(finishedExpired.scope, finishedExpired.key)).toBeNull();
    expect(await harness.readBack.idempotencyRecord(finishedFresh.scope, finishedFresh.key)).not.toBeNull();
  });

  define("pendingRecordsQuery", async () => {
    const { store } = kit;
    const bound = "2026-02-01T00:00:00.000Z";
    const pendingAt = (updatedAt: string, key: string) =>
      sampleIdempotencyRecord({ key, recoveryPoint: "gateway_pending", lockId: null, lockedAt: null, createdAt: "2026-01-01T00:00:00.000Z", updatedAt });
    // Keys sort against time order, and the insertion order is neither: only updatedAt may decide the order.
    const oldest = pendingAt("2026-01-10T00:00:00.000Z", "k_c");
    const middle = pendingAt("2026-01-20T00:00:00.000Z", "k_a");
    const justBefore = pendingAt("2026-01-31T23:59:59.999Z", "k_b");
    const atBound = pendingAt(bound, "k_0");
    const after = pendingAt("2026-03-01T00:00:00.000Z", "k_00");
    // Old, but not waiting on the gateway: recovery has nothing to do with them.
    const started = sampleIdempotencyRecord({ key: "k_started", recoveryPoint: "started", updatedAt: "2026-01-01T00:00:00.000Z" });
    const finished = sampleIdempotencyRecord({ key: "k_finished", recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 1 }, updatedAt: "2026-01-01T00:00:00.000Z" });
    await store.transaction(async (tx) => {
      for (const r of [middle, after, justBefore, started, oldest, finished, atBound]) await tx.insertIdempotencyRecord(r);
    });
    const keys = async (updatedBefore: string, limit: number) => (await store.listPendingIdempotencyRecords(updatedBefore, limit)).map((r) => r.key);
    expect(await keys(bound, 10)).toEqual([oldest.key, middle.key, justBefore.key]);
    expect(await keys(bound, 2)).toEqual([oldest.key, middle.key]);
    expect(await keys(bound, 1)).toEqual([oldest.key]);
    expect(await keys("2026-01-20T00:00:00.000Z", 10)).toEqual([oldest.key]);
    expect(await keys("2026-01-20T00:00:00.001Z", 10)).toEqual([oldest.key, middle.key]);
    expect(await keys("2026-12-31T00:00:00.000Z", 10)).toEqual([oldest.key, middle.key, justBefore.key, atBound.key, after.key]);
    expect((await store.listPendingIdempotencyRecords(bound, 10))[0]).toEqual(oldest);
  });

  define("expiredRecordsBoundary", async () => {
    const { store, harness } = kit;
    const now = "2026-06-01T00:00:00.000Z";
    const finished = (key: string, expiresAt: string) =>
      sampleIdempotencyRecord({ key, recoveryPoint: "finished", lockId: null, lockedAt: null, outcome: { ok: true, value: key }, expiresAt });
    const expired = finished("k_expired", "2026-05-31T23:59:59.999Z");
    const longExpired = finished("k_long_expired", "2026-01-01T00:00:00.000Z");
    const expiresNow = finished("k_expires_now", now);
    const fresh = finished("k_fresh", "2026-06-01T00:00:00.001Z");
    // Expired long ago but unfinished: the operation may still be settled (recovery, an operator), so never swept.
    const stuckPending = sampleIdempotencyRecord({ key: "k_pending", recoveryPoint: "gateway_pending", lockId: null, expiresAt: "2026-01-01T00:00:00.000Z" });
    const stuckStarted = sampleIdempotencyRecord({ key: "k_started", recoveryPoint: "started", expiresAt: "2026-01-01T00:00:00.000Z" });
    await store.transaction(async (tx) => {
      for (const r of [expired, longExpired, expiresNow, fresh, stuckPending, stuckStarted]) await tx.insertIdempotencyRecord(r);
    });
    expect(await store.deleteExpiredIdempotencyRecords(now)).toBe(2);
    for (const gone of [expired, longExpired]) expect(await harness.readBack.idempotencyRecord(gone.scope, gone.key), gone.key).toBeNull();
    for (const kept of [expiresNow, fresh, stuckPending, stuckStarted]) expect(await harness.readBack.idempotencyRecord(kept.scope, kept.key), kept.key).not.toBeNull();
    expect(await store.deleteExpiredIdempotencyRecords(now)).toBe(0);
  });
}
