import { startOutboxDispatcher } from "@org/payments-core";
import type { EventPublisher, PaymentEvent } from "@org/payments-core";
import { sampleEvent, samplePayment } from "@org/payments-core/testing";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();
const PAYMENTS = 300;
const EVENTS_PER_PAYMENT = 3;

/** Records what every dispatcher publishes, and notices the same event being published twice at once. */
class DeliveryLedger {
  readonly count = new Map<string, number>();
  readonly perPayment = new Map<string, string[]>();
  readonly byDispatcher = new Map<string, number>();
  readonly inFlight = new Set<string>();
  overlaps = 0;
  delivered = 0;

  publisherFor(name: string): EventPublisher {
    return {
      publish: async (event: PaymentEvent) => {
        if (this.inFlight.has(event.id)) this.overlaps++;
        this.inFlight.add(event.id);
        // A little latency, so the two dispatchers' batches interleave.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        this.inFlight.delete(event.id);
        const seen = this.count.get(event.id) ?? 0;
        this.count.set(event.id, seen + 1);
        if (seen === 0) {
          this.delivered++;
          this.perPayment.set(event.paymentId, [...(this.perPayment.get(event.paymentId) ?? []), event.id]);
        }
        this.byDispatcher.set(name, (this.byDispatcher.get(name) ?? 0) + 1);
      },
    };
  }
}

describe.skipIf(!available)("outbox dispatchers on PostgreSQL", () => {
  it(`two dispatchers (own pools, like two processes) deliver each of ${PAYMENTS * EVENTS_PER_PAYMENT} events once, in order per payment`, async () => {
    const t = await createPostgresTestStore();
    const second = await createPostgresStore({ connectionString: t.testSchema.url });
    try {
      await migrate(t.store);
      const expected = new Map<string, string[]>();
      const at = "2026-01-01T00:00:00.000Z";
      for (let start = 0; start < PAYMENTS; start += 50) {
        await t.store.transaction(async (tx) => {
          for (let i = start; i < Math.min(start + 50, PAYMENTS); i++) {
            const payment = samplePayment();
            await tx.insertPayment(payment);
            const events = (["payment.created", "payment.processing", "payment.succeeded"] as const).map((type) => sampleEvent(payment, type, at));
            await tx.appendOutbox(events);
            expected.set(payment.id, events.map((e) => e.id));
          }
        });
      }
      const ledger = new DeliveryLedger();
      const options = { pollIntervalMs: 5, idleBackoff: { maxMs: 20 }, batchSize: 20, leaseMs: 30_000 };
      const a = startOutboxDispatcher({ ...options, store: t.store, publisher: ledger.publisherFor("a"), claimant: "dispatcher-a" });
      const b = startOutboxDispatcher({ ...options, store: second, publisher: ledger.publisherFor("b"), claimant: "dispatcher-b" });
      const deadline = Date.now() + 60_000;
      while (ledger.delivered < PAYMENTS * EVENTS_PER_PAYMENT && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.all([a.stop(), b.stop()]);

      expect(ledger.overlaps).toBe(0);
      expect(ledger.count.size).toBe(PAYMENTS * EVENTS_PER_PAYMENT);
      expect([...ledger.count.values()].every((n) => n === 1)).toBe(true);
      expect(ledger.perPayment).toEqual(expected);
      expect(ledger.byDispatcher.get("a")).toBeGreaterThan(0);
      expect(ledger.byDispatcher.get("b")).toBeGreaterThan(0);
      expect(await t.store.listOutbox({ status: "pending", limit: 10 })).toEqual([]);
      const { rows } = await t.raw.query("select count(*)::int as n from outbox where status = 'delivered'");
      expect(rows[0].n).toBe(PAYMENTS * EVENTS_PER_PAYMENT);
    } finally {
      await second.close();
      await t.dispose();
    }
  });
});
