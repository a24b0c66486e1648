import type { EventPublisher } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { loadOptionalPackage } from "./optional-package.js";

export interface ConfiguredPublisher {
  publisher: EventPublisher;
  /** Where events go, without credentials: for the operator's screen. */
  target: string;
  close(): Promise<void>;
}

/**
 * The event publisher the environment names: RabbitMQ (PAYMENTS_RABBITMQ_URL, PAYMENTS_EVENTS_EXCHANGE) or the
 * signed HTTP publisher (PAYMENTS_EVENTS_WEBHOOK_URL, PAYMENTS_EVENTS_WEBHOOK_SECRET). Imported on demand, so the
 * other commands never load amqplib or the HTTP publisher.
 */
export async function publisherFromEnv(env: NodeJS.ProcessEnv): Promise<ConfiguredPublisher> {
  const rabbitUrl = env.PAYMENTS_RABBITMQ_URL || undefined;
  const webhookUrl = env.PAYMENTS_EVENTS_WEBHOOK_URL || undefined;
  if (rabbitUrl && webhookUrl) {
    throw new CliError(
      "publisher_ambiguous",
      "both PAYMENTS_RABBITMQ_URL and PAYMENTS_EVENTS_WEBHOOK_URL are set",
      EXIT.usage,
      "set only the one this dispatcher should publish to",
    );
  }
  if (rabbitUrl) {
    const { createRabbitMqPublisher, DEFAULT_EVENTS_EXCHANGE } = await loadOptionalPackage(
      "@org/payments-rabbitmq",
      "publishing events to RabbitMQ (PAYMENTS_RABBITMQ_URL is set)",
      () => import("@org/payments-rabbitmq"),
    );
    const exchange = env.PAYMENTS_EVENTS_EXCHANGE || DEFAULT_EVENTS_EXCHANGE;
    const publisher = createRabbitMqPublisher({ url: rabbitUrl, exchange });
    return { publisher, target: `RabbitMQ exchange ${exchange} at ${withoutCredentials(rabbitUrl)}`, close: () => publisher.close() };
  }
  if (webhookUrl) {
    const secret = env.PAYMENTS_EVENTS_WEBHOOK_SECRET || "";
    if (secret === "") {
      throw new CliError("publisher_secret_missing", "PAYMENTS_EVENTS_WEBHOOK_URL is set without PAYMENTS_EVENTS_WEBHOOK_SECRET", EXIT.usage, "set the shared secret the receiver verifies with");
    }
    const { createSignedHttpPublisher } = await loadOptionalPackage(
      "@org/payments-http-publisher",
      "publishing events over signed HTTP (PAYMENTS_EVENTS_WEBHOOK_URL is set)",
      () => import("@org/payments-http-publisher"),
    );
    return { publisher: createSignedHttpPublisher({ url: webhookUrl, secret }), target: `signed HTTP POST to ${withoutCredentials(webhookUrl)}`, close: async () => undefined };
  }
  throw new CliError(
    "publisher_not_configured",
    "no event publisher is configured",
    EXIT.usage,
    "set PAYMENTS_RABBITMQ_URL (and PAYMENTS_EVENTS_EXCHANGE), or PAYMENTS_EVENTS_WEBHOOK_URL and PAYMENTS_EVENTS_WEBHOOK_SECRET",
  );
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = parsed.username ? "****" : "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//");
  }
}
