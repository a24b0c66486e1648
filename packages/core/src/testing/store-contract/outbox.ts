import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import type { PaymentEvent } from "../../domain/events.js";
import type { OutboxEntry, PaymentStore } from "../../ports/payment-store.js";
import { RACERS } from "../case.js";
import { sampleEvent, sampleInboxEvent, samplePayment } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { plusMs } from "./seed.js";

/** The outbox: what `OutboxTx` and `OutboxStore` promise (ports/store/outbox.ts): order per payment, leases, operators, retention. */
export const OUTBOX_CASES = {
  outboxOrderPerPayment: "offers only the oldest undelivered event of each payment, in order",
  outboxRetryHoldsBack: "an event waiting for retry or dead holds back its payment's later events and no other's",
  outboxOthersFlow: "while one payment's event waits for its retry, another payment's later events are still delivered",
  outboxLeaseHolder: "a claim leases to the claimant until leaseUntil; no one else is offered it, and only the holder can settle it",
  outboxLeaseExpiry: "an event whose lease ran out (at leaseUntil exactly) is offered again, and its old holder can no longer settle it",
  outboxLeaseRace: "10 concurrent claimers never lease the same event twice",
  outboxClaimersAcrossStores: "claimers racing over two stores (when the harness opens a second) lease each payment's head exactly once between them",
  outboxRetryDead: "exactly one of 10 concurrent operator retries of a dead event wins; it is offered again, attempts kept",
  outboxSkipDead: "exactly one of 10 concurrent operator skips of a dead event wins; the payment's later events flow again",
  outboxListFilter: "lists outbox events by status alone, payment alone, or both, in sequence order, at most the limit",
  purge: "purges delivered outbox events and processed inbox events, never an unprocessed one",
  outboxPurgeBoundary: "purges only delivered events delivered strictly before the instant, never a pending, dead or skipped one however old",
} as const;

/** The store's sequences of `events`, looked up by event id, in the order given. */
async function sequencesOf(store: PaymentStore, events: readonly PaymentEvent[]): Promise<number[]> {
  const all = await store.listOutbox({ limit: 10_000 });
  return events.map((event) => {
    const entry = all.find((e) => e.event.id === event.id);
    if (!entry) throw new Error(`event ${event.id} is not in the outbox`);
    return entry.sequence;
  });
}

/** Appends, per count, a payment's events (occurring at `at`, `at` + 1 s, ...), one transaction per payment. */
async function seedOutbox(store: PaymentStore, at: string, ...counts: number[]): Promise<{ payments: Payment[]; events: PaymentEvent[][]; sequences: number[][] }> {
  const payments: Payment[] = [];
  const eventsByPayment: PaymentEvent[][] = [];
  const sequences: number[][] = [];
  for (const count of counts) {
    const payment = samplePayment({ createdAt: at, updatedAt: at });
    const events = Array.from({ length: count }, (_, i) => sampleEvent(payment, i === 0 ? "payment.created" : "payment.processing", plusMs(at, i * 1000)));
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.appendOutbox(events);
    });
    payments.push(payment);
    eventsByPayment.push(events);
    sequences.push(await sequencesOf(store, events));
  }
  return { payments, events: eventsByPayment, sequences };
}

const sequences = (entries: readonly OutboxEntry[]) => entries.map((e) => e.sequence);

const T0 = "2026-01-01T00:00:00.000Z";
/** `seconds` after T0. */
const t = (seconds: number) => plusMs(T0, seconds * 1000);

export function defineOutboxCases(define: DefineCase<keyof typeof OUTBOX_CASES>, kit: StoreUnderTest): void {
  define("outboxOrderPerPayment", async () => {
    const { store } = kit;
    const a = samplePayment();
    const b = samplePayment();
    const now = new Date().toISOString();
    await store.transaction(async (tx) => {
      await tx.insertPayment(a);
      await tx.insertPayment(b);
      await tx.appendOutbox([sampleEvent(a, "payment.created", now), sampleEvent(b, "payment.created", now)]);
      await tx.appendOutbox([sampleEvent(a, "payment.processing", now), sampleEvent(a, "payment.succeeded", now)]);
    });
    const delivered: string[] = [];
    for (let round = 0; round < 5; round++) {
      const claimed = await store.claimOutbox({ claimant: "d1", now: new Date(Date.now() + 1000).toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 10 });
      expect(new Set(claimed.map((e) => e.event.paymentId)).size).toBe(claimed.length);
      for (const entry of claimed) {
        delivered.push(`${entry.event.paymentId === a.id ? "a" : "b"}:${entry.event.type}`);
        expect(await store.markOutboxDelivered(entry.sequence, "d1", new Date().toISOString())).toBe(true);
      }
    }
    expect(delivered.filter((d) => d.startsWith("a:"))).toEqual(["a:payment.created", "a:payment.processing", "a:payment.succeeded"]);
    expect(delivered).toContain("b:payment.created");
    expect(await store.listOutbox({ status: "pending", limit: 10 })).toEqual([]);
    expect(await store.listOutbox({ status: "delivered", limit: 10 })).toHaveLength(4);
  });

  define("outboxRetryHoldsBack", async () => {
    const { store } = kit;
    const a = samplePayment();
    const b = samplePayment();
    const now = new Date().toISOString();
    await store.transaction(async (tx) => {
      await tx.insertPayment(a);
      await tx.insertPayment(b);
      await tx.appendOutbox([sampleEvent(a, "payment.created", now), sampleEvent(a, "payment.processing", now), sampleEvent(b, "payment.created", now)]);
    });
    const soon = new Date(Date.now() + 1000).toISOString();
    const lease = new Date(Date.now() + 60_000).toISOString();
    const first = await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 });
    expect(first).toHaveLength(2);
    const aHead = first.find((e) => e.event.paymentId === a.id)!;
    const bHead = first.find((e) => e.event.paymentId === b.id)!;
    expect(aHead.event.type).toBe("payment.created");
    expect(await store.markOutboxFailed(aHead.sequence, "d1", { error: "broker down", nextAttemptAt: new Date(Date.now() + 3_600_000).toISOString(), dead: false })).toBe(true);
    expect(await store.markOutboxDelivered(bHead.sequence, "d1", soon)).toBe(true);
    // a's head waits for its retry: a's second event must not overtake it
    expect(await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 })).toEqual([]);
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const retried = await store.claimOutbox({ claimant: "d1", now: later, leaseUntil: new Date(Date.now() + 7_300_000).toISOString(), limit: 10 });
    expect(retried.map((e) => e.sequence)).toEqual([aHead.sequence]);
    expect(retried[0]).toMatchObject({ attempts: 1, lastError: "broker down" });
    expect(await store.markOutboxFailed(aHead.sequence, "d1", { error: "still down", nextAttemptAt: later, dead: true })).toBe(true);
    expect(await store.claimOutbox({ claimant: "d1", now: new Date(Date.now() + 9_000_000).toISOString(), leaseUntil: new Date(Date.now() + 9_100_000).toISOString(), limit: 10 })).toEqual([]);
    expect((await store.listOutbox({ status: "dead", limit: 10 })).map((e) => e.sequence)).toEqual([aHead.sequence]);
    // a dead event never blocks another payment
    const c = samplePayment();
    await store.transaction(async (tx) => {
      await tx.insertPayment(c);
      await tx.appendOutbox([sampleEvent(c, "payment.created", now)]);
    });
    const third = await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 });
    expect(third.map((e) => e.event.paymentId)).toEqual([c.id]);
  });

  define("outboxLeaseRace", async () => {
    const { store } = kit;
    const now = new Date().toISOString();
    const payments = Array.from({ length: 30 }, () => samplePayment());
    await store.transaction(async (tx) => {
      for (const p of payments) {
        await tx.insertPayment(p);
        await tx.appendOutbox([sampleEvent(p, "payment.created", now)]);
      }
    });
    const claims = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        kit.racer(i).claimOutbox({ claimant: `d${i}`, now: new Date(Date.now() + 1000).toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 5 }),
      ),
    );
    const sequences = claims.flat().map((e) => e.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences.length).toBe(30);
    // a holder that is not the lessee cannot mark it
    const entry = claims.flat()[0]!;
    const holder = claims.findIndex((c) => c.some((e) => e.sequence === entry.sequence));
    expect(await store.markOutboxDelivered(entry.sequence, "intruder", now)).toBe(false);
    expect(await store.markOutboxDelivered(entry.sequence, `d${holder}`, now)).toBe(true);
  });

  /** A payment whose first event is dead (and holds back its second), for the operator rules below. */
  const deadHead = async () => {
    const { store } = kit;
    const payment = samplePayment();
    const at = "2026-01-01T00:00:00.000Z";
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.appendOutbox([sampleEvent(payment, "payment.created", at), sampleEvent(payment, "payment.processing", at)]);
    });
    const [head] = await store.claimOutbox({ claimant: "d1", now: "2026-01-01T00:00:01.000Z", leaseUntil: "2026-01-01T00:01:00.000Z", limit: 10 });
    expect(await store.markOutboxFailed(head!.sequence, "d1", { error: "rejected", nextAttemptAt: "2026-01-01T00:00:02.000Z", dead: true })).toBe(true);
    expect(await store.claimOutbox({ claimant: "d1", now: "2026-01-02T00:00:00.000Z", leaseUntil: "2026-01-02T00:01:00.000Z", limit: 10 })).toEqual([]);
    return { payment, sequence: head!.sequence };
  };

  define("outboxRetryDead", async () => {
    const { store } = kit;
    const { sequence } = await deadHead();
    const retryAt = "2026-01-03T00:00:00.000Z";
    const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => kit.racer(i).retryOutboxEvent(sequence, retryAt)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [entry] = await store.listOutbox({ status: "pending", limit: 1 });
    expect(entry).toMatchObject({ sequence, attempts: 1, nextAttemptAt: retryAt, lastError: "rejected", skipReason: null });
    // only a dead event can be retried: a pending one (or an unknown sequence) is left alone
    expect(await store.retryOutboxEvent(sequence, retryAt)).toBe(false);
    expect(await store.retryOutboxEvent(sequence + 1000, retryAt)).toBe(false);
    expect(await store.claimOutbox({ claimant: "d2", now: "2026-01-02T23:59:59.000Z", leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 })).toEqual([]);
    const claimed = await store.claimOutbox({ claimant: "d2", now: retryAt, leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 });
    expect(claimed.map((e) => e.sequence)).toEqual([sequence]);
  });

  define("outboxSkipDead", async () => {
    const { store } = kit;
    const { payment, sequence } = await deadHead();
    const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => kit.racer(i).skipOutboxEvent(sequence, `reason ${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [skipped] = await store.listOutbox({ status: "skipped", paymentId: payment.id, limit: 10 });
    expect(skipped).toMatchObject({ sequence, skipReason: `reason ${results.indexOf(true)}`, deliveredAt: null });
    // skipped is terminal: neither retried nor skipped again
    expect(await store.retryOutboxEvent(sequence, "2026-01-03T00:00:00.000Z")).toBe(false);
    expect(await store.skipOutboxEvent(sequence, "again")).toBe(false);
    const next = await store.claimOutbox({ claimant: "d2", now: "2026-01-03T00:00:00.000Z", leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 });
    expect(next.map((e) => e.event.type)).toEqual(["payment.processing"]);
    // a pending event cannot be skipped
    expect(await store.skipOutboxEvent(next[0]!.sequence, "not dead")).toBe(false);
  });

  define("purge", async () => {
    const { store, harness } = kit;
    const p = samplePayment();
    const at = "2026-01-01T00:00:00.000Z";
    const processed = (processedAt: string) => sampleInboxEvent({ receivedAt: at, status: "processed", attempts: 1, processedAt });
    const old = processed("2026-01-01T00:00:01.000Z");
    const recent = processed("2026-12-01T00:00:00.000Z");
    const held = sampleInboxEvent({ receivedAt: at, status: "held", attempts: 3 });
    const failed = sampleInboxEvent({ receivedAt: at, status: "failed", attempts: 1 });
    const orphaned = sampleInboxEvent({ receivedAt: at, status: "orphaned", attempts: 5 });
    await store.transaction(async (tx) => {
      await tx.insertPayment(p);
      await tx.appendOutbox([sampleEvent(p, "payment.created", at)]);
      for (const e of [old, recent, held, failed, orphaned]) await tx.insertInboxEvent(e);
    });
    const [entry] = await store.claimOutbox({ claimant: "d", now: "2026-01-01T00:00:01.000Z", leaseUntil: "2026-01-01T00:01:00.000Z", limit: 1 });
    await store.markOutboxDelivered(entry!.sequence, "d", "2026-01-01T00:00:02.000Z");
    expect(await store.purgeDeliveredOutbox("2026-02-01T00:00:00.000Z")).toBe(1);
    expect(await harness.readBack.outboxCount(p.id)).toBe(0);
    expect(await store.purgeWebhookEvents("2026-02-01T00:00:00.000Z")).toBe(1);
    expect(await harness.readBack.inboxEvent(old.provider, old.eventId)).toBeNull();
    for (const kept of [recent, held, failed, orphaned]) expect(await harness.readBack.inboxEvent(kept.provider, kept.eventId)).not.toBeNull();
    // A purged event is new again: a provider's late redelivery is stored (and applies to no effect).
    expect(await store.transaction((tx) => tx.insertInboxEvent(old))).toBe(true);
    expect(await store.transaction((tx) => tx.insertInboxEvent(recent))).toBe(false);
  });

  define("outboxOthersFlow", async () => {
    const { store } = kit;
    const {
      sequences: [a, b],
    } = await seedOutbox(store, T0, 2, 2);
    const claimed = await store.claimOutbox({ claimant: "c1", now: t(10), leaseUntil: t(40), limit: 10 });
    expect(sequences(claimed)).toEqual([a![0], b![0]]);
    expect(await store.markOutboxFailed(a![0]!, "c1", { error: "503", nextAttemptAt: t(100), dead: false })).toBe(true);
    expect(await store.markOutboxDelivered(b![0]!, "c1", t(11))).toBe(true);
    // a waits for its retry; b's next event does not wait for a.
    const early = await store.claimOutbox({ claimant: "c1", now: t(20), leaseUntil: t(50), limit: 10 });
    expect(sequences(early)).toEqual([b![1]]);
    expect(await store.markOutboxDelivered(b![1]!, "c1", t(21))).toBe(true);
    // Due at nextAttemptAt exactly, not a millisecond before.
    expect(await store.claimOutbox({ claimant: "c1", now: plusMs(t(100), -1), leaseUntil: t(130), limit: 10 })).toEqual([]);
    const due = await store.claimOutbox({ claimant: "c1", now: t(100), leaseUntil: t(130), limit: 10 });
    expect(sequences(due)).toEqual([a![0]]);
    expect(due[0]).toMatchObject({ attempts: 1, lastError: "503", status: "pending", leasedBy: "c1" });
    expect(await store.markOutboxDelivered(a![0]!, "c1", t(101))).toBe(true);
    const rest = await store.claimOutbox({ claimant: "c1", now: t(102), leaseUntil: t(130), limit: 10 });
    expect(sequences(rest)).toEqual([a![1]]);
  });

  define("outboxLeaseHolder", async () => {
    const { store } = kit;
    const {
      sequences: [a, b],
    } = await seedOutbox(store, T0, 3, 2);
    const lease = { now: t(10), leaseUntil: t(40) };
    // The limit counts, in sequence order.
    const onlyOne = await store.claimOutbox({ claimant: "c1", ...lease, limit: 1 });
    expect(sequences(onlyOne)).toEqual([a![0]]);
    const rest = await store.claimOutbox({ claimant: "c1", ...lease, limit: 10 });
    expect(sequences(rest)).toEqual([b![0]]);
    for (const entry of [...onlyOne, ...rest]) expect(entry).toMatchObject({ status: "pending", leasedBy: "c1", leasedUntil: t(40) });
    expect((await store.listOutbox({ status: "pending", limit: 10 })).find((e) => e.sequence === b![0])).toMatchObject({ leasedBy: "c1", leasedUntil: t(40) });
    // Nobody else is offered a leased event, up to the last millisecond of the lease.
    expect(await store.claimOutbox({ claimant: "c2", ...lease, limit: 10 })).toEqual([]);
    expect(await store.claimOutbox({ claimant: "c2", now: plusMs(t(40), -1), leaseUntil: t(70), limit: 10 })).toEqual([]);
    // Only the holder settles it, once.
    expect(await store.markOutboxDelivered(b![0]!, "c2", t(11))).toBe(false);
    expect(await store.markOutboxFailed(b![0]!, "c2", { error: "not mine", nextAttemptAt: t(12), dead: true })).toBe(false);
    expect((await store.listOutbox({ status: "pending", limit: 10 })).find((e) => e.sequence === b![0])).toMatchObject({ attempts: 0, lastError: null, leasedBy: "c1" });
    expect(await store.markOutboxDelivered(b![0]!, "c1", t(11))).toBe(true);
    expect(await store.markOutboxDelivered(b![0]!, "c1", t(12))).toBe(false);
    expect(await store.markOutboxFailed(b![0]!, "c1", { error: "late", nextAttemptAt: t(13), dead: false })).toBe(false);
    expect((await store.listOutbox({ status: "delivered", limit: 10 })).map((e) => [e.sequence, e.deliveredAt, e.leasedBy])).toEqual([[b![0], t(11), null]]);
    const second = await store.claimOutbox({ claimant: "c2", ...lease, limit: 10 });
    expect(sequences(second)).toEqual([b![1]]);
  });

  define("outboxLeaseExpiry", async () => {
    const { store } = kit;
    const [head] = (await seedOutbox(store, T0, 1)).sequences[0]!;
    await store.claimOutbox({ claimant: "dead-worker", now: t(10), leaseUntil: t(40), limit: 10 });
    expect(await store.claimOutbox({ claimant: "c2", now: plusMs(t(40), -1), leaseUntil: t(69), limit: 10 })).toEqual([]);
    const retaken = await store.claimOutbox({ claimant: "c2", now: t(40), leaseUntil: t(70), limit: 10 });
    expect(sequences(retaken)).toEqual([head]);
    expect(retaken[0]).toMatchObject({ leasedBy: "c2", leasedUntil: t(70) });
    expect(await store.markOutboxDelivered(head!, "dead-worker", t(41))).toBe(false);
    expect(await store.markOutboxFailed(head!, "dead-worker", { error: "woke up", nextAttemptAt: t(42), dead: true })).toBe(false);
    expect(await store.markOutboxDelivered(head!, "c2", t(41))).toBe(true);
    expect(await store.purgeDeliveredOutbox(t(42))).toBe(1);
  });

  define("outboxClaimersAcrossStores", async () => {
    const { store } = kit;
    const seeded = await seedOutbox(store, T0, ...Array.from({ length: 40 }, () => 2));
    const heads = seeded.sequences.map((s) => s[0]!).sort((x, y) => x - y);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => kit.racer(i).claimOutbox({ claimant: `c${i}`, now: t(10), leaseUntil: t(40), limit: 7 })),
    );
    const claimed = results.flat().map((e) => e.sequence);
    expect(new Set(claimed).size).toBe(claimed.length);
    // Only heads: a payment's second event is never offered while its first is leased.
    for (const sequence of claimed) expect(heads).toContain(sequence);
    // Whatever the interleaving, what no racer got is still there for the next claimer: every head exactly once.
    const rest = await store.claimOutbox({ claimant: "late", now: t(10), leaseUntil: t(40), limit: 100 });
    expect([...claimed, ...sequences(rest)].sort((x, y) => x - y)).toEqual(heads);
    const leased = await store.listOutbox({ status: "pending", limit: 1000 });
    for (const [i, list] of results.entries()) {
      for (const entry of list) expect(leased.find((e) => e.sequence === entry.sequence)?.leasedBy).toBe(`c${i}`);
    }
  });

  define("outboxListFilter", async () => {
    const { store } = kit;
    const {
      payments: [a, b],
      events: [, bEvents],
      sequences: [as, bs],
    } = await seedOutbox(store, T0, 3, 2);
    const [a0, a1, a2] = as!;
    const [b0, b1] = bs!;
    await store.claimOutbox({ claimant: "c1", now: t(10), leaseUntil: t(40), limit: 10 });
    expect(await store.markOutboxDelivered(a0!, "c1", t(11))).toBe(true);
    expect(await store.markOutboxFailed(b0!, "c1", { error: "rejected", nextAttemptAt: t(12), dead: true })).toBe(true);
    const list = async (filter: Parameters<PaymentStore["listOutbox"]>[0]) => sequences(await store.listOutbox(filter));
    expect(await list({ limit: 10 })).toEqual([a0, a1, a2, b0, b1]);
    expect(await list({ status: "pending", limit: 10 })).toEqual([a1, a2, b1]);
    expect(await list({ status: "delivered", limit: 10 })).toEqual([a0]);
    expect(await list({ status: "dead", limit: 10 })).toEqual([b0]);
    expect(await list({ status: "skipped", limit: 10 })).toEqual([]);
    expect(await list({ paymentId: b!.id, limit: 10 })).toEqual([b0, b1]);
    expect(await list({ paymentId: a!.id, status: "pending", limit: 10 })).toEqual([a1, a2]);
    expect(await list({ paymentId: b!.id, status: "delivered", limit: 10 })).toEqual([]);
    expect(await list({ paymentId: "pay_missing", limit: 10 })).toEqual([]);
    expect(await list({ limit: 2 })).toEqual([a0, a1]);
    expect(await list({ status: "pending", limit: 2 })).toEqual([a1, a2]);
    const [dead] = await store.listOutbox({ paymentId: b!.id, status: "dead", limit: 10 });
    expect(dead).toEqual({
      sequence: b0,
      event: bEvents![0],
      status: "dead",
      attempts: 1,
      nextAttemptAt: t(12),
      leasedBy: null,
      leasedUntil: null,
      lastError: "rejected",
      deliveredAt: null,
      skipReason: null,
    });
  });

  define("outboxPurgeBoundary", async () => {
    const { store, harness } = kit;
    const before = "2026-02-01T00:00:00.000Z";
    const { payments, sequences: seqs } = await seedOutbox(store, T0, 1, 1, 1, 1, 1, 1);
    const [early, atInstant, late, dead, skipped] = seqs.map((s) => s[0]!);
    // Five leased; the sixth payment's event stays pending, never tried.
    expect(await store.claimOutbox({ claimant: "c1", now: t(10), leaseUntil: t(40), limit: 5 })).toHaveLength(5);
    expect(await store.markOutboxDelivered(early!, "c1", plusMs(before, -1))).toBe(true);
    expect(await store.markOutboxDelivered(atInstant!, "c1", before)).toBe(true);
    expect(await store.markOutboxDelivered(late!, "c1", "2026-03-01T00:00:00.000Z")).toBe(true);
    expect(await store.markOutboxFailed(dead!, "c1", { error: "rejected", nextAttemptAt: t(11), dead: true })).toBe(true);
    expect(await store.markOutboxFailed(skipped!, "c1", { error: "rejected", nextAttemptAt: t(11), dead: true })).toBe(true);
    expect(await store.skipOutboxEvent(skipped!, "operator gave up")).toBe(true);
    expect(await store.purgeDeliveredOutbox(before)).toBe(1);
    const counts = await Promise.all(payments.map((p) => harness.readBack.outboxCount(p.id)));
    expect(counts).toEqual([0, 1, 1, 1, 1, 1]);
    expect(await store.purgeDeliveredOutbox(before)).toBe(0);
  });
}
