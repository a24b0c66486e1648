import type { EventPublisher } from "@org/payments-core";
import { createSignedHttpPublisher } from "@org/payments-express";
import { DEFAULT_EVENTS_EXCHANGE, createRabbitMqPublisher } from "@org/payments-rabbitmq";

export interface HostPublisher {
  publisher: EventPublisher;
  /** Where events go, without credentials, for the start-up log. */
  target: string;
  close(): Promise<void>;
}

const env = (name: string): string | undefined => process.env[name] || undefined;

/**
 * The outbox's destination from the environment (DESIGN "Decisions"): RabbitMQ when PAYMENTS_RABBITMQ_URL is set,
 * else signed HTTP POSTs when PAYMENTS_EVENTS_WEBHOOK_URL is; null when neither is (events stay in the outbox until a
 * dispatcher runs, e.g. `payments-cli events dispatch`).
 */
export function publisherFromEnv(): HostPublisher | null {
  const rabbitUrl = env("PAYMENTS_RABBITMQ_URL");
  if (rabbitUrl) {
    const exchange = env("PAYMENTS_EVENTS_EXCHANGE") ?? DEFAULT_EVENTS_EXCHANGE;
    const publisher = createRabbitMqPublisher({ url: rabbitUrl, exchange });
    return { publisher, target: `RabbitMQ exchange ${exchange} at ${rabbitUrl.replace(/\/\/[^@/]*@/, "//")}`, close: () => publisher.close() };
  }
  const webhookUrl = env("PAYMENTS_EVENTS_WEBHOOK_URL");
  if (webhookUrl) {
    const secret = env("PAYMENTS_EVENTS_WEBHOOK_SECRET");
    if (!secret) throw new Error("PAYMENTS_EVENTS_WEBHOOK_URL is set without PAYMENTS_EVENTS_WEBHOOK_SECRET");
    return { publisher: createSignedHttpPublisher({ url: webhookUrl, secret }), target: `signed HTTP POST to ${webhookUrl}`, close: async () => undefined };
  }
  return null;
}
