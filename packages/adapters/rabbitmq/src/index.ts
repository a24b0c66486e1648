/** `EventPublisher` for @org/payments-core on RabbitMQ (amqplib): topic exchange, publisher confirms, reconnection. */
export { RabbitMqPublisher, RabbitMqPublisherError, createRabbitMqPublisher, DEFAULT_EVENTS_EXCHANGE } from "./rabbitmq-publisher.js";
export type { RabbitMqPublisherOptions } from "./rabbitmq-publisher.js";
export { routingKeyProblem } from "./routing-key.js";
export type { RoutingKeyOption } from "./routing-key.js";
