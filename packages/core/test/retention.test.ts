import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryPaymentStore, isPaymentError, purgeHousekeeping, resolveRetention, startRetention } from "../src/index.js";
import { sampleEvent, sampleIdempotencyRecord, sampleInboxEvent, samplePayment } from "../src/testing/fixtures.js";

const DAY = 86_400_000;
// After every fixture's own time (they are made now), so each seeded event is due.
const NOW = new Date(Date.now() + 365 * DAY);
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A store holding one row of each kind on each side of the default 7-day retention (and the ones never purged). */
async function seeded(): Promise<MemoryPaymentStore> {
  const store = new MemoryPaymentStore();
  const payment = samplePayment();
  await store.transaction(async (tx) => {
    await tx.insertPayment(payment);
    await tx.appendOutbox([sampleEvent(payment), sampleEvent(payment), sampleEvent(payment)]);
    await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: "expired", recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 1 }, expiresAt: ago(1) }));
    await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: "live", recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 1 }, expiresAt: ago(-DAY) }));
    await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: "unfinished", recoveryPoint: "gateway_pending", expiresAt: ago(30 * DAY) }));
    await tx.insertInboxEvent(sampleInboxEvent({ eventId: "evt_old", status: "processed", processedAt: ago(8 * DAY) }));
    await tx.insertInboxEvent(sampleInboxEvent({ eventId: "evt_recent", status: "processed", processedAt: ago(6 * DAY) }));
    await tx.insertInboxEvent(sampleInboxEvent({ eventId: "evt_held", status: "held", receivedAt: ago(30 * DAY) }));
  });
  // Delivered 8 days ago, 6 days ago; the third stays pending.
  const [first] = await store.claimOutbox({ claimant: "t", now: NOW.toISOString(), leaseUntil: ago(-60_000), limit: 10 });
  expect(await store.markOutboxDelivered(first!.sequence, "t", ago(8 * DAY))).toBe(true);
  const [next] = await store.claimOutbox({ claimant: "t", now: NOW.toISOString(), leaseUntil: ago(-60_000), limit: 10 });
  expect(await store.markOutboxDelivered(next!.sequence, "t", ago(6 * DAY))).toBe(true);
  return store;
}

describe("retention", () => {
  afterEach(() => vi.useRealTimers());

  it("one pass deletes what the default policy says is done, and nothing else", async () => {
    const store = await seeded();
    const report = await purgeHousekeeping(store, { now: NOW });
    expect(report).toEqual({ idempotencyRecords: 1, outboxEvents: 1, webhookEvents: 1, eventsBefore: ago(7 * DAY), webhooksBefore: ago(7 * DAY) });
    const outbox = await store.listOutbox({ limit: 10 });
    expect(outbox.map((entry) => entry.status)).toEqual(["delivered", "pending"]);
    expect((await store.listInboxEvents({ limit: 10 })).map((event) => event.eventId).sort()).toEqual(["evt_held", "evt_recent"]);
    const record = (key: string) => store.transaction((tx) => tx.getIdempotencyRecord(sampleIdempotencyRecord().scope, key));
    expect(await record("expired")).toBeNull();
    expect(await record("live")).not.toBeNull();
    expect(await record("unfinished")).not.toBeNull();
  });

  it("follows a policy given: shorter event retention deletes the younger delivered event too", async () => {
    const store = await seeded();
    const report = await purgeHousekeeping(store, { now: NOW, retention: { deliveredEventsMs: 5 * DAY } });
    expect(report.outboxEvents).toBe(2);
    expect(report.webhookEvents).toBe(1);
  });

  it("refuses a policy that would purge webhooks a provider may still redeliver, or that is not whole milliseconds", () => {
    const refused = (retention: Parameters<typeof resolveRetention>[0]) => {
      try {
        resolveRetention(retention);
        return "accepted";
      } catch (error) {
        return isPaymentError(error, "configuration_error") ? "configuration_error" : String(error);
      }
    };
    expect(refused({ processedWebhooksMs: 2 * DAY })).toBe("configuration_error");
    expect(refused({ deliveredEventsMs: 1.5 })).toBe("configuration_error");
    expect(refused({ deliveredEventsMs: -1 })).toBe("configuration_error");
    expect(refused({ processedWebhooksMs: 3 * DAY, deliveredEventsMs: 1 })).toBe("accepted");
    expect(() => startRetention({ store: new MemoryPaymentStore(), retention: { processedWebhooksMs: DAY } })).toThrow(/3 days/);
    // Past setTimeout's range (or NaN) Node fires after 1 ms: a schedule that would purge without pause is refused.
    for (const intervalMs of [30 * DAY, Number.NaN, 10]) {
      expect(() => startRetention({ store: new MemoryPaymentStore(), intervalMs }), String(intervalMs)).toThrow(/intervalMs/);
    }
  });

  it("runs on its schedule, one pass at a time, with afterPurge after each; stop waits for the pass in flight", async () => {
    vi.useFakeTimers({ now: NOW });
    const store = await seeded();
    const reports: number[] = [];
    let running = 0;
    let overlapped = false;
    let release: () => void = () => undefined;
    const schedule = startRetention({
      store,
      initialDelayMs: 1_000,
      intervalMs: 10_000,
      afterPurge: async () => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise<void>((resolve) => (release = resolve));
        running--;
      },
      onReport: (report) => reports.push(report.outboxEvents),
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(running).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(running).toBe(1);
    // A manual pass while the scheduled one is in flight waits for it.
    const manual = schedule.runOnce();
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toBe(1);
    release();
    await manual;
    expect(reports).toEqual([1, 0]);
    expect(overlapped).toBe(false);
    // The next scheduled pass comes an interval after the first ended.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(running).toBe(1);
    const stopped = schedule.stop();
    let stoppedYet = false;
    void stopped.then(() => (stoppedYet = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stoppedYet).toBe(false);
    release();
    await stopped;
    await vi.advanceTimersByTimeAsync(100_000);
    expect(reports).toEqual([1, 0, 0]);
  });
});
