import { describe, expect, it } from "vitest";
import type { PaymentEvent } from "../src/domain/events.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { startOutboxDispatcher } from "../src/outbox/outbox-dispatcher.js";
import type { OutboxClaim, OutboxEntry } from "../src/ports/payment-store.js";
import { ctx, paidPayment, setup } from "./helpers.js";

class RecordingPublisher {
  events: PaymentEvent[] = [];
  failuresLeft = 0;
  /** While set, every publish waits for it: an in-flight batch the test controls. */
  gate: Promise<void> | undefined;
  started = 0;
  async publish(event: PaymentEvent): Promise<void> {
    this.started++;
    if (this.gate) await this.gate;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error("broker unavailable");
    }
    this.events.push(event);
  }
}

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe("outbox dispatcher worker", () => {
  it("delivers continuously, in order per payment, including events written while it runs", async () => {
    const { service, store, clock } = setup();
    const publisher = new RecordingPublisher();
    const dispatcher = startOutboxDispatcher({ store, publisher, clock, pollIntervalMs: 5, idleBackoff: { maxMs: 20 } });
    const first = await paidPayment(service, 1000);
    await waitFor(() => publisher.events.length === 3);
    const second = await paidPayment(service, 2000);
    await service.refundPayment(first.id, { amount: 100, reason: "r" }, ctx("r1", "admin"));
    await waitFor(() => publisher.events.length === 8);
    await dispatcher.stop();
    expect(publisher.events.filter((e) => e.paymentId === first.id).map((e) => e.type)).toEqual([
      "payment.created",
      "payment.processing",
      "payment.succeeded",
      "refund.created",
      "payment.refunded",
    ]);
    expect(publisher.events.filter((e) => e.paymentId === second.id)).toHaveLength(3);
    expect(await store.listOutbox({ status: "pending", limit: 100 })).toEqual([]);
  });

  it("stop() lets the batch in flight finish and mark its events delivered, then claims nothing more", async () => {
    const { service, store, clock } = setup();
    await Promise.all([paidPayment(service), paidPayment(service)]);
    const publisher = new RecordingPublisher();
    let release!: () => void;
    publisher.gate = new Promise((resolve) => (release = resolve));
    const dispatcher = startOutboxDispatcher({ store, publisher, clock, pollIntervalMs: 5 });
    await waitFor(() => publisher.started === 2);
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(stopped).toBe(false);
    release();
    await stopping;
    // The two payments' heads were in flight: both are delivered; their later events stay for the next worker.
    expect((await store.listOutbox({ status: "delivered", limit: 100 })).map((e) => e.event.type)).toEqual(["payment.created", "payment.created"]);
    expect(await store.listOutbox({ status: "pending", limit: 100 })).toHaveLength(4);
    await dispatcher.done;
  });

  it("an aborted signal stops it; runOnce() still runs one full pass", async () => {
    const { service, store, clock } = setup();
    const controller = new AbortController();
    const publisher = new RecordingPublisher();
    const dispatcher = startOutboxDispatcher({ store, publisher, clock, pollIntervalMs: 10_000, signal: controller.signal });
    controller.abort();
    await dispatcher.done;
    await paidPayment(service);
    expect(publisher.events).toEqual([]);
    expect(await dispatcher.runOnce()).toEqual({ delivered: 3, failed: 0, dead: 0 });
  });

  it("survives a failing store and failing publishes, reporting each to onError", async () => {
    class FlakyStore extends MemoryPaymentStore {
      claimFailures = 1;
      override claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
        if (this.claimFailures-- > 0) return Promise.reject(new Error("database unreachable"));
        return super.claimOutbox(claim);
      }
    }
    const store = new FlakyStore();
    const { service, clock } = setup({ store });
    await paidPayment(service);
    const publisher = new RecordingPublisher();
    publisher.failuresLeft = 1;
    const errors: string[] = [];
    const dispatcher = startOutboxDispatcher({
      store,
      publisher,
      clock,
      pollIntervalMs: 5,
      idleBackoff: { maxMs: 10 },
      backoffMs: () => 0,
      onError: (error, context) => errors.push(`${context.entry?.event.type ?? "round"}: ${(error as Error).message}`),
    });
    await waitFor(() => publisher.events.length === 3);
    await dispatcher.stop();
    expect(errors).toEqual(["round: database unreachable", "payment.created: broker unavailable"]);
  });

  it("a dead event waits for an operator: retry re-delivers it, skip lets the payment's later events through", async () => {
    const { service, store, clock } = setup();
    const a = await paidPayment(service);
    const b = await paidPayment(service);
    const publisher = new RecordingPublisher();
    publisher.failuresLeft = 2;
    const dispatcher = startOutboxDispatcher({ store, publisher, clock, pollIntervalMs: 5, idleBackoff: { maxMs: 10 }, maxAttempts: 1, batchSize: 1 });
    await waitFor(async () => (await store.listOutbox({ status: "dead", limit: 10 })).length === 2);
    const [deadA, deadB] = await store.listOutbox({ status: "dead", limit: 10 });
    expect([deadA?.event.paymentId, deadB?.event.paymentId]).toEqual([a.id, b.id]);
    expect(publisher.events).toEqual([]);

    expect(await store.retryOutboxEvent(deadA!.sequence, clock.now().toISOString())).toBe(true);
    await waitFor(() => publisher.events.length === 3);
    expect(publisher.events.map((e) => e.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);

    expect(await store.skipOutboxEvent(deadB!.sequence, "consumer rejected it; replayed by hand")).toBe(true);
    await waitFor(() => publisher.events.length === 5);
    await dispatcher.stop();
    expect(publisher.events.slice(3).map((e) => `${e.paymentId === b.id ? "b" : "a"}:${e.type}`)).toEqual(["b:payment.processing", "b:payment.succeeded"]);
    expect(await store.listOutbox({ status: "skipped", limit: 10 })).toMatchObject([{ sequence: deadB!.sequence, skipReason: "consumer rejected it; replayed by hand" }]);
  });
});
