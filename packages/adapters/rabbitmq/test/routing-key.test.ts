import { createMemoryStore, createPaymentService, dispatchOutbox, parsePaymentEvent } from "@org/payments-core";
import type { MemoryPaymentStore, PaymentEvent } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createTestExchange, rabbitMqAvailable, randomName } from "@org/payments-test-support/rabbitmq";
import type { TestExchange } from "@org/payments-test-support/rabbitmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRabbitMqPublisher, routingKeyProblem } from "../src/index.js";
import type { RabbitMqPublisher, RabbitMqPublisherOptions } from "../src/index.js";

const available = await rabbitMqAvailable();

/** One payment that succeeds and one the provider declines: created, processing, succeeded / failed. */
async function succeededAndDeclined(): Promise<MemoryPaymentStore> {
  const store = createMemoryStore();
  const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
  for (const [who, method] of [["user_paid", "pm_card_visa"], ["user_declined", "pm_card_visa_chargeDeclinedInsufficientFunds"]] as const) {
    const { payment } = await service.createPayment({ owner: who, amount: 1250, currency: "EUR" }, { scope: who, idempotencyKey: "create" });
    await service.confirmPayment(payment.id, { paymentMethodId: method }, { scope: who, idempotencyKey: "confirm" }).catch(() => undefined);
  }
  return store;
}

describe("routing key option, without a broker", () => {
  it("a map with an unusable key is refused when the publisher is made, before any connection", () => {
    const url = "amqp://guest:guest@127.0.0.1:1";
    expect(() => createRabbitMqPublisher({ url, routingKey: { "payment.failed": "" } })).toThrow(/payment.failed is empty/);
    expect(() => createRabbitMqPublisher({ url, routingKey: { "payment.failed": "k".repeat(256) } })).toThrow(/longer than 255 bytes/);
    expect(routingKeyProblem("bookings.payment.declined")).toBeNull();
  });

  it("a function answering an unusable key fails that publish without connecting: the outbox keeps the event", async () => {
    const store = await succeededAndDeclined();
    const [entry] = await store.listOutbox({ limit: 1 });
    const publisher = createRabbitMqPublisher({ url: "amqp://guest:guest@127.0.0.1:1", routingKey: () => "" });
    await expect(publisher.publish(entry!.event)).rejects.toThrow(/no usable routing key/);
    expect(publisher.connectionCount).toBe(0);
    await publisher.close();
  });
});

describe.skipIf(!available)("routing key option, on RabbitMQ", () => {
  let broker: TestExchange;
  const publishers: RabbitMqPublisher[] = [];
  const publisherWith = (options: Partial<RabbitMqPublisherOptions>) => {
    const publisher = createRabbitMqPublisher({ url: broker.url, exchange: broker.exchange, confirmTimeoutMs: 5_000, ...options });
    publishers.push(publisher);
    return publisher;
  };
  /** A queue with no consumer, so its message count is exact once the broker confirmed the publishes. */
  const countingQueue = async (bindingKey: string) => {
    const name = randomName("payments-rabbitmq-test.count");
    await broker.channel.assertQueue(name, { exclusive: true, autoDelete: true });
    await broker.channel.bindQueue(name, broker.exchange, bindingKey);
    return async () => (await broker.channel.checkQueue(name)).messageCount;
  };

  beforeAll(async () => {
    broker = await createTestExchange("payments-rabbitmq-test.routing");
  });
  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it("a map: the consumer bound to the mapped key receives the event (with its reason); unmapped types keep their type", async () => {
    const store = await succeededAndDeclined();
    const declined = await broker.createQueue("bookings.payment.declined");
    const created = await broker.createQueue("payment.created");
    const underOldKey = await countingQueue("payment.failed");
    const publisher = publisherWith({ routingKey: { "payment.failed": "bookings.payment.declined", "payment.succeeded": "bookings.payment.paid" } });
    expect(await dispatchOutbox({ store, publisher })).toEqual({ delivered: 6, failed: 0, dead: 0 });

    await declined.waitForCount(1);
    const message = declined.messages[0]!;
    expect(message.fields.routingKey).toBe("bookings.payment.declined");
    // Only the routing key is mapped: the message type and the body keep the event type.
    expect(message.properties.type).toBe("payment.failed");
    const event = parsePaymentEvent(JSON.parse(message.content.toString("utf8")));
    expect(event).toMatchObject({ type: "payment.failed", data: { error: { code: "insufficient_funds", declineCode: "insufficient_funds" } } });
    await created.waitForCount(2);
    expect(created.messages.map((m) => m.fields.routingKey)).toEqual(["payment.created", "payment.created"]);
    // Every publish was confirmed, so routing is done: nothing went out under the replaced key.
    expect(await underOldKey()).toBe(0);
  });

  it("a function of the event: a tenant prefix on every key", async () => {
    const store = await succeededAndDeclined();
    const tenant = await broker.createQueue("eu.payment.#");
    const publisher = publisherWith({ routingKey: (event: PaymentEvent) => `eu.${event.type}` });
    expect(await dispatchOutbox({ store, publisher })).toEqual({ delivered: 6, failed: 0, dead: 0 });
    await tenant.waitForCount(6);
    expect(new Set(tenant.messages.map((m) => m.fields.routingKey))).toEqual(
      new Set(["eu.payment.created", "eu.payment.processing", "eu.payment.succeeded", "eu.payment.failed"]),
    );
  });
});
