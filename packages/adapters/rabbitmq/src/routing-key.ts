import type { PaymentEvent, PaymentEventType } from "@org/payments-core";

/**
 * How an event's routing key is chosen. By default it is the event type (`payment.succeeded`), which is what
 * EVENTS.md documents; consumers that already bind other names (a service this library replaces published
 * `payments.payment.captured`) map them here instead of renaming their queues:
 * - a map from event type to key: types it does not name keep their type as key;
 * - a function of the event, for keys that depend on more than the type (a region, a tenant prefix).
 * Only the routing key changes: the message's `type` property and the body keep the event type.
 */
export type RoutingKeyOption = Partial<Record<PaymentEventType, string>> | ((event: PaymentEvent) => string);

/** AMQP carries the routing key as a short string: at most 255 bytes. */
const MAX_ROUTING_KEY_BYTES = 255;

/** What is wrong with a routing key, or null: empty keys and over-long ones would be a silent misroute or a channel error. */
export function routingKeyProblem(key: unknown): string | null {
  if (typeof key !== "string") return "is not a string";
  if (key.length === 0) return "is empty";
  if (Buffer.byteLength(key, "utf8") > MAX_ROUTING_KEY_BYTES) return `is longer than ${MAX_ROUTING_KEY_BYTES} bytes`;
  return null;
}

/**
 * The function that names each event's routing key. A map is checked once, here, so a wrong mapping fails at
 * start-up; a function's answer is checked on every publish (`routingKeyFor` throws, the outbox keeps the event).
 */
export function routingKeyResolver(option: RoutingKeyOption | undefined): (event: PaymentEvent) => string {
  if (option === undefined) return (event) => event.type;
  if (typeof option === "function") {
    return (event) => {
      const key = option(event);
      const problem = routingKeyProblem(key);
      if (problem) throw new Error(`the routingKey option's key for ${event.type} ${problem}`);
      return key;
    };
  }
  for (const [type, key] of Object.entries(option)) {
    const problem = routingKeyProblem(key);
    if (problem) throw new Error(`the routingKey option's key for ${type} ${problem}`);
  }
  const mapped = new Map(Object.entries(option) as [string, string][]);
  return (event) => mapped.get(event.type) ?? event.type;
}
