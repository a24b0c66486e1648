import { expect } from "vitest";
import type { InboxEvent, InboxFilter } from "../../ports/payment-store.js";
import { RACERS } from "../case.js";
import { sampleInboxEvent, testId } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";

/** The webhook inbox: what `WebhookInboxTx` and `WebhookInboxStore` promise (ports/store/webhook-inbox.ts). */
export const INBOX_CASES = {
  inboxFirstSeen: "exactly one of 10 concurrent inserts of the same webhook event wins; it reads back as stored",
  inboxCompareAndSet: "exactly one of 10 concurrent status updates of an inbox event wins; a stale one changes nothing",
  inboxList: "lists inbox events by status, payment (either id), event id and age, oldest first",
  inboxFilterFields: "every inbox filter field alone narrows the list (status, payment, provider payment, either id, event, provider, receivedBefore exclusive, limit), and they combine",
  inboxPurgeBoundary: "purges only processed events processed strictly before the instant, by when they were processed, not received",
} as const;

const eventIds = (list: readonly InboxEvent[]) => list.map((e) => e.eventId);

export function defineInboxCases(define: DefineCase<keyof typeof INBOX_CASES>, kit: StoreUnderTest): void {
  define("inboxFirstSeen", async () => {
    const { store, harness } = kit;
    const eventId = testId("evt");
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => kit.racer(i).transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, lastError: `racer ${i}` })))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    const stored = await store.transaction((tx) => tx.getInboxEvent("stripe", eventId));
    expect(stored?.lastError).toBe(`racer ${winner}`);
    // The parsed event round-trips whole, its amounts exact.
    expect(stored).toEqual(sampleInboxEvent({ eventId, lastError: `racer ${winner}`, paymentId: stored!.paymentId, receivedAt: stored!.receivedAt }));
    expect(await harness.readBack.inboxEvent("stripe", eventId)).toEqual({ status: "received", attempts: 0 });
    // The key is (provider, event id): another provider's event with the same id is new.
    expect(await store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, provider: "paypal" })))).toBe(true);
    expect(await store.transaction((tx) => tx.getInboxEvent("stripe", "evt_missing"))).toBeNull();
  });

  define("inboxCompareAndSet", async () => {
    const { store, harness } = kit;
    const event = sampleInboxEvent();
    await store.transaction((tx) => tx.insertInboxEvent(event));
    const processedAt = "2026-01-01T00:00:00.000Z";
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        kit
          .racer(i)
          .transaction((tx) => tx.updateInboxEvent({ ...event, status: "processed", attempts: 1, processedAt, outcome: `racer ${i}` }, { status: "received", attempts: 0 })),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await store.transaction((tx) => tx.getInboxEvent(event.provider, event.eventId));
    expect(stored).toMatchObject({ status: "processed", attempts: 1, processedAt, outcome: `racer ${results.indexOf(true)}` });
    expect(await harness.readBack.inboxEvent(event.provider, event.eventId)).toEqual({ status: "processed", attempts: 1 });
    // Stale on either half of the guard: nothing changes.
    expect(await store.transaction((tx) => tx.updateInboxEvent({ ...event, status: "failed", attempts: 2 }, { status: "received", attempts: 1 }))).toBe(false);
    expect(await store.transaction((tx) => tx.updateInboxEvent({ ...event, status: "failed", attempts: 2 }, { status: "processed", attempts: 0 }))).toBe(false);
    expect(await harness.readBack.inboxEvent(event.provider, event.eventId)).toEqual({ status: "processed", attempts: 1 });
  });

  define("inboxList", async () => {
    const { store } = kit;
    const pay = testId("pay");
    const events = [
      sampleInboxEvent({ receivedAt: "2026-01-01T00:00:03.000Z", status: "held", paymentId: pay, providerPaymentId: null }),
      sampleInboxEvent({ receivedAt: "2026-01-01T00:00:01.000Z", status: "held", paymentId: null, providerPaymentId: "pi_list" }),
      sampleInboxEvent({ receivedAt: "2026-01-01T00:00:02.000Z", status: "processed", processedAt: "2026-01-01T00:00:02.000Z" }),
      sampleInboxEvent({ receivedAt: "2026-01-01T00:00:04.000Z", status: "failed", paymentId: pay }),
    ];
    await store.transaction(async (tx) => {
      for (const e of events) await tx.insertInboxEvent(e);
    });
    const [e0, e1, e2, e3] = events.map((e) => e.eventId);
    expect(eventIds(await store.listInboxEvents({ limit: 10 }))).toEqual([e1, e2, e0, e3]);
    expect(eventIds(await store.listInboxEvents({ status: "held", limit: 10 }))).toEqual([e1, e0]);
    expect(eventIds(await store.listInboxEvents({ status: ["held", "failed"], limit: 10 }))).toEqual([e1, e0, e3]);
    expect(eventIds(await store.listInboxEvents({ status: ["held", "failed"], limit: 2 }))).toEqual([e1, e0]);
    expect(eventIds(await store.listInboxEvents({ paymentId: pay, limit: 10 }))).toEqual([e0, e3]);
    expect(eventIds(await store.listInboxEvents({ providerPaymentId: "pi_list", limit: 10 }))).toEqual([e1]);
    expect(eventIds(await store.listInboxEvents({ status: "held", forPayment: { paymentId: pay, providerPaymentId: "pi_list" }, limit: 10 }))).toEqual([e1, e0]);
    expect(eventIds(await store.listInboxEvents({ forPayment: { paymentId: pay, providerPaymentId: null }, limit: 10 }))).toEqual([e0, e3]);
    expect(eventIds(await store.listInboxEvents({ eventId: e2!, limit: 10 }))).toEqual([e2]);
    expect(eventIds(await store.listInboxEvents({ receivedBefore: "2026-01-01T00:00:03.000Z", limit: 10 }))).toEqual([e1, e2]);
    expect(await store.listInboxEvents({ provider: "paypal", limit: 10 })).toEqual([]);
  });

  define("inboxFilterFields", async () => {
    const { store } = kit;
    const [p, q, r] = [testId("pay"), testId("pay"), testId("pay")];
    const at = (second: number) => `2026-01-01T00:00:0${second}.000Z`;
    // Inserted out of received order; every field below picks a different, non-empty part of them.
    const e1 = sampleInboxEvent({ provider: "stripe", status: "received", paymentId: p, providerPaymentId: "pi_other", receivedAt: at(1) });
    const e2 = sampleInboxEvent({ provider: "paypal", status: "held", paymentId: null, providerPaymentId: "pi_p", receivedAt: at(2) });
    const e3 = sampleInboxEvent({ provider: "stripe", status: "processed", paymentId: q, providerPaymentId: "pi_q", receivedAt: at(3), processedAt: at(3) });
    const e4 = sampleInboxEvent({ provider: "stripe", status: "failed", paymentId: p, providerPaymentId: null, receivedAt: at(4) });
    const e5 = sampleInboxEvent({ provider: "paypal", status: "received", paymentId: r, providerPaymentId: "pi_r", receivedAt: at(5) });
    await store.transaction(async (tx) => {
      for (const e of [e3, e5, e1, e4, e2]) await tx.insertInboxEvent(e);
    });
    const list = async (filter: Omit<InboxFilter, "limit">, limit = 10) => eventIds(await store.listInboxEvents({ ...filter, limit }));
    const all = [e1, e2, e3, e4, e5].map((e) => e.eventId);
    const only = (...events: InboxEvent[]) => events.map((e) => e.eventId);
    expect(await list({})).toEqual(all);
    expect(await list({ status: "held" })).toEqual(only(e2));
    expect(await list({ status: ["received", "failed"] })).toEqual(only(e1, e4, e5));
    expect(await list({ status: [] })).toEqual([]);
    expect(await list({ paymentId: p })).toEqual(only(e1, e4));
    expect(await list({ providerPaymentId: "pi_q" })).toEqual(only(e3));
    // Either id: p's own id, or the provider's id for p (an event that carries only that one).
    expect(await list({ forPayment: { paymentId: p, providerPaymentId: "pi_p" } })).toEqual(only(e1, e2, e4));
    expect(await list({ forPayment: { paymentId: p, providerPaymentId: null } })).toEqual(only(e1, e4));
    expect(await list({ forPayment: { paymentId: testId("pay"), providerPaymentId: "pi_r" } })).toEqual(only(e5));
    expect(await list({ eventId: e4.eventId })).toEqual(only(e4));
    expect(await list({ provider: "paypal" })).toEqual(only(e2, e5));
    // receivedBefore is exclusive: an event received at the instant is not before it.
    expect(await list({ receivedBefore: at(3) })).toEqual(only(e1, e2));
    expect(await list({ receivedBefore: "2026-01-01T00:00:03.001Z" })).toEqual(only(e1, e2, e3));
    expect(await list({}, 2)).toEqual(only(e1, e2));
    // Combined, they narrow together (AND), never widen.
    expect(await list({ provider: "stripe", status: "received" })).toEqual(only(e1));
    expect(await list({ provider: "paypal", paymentId: p })).toEqual([]);
    expect(await list({ status: ["received", "held"], forPayment: { paymentId: p, providerPaymentId: "pi_p" } })).toEqual(only(e1, e2));
    expect(await list({ provider: "stripe", receivedBefore: at(4), status: ["received", "processed", "failed"] }, 1)).toEqual(only(e1));
  });

  define("inboxPurgeBoundary", async () => {
    const { store, harness } = kit;
    const before = "2026-02-01T00:00:00.000Z";
    const processed = (processedAt: string, receivedAt = "2026-01-01T00:00:00.000Z") => sampleInboxEvent({ receivedAt, status: "processed", attempts: 1, processedAt });
    const gone = processed("2026-01-31T23:59:59.999Z");
    // Received long before the instant but processed only at or after it: kept (the provider may still retry it).
    const atInstant = processed(before);
    const receivedEarlyProcessedLate = processed("2026-03-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z");
    // Old and not processed (still to apply, waiting for its payment, failed, orphaned): work to do, kept however old.
    const unprocessed = (["received", "held", "failed", "orphaned"] as const).map((status) =>
      sampleInboxEvent({ receivedAt: "2025-01-01T00:00:00.000Z", status, attempts: 2, processedAt: null }),
    );
    await store.transaction(async (tx) => {
      for (const e of [gone, atInstant, receivedEarlyProcessedLate, ...unprocessed]) await tx.insertInboxEvent(e);
    });
    expect(await store.purgeWebhookEvents(before)).toBe(1);
    expect(await harness.readBack.inboxEvent(gone.provider, gone.eventId)).toBeNull();
    for (const kept of [atInstant, receivedEarlyProcessedLate, ...unprocessed]) {
      expect(await harness.readBack.inboxEvent(kept.provider, kept.eventId), `${kept.status} processed ${kept.processedAt}`).not.toBeNull();
    }
    expect(await store.purgeWebhookEvents(before)).toBe(0);
  });
}
