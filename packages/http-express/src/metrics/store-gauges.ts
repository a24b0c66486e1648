import type { InboxStatus, PaymentStore } from "@org/payments-core";
import { Counter, Gauge, type Registry } from "prom-client";
import { cachedFor } from "./cached-for.js";

export interface StoreMetricsOptions {
  store: PaymentStore;
  /** The clock ages are measured against (default the system clock; the service's `clock.now` in a router). */
  now?: (() => Date) | undefined;
  /** At most one set of store reads per this many milliseconds, however often it is scraped (default 5 s). */
  cacheMs?: number | undefined;
  /** Counts of events and operations stop at this many rows read (default 10 000): a value at it means "at least". */
  countLimit?: number | undefined;
  /** An operation left at `gateway_pending` this long is stuck (default 60 s, recovery's usual threshold). */
  stuckAfterMs?: number | undefined;
  /** Told why a read failed (once per read, not per gauge), e.g. to log it: the scrape itself only shows `payments_store_up 0`. */
  onReadError?: ((error: unknown) => void) | undefined;
}

/** Webhook inbox statuses worth watching: `processed` is terminal and only grows, so it is not counted. */
const WATCHED_INBOX_STATUSES = ["received", "held", "failed", "orphaned"] as const satisfies readonly InboxStatus[];
const WATCHED_OUTBOX_STATUSES = ["pending", "dead"] as const;

interface StoreSnapshot {
  payments: { status: string; provider: string; count: number }[];
  captured: Map<string, bigint>;
  refunded: Map<string, bigint>;
  outbox: Record<(typeof WATCHED_OUTBOX_STATUSES)[number], number>;
  oldestPendingEventAgeSeconds: number;
  inbox: Record<(typeof WATCHED_INBOX_STATUSES)[number], number>;
  stuckOperations: number;
  flaggedOperations: number;
  oldestStuckOperationAgeSeconds: number;
}

function ageSeconds(now: Date, since: string | undefined): number {
  return since === undefined ? 0 : Math.max(0, (now.getTime() - Date.parse(since)) / 1000);
}

async function readSnapshot(store: PaymentStore, now: Date, countLimit: number, stuckAfterMs: number): Promise<StoreSnapshot> {
  // Each read in an async function: a store method that throws instead of rejecting must not leave the reads
  // already started without a handler (an unhandled rejection).
  const [rows, pendingEvents, deadEvents, inboxCounts, stuck] = await Promise.all([
    (async () => store.stats({}))(),
    (async () => store.listOutbox({ status: "pending", limit: countLimit }))(),
    (async () => store.listOutbox({ status: "dead", limit: countLimit }))(),
    Promise.all(WATCHED_INBOX_STATUSES.map(async (status) => (await store.listInboxEvents({ status, limit: countLimit })).length)),
    (async () => store.listPendingIdempotencyRecords(new Date(now.getTime() - stuckAfterMs).toISOString(), countLimit))(),
  ]);
  const payments = new Map<string, { status: string; provider: string; count: number }>();
  const captured = new Map<string, bigint>();
  const refunded = new Map<string, bigint>();
  for (const row of rows) {
    const key = `${row.status}\u0000${row.provider}`;
    const group = payments.get(key) ?? { status: row.status, provider: row.provider, count: 0 };
    group.count += row.count;
    payments.set(key, group);
    captured.set(row.currency, (captured.get(row.currency) ?? 0n) + row.amountCaptured);
    refunded.set(row.currency, (refunded.get(row.currency) ?? 0n) + row.amountRefunded);
  }
  return {
    payments: [...payments.values()],
    captured,
    refunded,
    outbox: { pending: pendingEvents.length, dead: deadEvents.length },
    // Listed in sequence order, so the first pending event is the one the dispatcher is furthest behind on.
    oldestPendingEventAgeSeconds: ageSeconds(now, pendingEvents[0]?.event.occurredAt),
    inbox: Object.fromEntries(WATCHED_INBOX_STATUSES.map((status, i) => [status, inboxCounts[i] ?? 0])) as StoreSnapshot["inbox"],
    stuckOperations: stuck.length,
    flaggedOperations: stuck.filter((record) => record.flaggedAt !== null).length,
    // Oldest first: the first one is the longest-stuck.
    oldestStuckOperationAgeSeconds: ageSeconds(now, stuck[0]?.updatedAt),
  };
}

/**
 * The gauges read from the store at scrape time: payment counts and revenue, outbox backlog and lag, dead events,
 * webhooks held or orphaned, operations stuck at an unknown gateway outcome. Every instance of a fleet reads the
 * same store, so these belong on ONE designated exporter (the router's `storeMetrics` option on one instance, or
 * `payments-cli metrics serve`): served by every pod, a `sum()` over pods would multiply them.
 *
 * A failed read sets `payments_store_up` to 0 and leaves every other store series out of that scrape (as exporters
 * do), so a store outage never fails the whole scrape (the per-instance metrics beside them stay readable), never
 * reads as "0 stuck", and is alerted on by itself.
 */
export function registerStoreMetrics(registry: Registry, options: StoreMetricsOptions): void {
  const now = options.now ?? (() => new Date());
  const countLimit = options.countLimit ?? 10_000;
  const stuckAfterMs = options.stuckAfterMs ?? 60_000;
  const read = cachedFor(options.cacheMs ?? 5_000, () =>
    readSnapshot(options.store, now(), countLimit, stuckAfterMs).catch((error: unknown) => {
      options.onReadError?.(error);
      throw error;
    }),
  );
  const registers = [registry];
  // The first collect of a scrape does the read; the others share it (through the cache).
  const snapshot = async (): Promise<StoreSnapshot | null> => {
    try {
      return await read();
    } catch {
      return null;
    }
  };

  new Gauge({
    name: "payments_store_up",
    help: "1 if the last read of the store-derived metrics succeeded, 0 if it failed (those series are then absent)",
    registers,
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
  new Gauge({
    name: "payments_store_payments",
    help: "Payments in the store by status and provider, read at scrape time",
    labelNames: ["status", "provider"] as const,
    registers,
    async collect() {
      const read = await snapshot();
      this.reset();
      for (const group of read?.payments ?? []) this.set({ status: group.status, provider: group.provider }, group.count);
    },
  });
  // All-time revenue only grows (a refund adds to the refunded total, never subtracts from the captured one), so it
  // is a counter. The store sums exactly in bigint; a Prometheus sample is a float64 anyway, so Number() is the
  // honest conversion: exact up to 2^53, rounded (never refused) beyond.
  for (const [name, help, pick] of [
    ["payments_store_captured_minor_units_total", "Minor units captured per currency (all time), read from the store at scrape time", (s: StoreSnapshot) => s.captured],
    ["payments_store_refunded_minor_units_total", "Minor units refunded per currency (all time), read from the store at scrape time", (s: StoreSnapshot) => s.refunded],
  ] as const) {
    new Counter({
      name,
      help,
      labelNames: ["currency"] as const,
      registers,
      async collect() {
        const read = await snapshot();
        this.reset();
        for (const [currency, total] of read ? pick(read) : []) this.inc({ currency }, Number(total));
      },
    });
  }
  new Gauge({
    name: "payments_store_outbox_events",
    help: `Outbox events waiting for delivery (pending) or given up on (dead), counted up to ${countLimit}`,
    labelNames: ["status"] as const,
    registers,
    async collect() {
      const read = await snapshot();
      this.reset();
      if (read) for (const status of WATCHED_OUTBOX_STATUSES) this.set({ status }, read.outbox[status]);
    },
  });
  gaugeOf(registry, "payments_store_outbox_oldest_pending_age_seconds", "Age of the oldest undelivered outbox event (0 when none): the dispatcher's lag", snapshot, (s) => s.oldestPendingEventAgeSeconds);
  new Gauge({
    name: "payments_store_webhook_events",
    help: `Provider webhooks in the inbox not yet processed, by status (received, held, failed, orphaned), counted up to ${countLimit}`,
    labelNames: ["status"] as const,
    registers,
    async collect() {
      const read = await snapshot();
      this.reset();
      if (read) for (const status of WATCHED_INBOX_STATUSES) this.set({ status }, read.inbox[status]);
    },
  });
  gaugeOf(registry, "payments_store_stuck_operations", `Operations left at an unknown gateway outcome (gateway_pending) for over ${stuckAfterMs / 1000} s`, snapshot, (s) => s.stuckOperations);
  gaugeOf(registry, "payments_store_flagged_operations", "Stuck operations whose attempts are spent, waiting for an operator (payments-cli recover --flagged)", snapshot, (s) => s.flaggedOperations);
  gaugeOf(registry, "payments_store_oldest_stuck_operation_age_seconds", "How long the longest-stuck operation has been at gateway_pending (0 when none)", snapshot, (s) => s.oldestStuckOperationAgeSeconds);
}

/** An unlabelled gauge set from the snapshot, absent from a scrape whose store read failed. */
function gaugeOf(registry: Registry, name: string, help: string, snapshot: () => Promise<StoreSnapshot | null>, pick: (s: StoreSnapshot) => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const read = await snapshot();
      if (read) this.set(pick(read));
      // An unlabelled gauge always holds a value in prom-client (0 after a reset); removing it leaves it out.
      else this.remove();
    },
  });
}
