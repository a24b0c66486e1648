import type { EventPublisher, PaymentEvent } from "@org/payments-core";
import { connect } from "amqplib";
import type { ChannelModel, ConfirmChannel, Message, Options } from "amqplib";
import { routingKeyResolver } from "./routing-key.js";
import type { RoutingKeyOption } from "./routing-key.js";

export const DEFAULT_EVENTS_EXCHANGE = "payments.events";

export interface RabbitMqPublisherOptions {
  /** `amqp://user:pass@host:5672/vhost`; add `?heartbeat=10` to notice a silently dead peer sooner. */
  url: string;
  /** Topic exchange the events go to, declared durable on every (re)connect (default `payments.events`). */
  exchange?: string | undefined;
  /** How long a publish waits for the broker's confirm before it fails (default 10 s; keep it below the outbox lease). */
  confirmTimeoutMs?: number | undefined;
  /** How long opening a connection may take (default 5 s). */
  connectTimeoutMs?: number | undefined;
  /** Wait before the first reconnect after a failed connect; doubles per failure up to `maxReconnectDelayMs` (default 100 ms). */
  reconnectDelayMs?: number | undefined;
  maxReconnectDelayMs?: number | undefined;
  /**
   * Fail a publish that no queue is bound to receive (AMQP `mandatory`): the broker would otherwise confirm and
   * discard it. Off by default, because a topic exchange with no subscriber yet is a normal state.
   */
  requireRoute?: boolean | undefined;
  /**
   * The routing key of each event (default: its type, as EVENTS.md documents). A map from event type to key
   * (unnamed types keep their type) or a function of the event, for consumers bound to other names.
   */
  routingKey?: RoutingKeyOption | undefined;
  /** Connection lifecycle notices (connected, lost, connect failed), for logs. */
  onConnectionEvent?: ((event: { type: "connected" | "lost" | "connect_failed"; error?: unknown }) => void) | undefined;
  /** Shown in the RabbitMQ management UI. */
  connectionName?: string | undefined;
}

/** One live connection with its confirm channel, and the publishes waiting for a confirm on it. */
interface Session {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** Fails every publish still awaiting a confirm; set once the session is lost. */
  pending: Set<(error: Error) => void>;
  /** Message ids the broker returned as unroutable, awaiting their confirm (`requireRoute`). */
  returned: Set<string>;
  dead: boolean;
}

export class RabbitMqPublisherError extends Error {
  override readonly name = "RabbitMqPublisherError";
}

/**
 * An `EventPublisher` on RabbitMQ. `publish` resolves only once the broker confirmed the message (publisher
 * confirms), so the outbox marks an event delivered only when RabbitMQ took responsibility for it. A nack, a
 * closed connection or a missing confirm rejects, and the outbox retries: a message may then arrive twice, never
 * zero times (consumers deduplicate by `messageId`, which is the event id).
 *
 * Reconnection is lazy: a lost connection is reopened by the next publish. While reconnecting fails, publishes
 * fail at once (until the growing backoff allows the next attempt) rather than queueing in memory, because the
 * outbox is already the durable queue.
 */
export class RabbitMqPublisher implements EventPublisher {
  readonly exchange: string;
  readonly #options: RabbitMqPublisherOptions;
  readonly #routingKeyFor: (event: PaymentEvent) => string;
  /** The connected session, until it is lost. */
  #live: Session | undefined;
  /** A connect in progress, shared by the publishes that arrive meanwhile. */
  #opening: Promise<Session> | undefined;
  #nextConnectAt = 0;
  #reconnectDelayMs: number;
  #closed = false;
  #connects = 0;

  constructor(options: RabbitMqPublisherOptions) {
    this.#options = options;
    this.exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
    try {
      this.#routingKeyFor = routingKeyResolver(options.routingKey);
    } catch (error) {
      throw new RabbitMqPublisherError(describe(error));
    }
    this.#reconnectDelayMs = options.reconnectDelayMs ?? 100;
  }

  /** Connections opened so far (1 after the first publish; more after reconnects). */
  get connectionCount(): number {
    return this.#connects;
  }

  /** Opens the connection now rather than on the first publish, to fail fast at start-up on a bad URL. */
  async connect(): Promise<void> {
    await this.#currentSession();
  }

  async publish(event: PaymentEvent): Promise<void> {
    let routingKey: string;
    try {
      routingKey = this.#routingKeyFor(event);
    } catch (error) {
      // Before any I/O: the outbox keeps the event and retries it, then dead-letters it for an operator.
      throw new RabbitMqPublisherError(`event ${event.id} has no usable routing key: ${describe(error)}`, { cause: error });
    }
    const session = await this.#currentSession();
    if (session.dead) throw new RabbitMqPublisherError(`connection to RabbitMQ lost before event ${event.id} was sent`);
    const content = Buffer.from(JSON.stringify(event));
    const properties: Options.Publish = {
      persistent: true,
      messageId: event.id,
      contentType: "application/json",
      contentEncoding: "utf-8",
      type: event.type,
      timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
      headers: { schemaVersion: event.schemaVersion, paymentId: event.paymentId },
      mandatory: this.#options.requireRoute === true,
    };
    const timeoutMs = this.#options.confirmTimeoutMs ?? 10_000;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.pending.delete(fail);
        if (error) reject(error);
        else resolve();
      };
      const fail = (error: Error) => settle(error);
      const timer = setTimeout(() => {
        settle(new RabbitMqPublisherError(`no confirm for event ${event.id} within ${timeoutMs} ms`));
        // A broker that stops confirming is as good as gone: start afresh on the next publish.
        this.#lose(session, new RabbitMqPublisherError("confirm timeout"));
      }, timeoutMs);
      session.pending.add(fail);
      try {
        session.channel.publish(this.exchange, routingKey, content, properties, (error: unknown) => {
          if (error) {
            settle(new RabbitMqPublisherError(`broker did not confirm event ${event.id}: ${describe(error)}`, { cause: error }));
          } else if (session.returned.delete(event.id)) {
            settle(new RabbitMqPublisherError(`event ${event.id} (${routingKey}) was unroutable: no queue is bound to it on ${this.exchange}`));
          } else {
            settle(undefined);
          }
        });
      } catch (error) {
        // The channel closed between our check and the write.
        settle(new RabbitMqPublisherError(`publish of event ${event.id} failed: ${describe(error)}`, { cause: error }));
        this.#lose(session, error);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const session = this.#live ?? (await this.#opening?.catch(() => undefined));
    this.#live = undefined;
    if (session && !session.dead) {
      session.dead = true;
      // Let confirms already on their way arrive before the connection goes.
      await session.channel.waitForConfirms().catch(() => undefined);
      await session.model.close().catch(() => undefined);
    }
  }

  #currentSession(): Promise<Session> {
    if (this.#closed) return Promise.reject(new RabbitMqPublisherError("publisher is closed"));
    if (this.#live && !this.#live.dead) return Promise.resolve(this.#live);
    if (this.#opening) return this.#opening;
    const wait = this.#nextConnectAt - Date.now();
    if (wait > 0) {
      return Promise.reject(new RabbitMqPublisherError(`RabbitMQ unavailable; next reconnect attempt in ${wait} ms`));
    }
    const opening = this.#open().then(
      (session) => {
        this.#opening = undefined;
        this.#reconnectDelayMs = this.#options.reconnectDelayMs ?? 100;
        this.#nextConnectAt = 0;
        if (this.#closed) {
          void session.model.close().catch(() => undefined);
          throw new RabbitMqPublisherError("publisher is closed");
        }
        this.#live = session;
        return session;
      },
      (error: unknown) => {
        this.#opening = undefined;
        this.#nextConnectAt = Date.now() + this.#reconnectDelayMs;
        this.#reconnectDelayMs = Math.min(this.#reconnectDelayMs * 2, this.#options.maxReconnectDelayMs ?? 30_000);
        this.#options.onConnectionEvent?.({ type: "connect_failed", error });
        throw new RabbitMqPublisherError(`cannot connect to RabbitMQ: ${describe(error)}`, { cause: error });
      },
    );
    this.#opening = opening;
    return opening;
  }

  async #open(): Promise<Session> {
    const model = await connect(this.#options.url, {
      timeout: this.#options.connectTimeoutMs ?? 5_000,
      clientProperties: { connection_name: this.#options.connectionName ?? "payments-outbox" },
    });
    try {
      const channel = await model.createConfirmChannel();
      await channel.assertExchange(this.exchange, "topic", { durable: true });
      const session: Session = { model, channel, pending: new Set(), returned: new Set(), dead: false };
      const lost = (error?: unknown) => this.#lose(session, error ?? new RabbitMqPublisherError("connection closed"));
      // Without 'error' listeners a broken socket would be an unhandled 'error' event and crash the host.
      model.on("error", lost);
      model.on("close", lost);
      channel.on("error", lost);
      channel.on("close", lost);
      channel.on("return", (message: Message) => {
        const id = message.properties.messageId;
        if (typeof id === "string") session.returned.add(id);
      });
      this.#connects++;
      this.#options.onConnectionEvent?.({ type: "connected" });
      return session;
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
  }

  /** Forgets a broken session and fails its unconfirmed publishes, so the outbox retries them. */
  #lose(session: Session, error: unknown): void {
    if (session.dead) return;
    session.dead = true;
    if (this.#live === session) this.#live = undefined;
    const reason = new RabbitMqPublisherError(`connection to RabbitMQ lost: ${describe(error)}`, { cause: error });
    for (const fail of [...session.pending]) fail(reason);
    session.pending.clear();
    this.#options.onConnectionEvent?.({ type: "lost", error });
    void session.model.close().catch(() => undefined);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRabbitMqPublisher(options: RabbitMqPublisherOptions): RabbitMqPublisher {
  return new RabbitMqPublisher(options);
}
