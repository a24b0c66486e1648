import { describe, expect, it } from "vitest";
import type { PaymentEvent } from "../src/domain/events.js";
import { dispatchOutbox } from "../src/outbox/dispatch-outbox.js";
import type { PaymentStoreTx } from "../src/ports/payment-store.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { ctx, paidPayment, setup } from "./helpers.js";

class RecordingPublisher {
  events: PaymentEvent[] = [];
  failuresLeft = 0;
  async publish(event: PaymentEvent): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error("broker unavailable");
    }
    this.events.push(event);
  }
}

describe("outbox", () => {
  it("a state change and its event commit together, or neither does", async () => {
    class FailingOutbox extends MemoryPaymentStore {
      override transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
        return super.transaction((tx) =>
          work({ ...tx, appendOutbox: async () => Promise.reject(new Error("outbox write failed")) }),
        );
      }
    }
    const { service, store } = setup({ store: new FailingOutbox() });
    await expect(service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("c"))).rejects.toThrow("outbox write failed");
    expect((await store.listPayments({}, { limit: 10 })).items).toEqual([]);
    expect(await store.transaction((tx) => tx.getIdempotencyRecord("user_1", "c")).catch(() => null)).toBeNull();
  });

  it("delivers every event at least once and in order per payment", async () => {
    const { service, store, clock } = setup();
    const paid = await Promise.all(Array.from({ length: 5 }, () => paidPayment(service, 1000)));
    await service.refundPayment(paid[0]!.id, { amount: 100, reason: "r" }, ctx("r", "admin"));
    const publisher = new RecordingPublisher();
    const report = await dispatchOutbox({ store, publisher, clock });
    const expectedCount = 5 * 3 + 2;
    expect(report.delivered).toBe(expectedCount);
    expect(new Set(publisher.events.map((e) => e.id)).size).toBe(expectedCount);
    const first = publisher.events.filter((e) => e.paymentId === paid[0]!.id).map((e) => e.type);
    expect(first).toEqual(["payment.created", "payment.processing", "payment.succeeded", "refund.created", "payment.refunded"]);
    expect(await store.listOutbox({ status: "pending", limit: 100 })).toEqual([]);
  });

  it("retries with backoff, dead-letters past the maximum and holds back that payment's later events only", async () => {
    const { service, store, clock } = setup();
    const a = await paidPayment(service, 1000);
    const publisher = new RecordingPublisher();
    publisher.failuresLeft = 1;
    // The first publish (a's payment.created) fails once; a's later events wait for its retry.
    const first = await dispatchOutbox({ store, publisher, clock, maxAttempts: 2, batchSize: 1 });
    expect(first).toMatchObject({ failed: 1, delivered: 0 });
    expect(publisher.events).toEqual([]);
    clock.advance(1000);
    const second = await dispatchOutbox({ store, publisher, clock, maxAttempts: 2 });
    expect(second.delivered).toBe(3);
    expect(publisher.events.map((e) => e.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);

    const b = await paidPayment(service, 1000);
    const c = await paidPayment(service, 1000);
    publisher.events = [];
    publisher.failuresLeft = 2;
    await dispatchOutbox({ store, publisher, clock, maxAttempts: 2, batchSize: 1, maxRounds: 1 });
    clock.advance(10_000);
    const dead = await dispatchOutbox({ store, publisher, clock, maxAttempts: 2, batchSize: 1, maxRounds: 1 });
    expect(dead.dead).toBe(1);
    clock.advance(10_000_000);
    await dispatchOutbox({ store, publisher, clock, maxAttempts: 2 });
    expect(publisher.events.filter((e) => e.paymentId === b.id)).toEqual([]);
    expect(publisher.events.filter((e) => e.paymentId === c.id).map((e) => e.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);
    expect((await store.listOutbox({ status: "dead", limit: 10 })).map((e) => e.event.paymentId)).toEqual([b.id]);
    expect(a).toBeTruthy();
  });
});
