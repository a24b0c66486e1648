// @org/payments-rabbitmq: a publisher is built (it connects on first publish) and closed; amqplib loads.
import type { EventPublisher } from "@org/payments-core";
import { DEFAULT_EVENTS_EXCHANGE, createRabbitMqPublisher } from "@org/payments-rabbitmq";

const publisher = createRabbitMqPublisher({ url: "amqp://guest:guest@127.0.0.1:5672", exchange: DEFAULT_EVENTS_EXCHANGE });
const asPort: EventPublisher = publisher;
await publisher.close();
// The routingKey option's types reach a consumer: a map by event type, and a function of the event.
const mapped = createRabbitMqPublisher({ url: "amqp://guest:guest@127.0.0.1:5672", routingKey: { "payment.failed": "bookings.payment.declined" } });
const prefixed = createRabbitMqPublisher({ url: "amqp://guest:guest@127.0.0.1:5672", routingKey: (event) => `eu.${event.type}` });
await Promise.all([mapped.close(), prefixed.close()]);
console.log(`rabbitmq: publisher for exchange ${DEFAULT_EVENTS_EXCHANGE} built and closed (${typeof asPort.publish})`);
