import { createMemoryStore, createPaymentService, dispatchOutbox, startOutboxDispatcher } from "@org/payments-core";
import type { MemoryPaymentStore, PaymentEvent } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createTestExchange, rabbitMqAvailable, randomName } from "@org/payments-test-support/rabbitmq";
import type { TestExchange, TestQueue } from "@org/payments-test-support/rabbitmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRabbitMqPublisher } from "../src/index.js";
import type { RabbitMqPublisher } from "../src/index.js";
import { startTcpProxy } from "./tcp-proxy.js";
import type { TcpProxy } from "./tcp-proxy.js";

const available = await rabbitMqAvailable();
const PAYMENTS = 1_000;

/** `count` payments created and confirmed through the service: three events each, in the outbox. */
async function paymentsWithEvents(count: number): Promise<{ store: MemoryPaymentStore; expected: Map<string, string[]>; total: number }> {
  const store = createMemoryStore();
  const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, async (_, i) => {
        const who = `user_${start + i}`;
        const { payment } = await service.createPayment({ owner: who, amount: 1000 + i, currency: "EUR" }, { scope: who, idempotencyKey: "create" });
        await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: who, idempotencyKey: "confirm" });
      }),
    );
  }
  const entries = await store.listOutbox({ limit: 100 * count });
  const expected = new Map<string, string[]>();
  for (const entry of entries) {
    const ids = expected.get(entry.event.paymentId) ?? [];
    ids.push(entry.event.id);
    expected.set(entry.event.paymentId, ids);
  }
  return { store, expected, total: entries.length };
}

/** First deliveries by message id (later copies counted as duplicates), grouped per payment in arrival order. */
function arrivals(queue: TestQueue) {
  const seen = new Set<string>();
  const perPayment = new Map<string, string[]>();
  let duplicates = 0;
  for (const message of queue.messages) {
    const id = String(message.properties.messageId);
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const paymentId = String(message.properties.headers?.paymentId);
    perPayment.set(paymentId, [...(perPayment.get(paymentId) ?? []), id]);
  }
  return { unique: seen.size, duplicates, perPayment };
}

const until = async (condition: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe.skipIf(!available)("RabbitMQ publisher", () => {
  let broker: TestExchange;
  let proxy: TcpProxy;
  const publishers: RabbitMqPublisher[] = [];
  const publisherFor = (url: string, options: { reconnectDelayMs?: number; requireRoute?: boolean; exchange?: string } = {}) => {
    const publisher = createRabbitMqPublisher({ url, exchange: broker.exchange, confirmTimeoutMs: 5_000, reconnectDelayMs: 20, maxReconnectDelayMs: 200, ...options });
    publishers.push(publisher);
    return publisher;
  };

  beforeAll(async () => {
    broker = await createTestExchange("payments-rabbitmq-test");
    const target = new URL(broker.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
  });
  afterEach(async () => {
    proxy.holdReplies = false;
    await Promise.all(publishers.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await proxy?.close();
    await broker?.dispose();
  });

  it("publishes to the topic exchange by event type: persistent, message id = event id, JSON, schema version and payment id headers", async () => {
    const { store } = await paymentsWithEvents(2);
    const all = await broker.createQueue("#");
    const succeeded = await broker.createQueue("payment.succeeded");
    const publisher = publisherFor(broker.url);
    const report = await dispatchOutbox({ store, publisher });
    expect(report).toEqual({ delivered: 6, failed: 0, dead: 0 });
    await all.waitForCount(6);
    await succeeded.waitForCount(2);
    const message = succeeded.messages[0]!;
    const event = JSON.parse(message.content.toString("utf8")) as PaymentEvent;
    expect(message.fields.routingKey).toBe("payment.succeeded");
    expect(message.fields.exchange).toBe(broker.exchange);
    expect(message.properties).toMatchObject({
      messageId: event.id,
      contentType: "application/json",
      deliveryMode: 2,
      type: "payment.succeeded",
      headers: { schemaVersion: event.schemaVersion, paymentId: event.paymentId },
    });
    expect(event).toMatchObject({ type: "payment.succeeded", data: { payment: { status: "succeeded", currency: "EUR" } } });
    expect(Number.isSafeInteger(event.data.payment.amount)).toBe(true);
  });

  it(`events of ${PAYMENTS} payments dispatched by the worker arrive each exactly once by id, in order per payment`, async () => {
    const { store, expected, total } = await paymentsWithEvents(PAYMENTS);
    const queue = await broker.createQueue("#");
    const dispatcher = startOutboxDispatcher({ store, publisher: publisherFor(broker.url), pollIntervalMs: 10, batchSize: 100 });
    await queue.waitForCount(total, 60_000);
    await dispatcher.stop();
    const got = arrivals(queue);
    expect(got.unique).toBe(total);
    expect(got.duplicates).toBe(0);
    expect(got.perPayment).toEqual(expected);
    expect(await store.listOutbox({ status: "pending", limit: 10 })).toEqual([]);
  });

  it("the connection cut mid-run (twice) loses nothing: the publisher reconnects and the outbox re-sends the unconfirmed", async () => {
    const { store, expected, total } = await paymentsWithEvents(PAYMENTS);
    const queue = await broker.createQueue("#");
    const publisher = publisherFor(proxy.urlFor(broker.url));
    const errors: unknown[] = [];
    const dispatcher = startOutboxDispatcher({
      store,
      publisher,
      pollIntervalMs: 10,
      idleBackoff: { maxMs: 50 },
      batchSize: 100,
      backoffMs: () => 20,
      maxAttempts: 1_000,
      onError: (error) => errors.push(error),
    });
    const acceptedBefore = proxy.accepted;
    await until(() => queue.messages.length >= total / 3, 60_000, "a third of the events");
    proxy.cutAll();
    await until(() => queue.messages.length >= (2 * total) / 3, 60_000, "two thirds of the events");
    proxy.cutAll();
    await until(() => arrivals(queue).unique >= total, 60_000, "every event");
    await dispatcher.stop();
    const got = arrivals(queue);
    expect(got.unique).toBe(total);
    expect(got.perPayment).toEqual(expected);
    expect(publisher.connectionCount).toBeGreaterThanOrEqual(3);
    expect(proxy.accepted - acceptedBefore).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeGreaterThan(0);
    expect(await store.listOutbox({ status: "pending", limit: 10 })).toEqual([]);
    expect(await store.listOutbox({ status: "dead", limit: 10 })).toEqual([]);
    console.info(`connection cut twice: ${total} events, ${got.duplicates} duplicate deliveries, ${errors.length} failed publishes retried`);
  });

  it("a publish that reached the broker but whose confirm was lost stays pending and is published again", async () => {
    const { store, expected } = await paymentsWithEvents(1);
    const queue = await broker.createQueue("#");
    const publisher = publisherFor(proxy.urlFor(broker.url));
    await publisher.connect();
    proxy.holdReplies = true;
    const first = dispatchOutbox({ store, publisher, batchSize: 1, maxRounds: 1, backoffMs: () => 0 });
    await queue.waitForCount(1);
    // The broker has the message; its confirm is held in the proxy. Now the connection drops.
    proxy.cutAll();
    expect(await first).toEqual({ delivered: 0, failed: 1, dead: 0 });
    const [head] = await store.listOutbox({ limit: 1 });
    expect(head).toMatchObject({ status: "pending", attempts: 1, lastError: expect.stringMatching(/lost|closed/) });
    proxy.holdReplies = false;
    expect(await dispatchOutbox({ store, publisher, backoffMs: () => 0 })).toEqual({ delivered: 3, failed: 0, dead: 0 });
    await queue.waitForCount(4);
    const got = arrivals(queue);
    expect(got.duplicates).toBe(1);
    expect(queue.messages.filter((m) => m.properties.messageId === head!.event.id)).toHaveLength(2);
    expect(got.perPayment).toEqual(expected);
  });

  it("with the broker unreachable a publish fails fast, and the next one after the backoff reconnects", async () => {
    const deadProxy = await startTcpProxy({ host: "127.0.0.1", port: 1 });
    const url = deadProxy.urlFor(broker.url);
    await deadProxy.close();
    const publisher = publisherFor(url, { reconnectDelayMs: 60_000 });
    const { store } = await paymentsWithEvents(1);
    const [entry] = await store.listOutbox({ limit: 1 });
    await expect(publisher.publish(entry!.event)).rejects.toThrow(/cannot connect/);
    const started = Date.now();
    await expect(publisher.publish(entry!.event)).rejects.toThrow(/next reconnect attempt/);
    expect(Date.now() - started).toBeLessThan(50);
    expect(publisher.connectionCount).toBe(0);
  });

  it("requireRoute: a message no queue would receive is refused instead of confirmed and dropped", async () => {
    const { store } = await paymentsWithEvents(1);
    const entries = await store.listOutbox({ limit: 10 });
    // An exchange of its own: the other tests' catch-all queues would route everything.
    const exchange = randomName("payments-rabbitmq-test.route");
    const publisher = publisherFor(broker.url, { requireRoute: true, exchange });
    try {
      await expect(publisher.publish(entries[0]!.event)).rejects.toThrow(/unroutable/);
      const queue = randomName("payments-rabbitmq-test.route.q");
      await broker.channel.assertQueue(queue, { exclusive: true, autoDelete: true });
      await broker.channel.bindQueue(queue, exchange, "payment.succeeded");
      const succeeded = entries.find((e) => e.event.type === "payment.succeeded")!;
      await expect(publisher.publish(succeeded.event)).resolves.toBeUndefined();
      await expect(publisher.publish(entries[0]!.event)).rejects.toThrow(/unroutable/);
      await broker.channel.deleteQueue(queue);
    } finally {
      await broker.channel.deleteExchange(exchange);
    }
  });
});
