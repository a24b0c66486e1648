import type { PaymentEvent } from "../domain/events.js";

/**
 * Where outbox events go (a broker, an HTTP endpoint). `publish` resolves only when the event is durably accepted;
 * it may be called more than once for the same event (at-least-once), so receivers deduplicate by `event.id`.
 */
export interface EventPublisher {
  publish(event: PaymentEvent): Promise<void>;
  close?(): Promise<void>;
}
