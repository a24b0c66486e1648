import { randomBytes } from "node:crypto";
import { connect } from "amqplib";
import type { Channel, ChannelModel, ConsumeMessage } from "amqplib";
import { requireServiceInCi } from "./require-service.js";

/**
 * RabbitMQ for suites: each suite declares its own exchange and queues under random names (queues exclusive and
 * auto-deleted, everything deleted on dispose), so suites and engineers sharing one broker never see each other's
 * messages.
 */

export const DEFAULT_TEST_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";

export function testRabbitMqUrl(): string {
  const fromEnv = process.env.PAYMENTS_TEST_RABBITMQ_URL;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_TEST_RABBITMQ_URL;
}

let availability: Promise<boolean> | undefined;

/** Whether the broker answers; under CI=true an unreachable broker throws instead (a failure, never a skip). */
export function rabbitMqAvailable(): Promise<boolean> {
  const url = testRabbitMqUrl();
  availability ??= connect(url, { timeout: 3_000 })
    .then(async (model) => {
      await model.close();
      return true;
    })
    .catch((error: unknown) => requireServiceInCi("RabbitMQ", url, error));
  return availability;
}

export function randomName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomBytes(4).toString("hex")}`;
}

/** A queue bound to the suite's exchange, collecting what it receives (acked as it arrives). */
export interface TestQueue {
  name: string;
  messages: ConsumeMessage[];
  /** Resolves once `count` messages have arrived (rejects after `timeoutMs`). */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
}

export interface TestExchange {
  url: string;
  exchange: string;
  /** The suite's own connection to the broker (not through any proxy the test puts in front of a publisher). */
  connection: ChannelModel;
  channel: Channel;
  /** Declares an exclusive auto-delete queue bound with `pattern` and starts consuming it. */
  createQueue(pattern?: string): Promise<TestQueue>;
  /** Deletes the queues and the exchange and closes the connection. */
  dispose(): Promise<void>;
}

/** Declares a durable topic exchange with a random name (what the publisher under test would declare too). */
export async function createTestExchange(prefix = "payments-test"): Promise<TestExchange> {
  const url = testRabbitMqUrl();
  const exchange = randomName(prefix);
  const connection = await connect(url);
  const channel = await connection.createChannel();
  // Declared exactly as the publisher declares it (a different declaration is a 406 from the broker); dispose()
  // deletes it, and the queues are exclusive, so a crashed suite leaves at most an empty exchange behind.
  await channel.assertExchange(exchange, "topic", { durable: true });
  const queues: string[] = [];
  return {
    url,
    exchange,
    connection,
    channel,
    async createQueue(pattern = "#") {
      const name = randomName(`${prefix}.q`);
      await channel.assertQueue(name, { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(name, exchange, pattern);
      queues.push(name);
      const messages: ConsumeMessage[] = [];
      const waiters = new Set<() => void>();
      await channel.consume(name, (message) => {
        if (message === null) return;
        messages.push(message);
        channel.ack(message);
        for (const check of [...waiters]) check();
      });
      return {
        name,
        messages,
        waitForCount(count: number, timeoutMs = 30_000) {
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              if (messages.length >= count) {
                waiters.delete(check);
                clearTimeout(timer);
                resolve();
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`queue ${name}: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      };
    },
    async dispose() {
      for (const name of queues) await channel.deleteQueue(name).catch(() => undefined);
      await channel.deleteExchange(exchange).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
