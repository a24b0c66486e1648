import { parsePaymentEvent } from "@org/payments-core";
import type { EventFailureReason, PaymentEvent } from "@org/payments-core";
import { connect } from "amqplib";

/**
 * An example consumer of the payment events: the booking service of a host. It confirms a booking when its payment
 * succeeded, and when it failed releases the held seats and tells the customer why, from the event's failure
 * reason (EVENTS.md, "Failure reason"). A refund that failed goes to support with its reason. Delivery is at least
 * once, so every action is keyed by the event id.
 */

/** What the booking service does; each call is made at most once per event id (`handled`). */
export interface BookingActions {
  /** Whether this event was already acted on (a redelivery): then it is only acknowledged. */
  handled(eventId: string): Promise<boolean>;
  confirmBooking(booking: string, paymentId: string, eventId: string): Promise<void>;
  releaseSeats(booking: string, customerMessage: string, reason: EventFailureReason, eventId: string): Promise<void>;
  alertSupport(paymentId: string, reason: EventFailureReason, eventId: string): Promise<void>;
}

/** What a customer reads for each stable code; `code` is stable across providers, the provider's text is not. */
const CUSTOMER_WORDING: Readonly<Record<string, string>> = {
  card_declined: "Your bank declined the card. Try another card or contact your bank.",
  insufficient_funds: "The card has insufficient funds. Try another card.",
  expired_card: "The card has expired. Try another card.",
  incorrect_cvc: "The security code was wrong. Check it and try again.",
  authentication_required: "Your bank asked for a confirmation that did not complete. Try again.",
};

/** Our wording for the code, else the event's message (safe to show: card numbers are masked), else a default. */
export function customerMessageFor(reason: EventFailureReason | undefined): string {
  if (reason && CUSTOMER_WORDING[reason.code]) return CUSTOMER_WORDING[reason.code]!;
  return reason?.message || "The payment did not go through. Try again or use another payment method.";
}

/** An event written before failure reasons existed has none: the consumer still acts, under a generic one. */
const UNKNOWN_REASON: EventFailureReason = { code: "processing_error", message: "no reason was given" };

/** Acts on one event; events it does not handle (new types appear in minor releases) are ignored. */
export async function handlePaymentEvent(event: PaymentEvent, actions: BookingActions): Promise<void> {
  if (await actions.handled(event.id)) return;
  const booking = event.data.payment.references["booking"];
  switch (event.type) {
    case "payment.succeeded":
      if (booking) await actions.confirmBooking(booking, event.paymentId, event.id);
      return;
    case "payment.failed":
      if (booking) await actions.releaseSeats(booking, customerMessageFor(event.data.error), event.data.error ?? UNKNOWN_REASON, event.id);
      return;
    case "refund.failed":
      await actions.alertSupport(event.paymentId, event.data.error ?? UNKNOWN_REASON, event.id);
      return;
    default:
      return;
  }
}

export interface BookingConsumerOptions {
  url: string;
  /** The publisher's exchange (default `payments.events`). */
  exchange?: string | undefined;
  /** The consumer's own durable queue (default `bookings.payments`). */
  queue?: string | undefined;
  /**
   * The routing keys to bind: the event types by default. A publisher with a `routingKey` mapping publishes under
   * other names; bind those here.
   */
  bindingKeys?: readonly string[] | undefined;
  actions: BookingActions;
  onError?: ((error: unknown) => void) | undefined;
}

export const BOOKING_EVENT_TYPES = ["payment.succeeded", "payment.failed", "refund.failed"] as const;

/**
 * Consumes the booking service's queue: declares the exchange as the publisher does, its own durable queue bound
 * to the keys it handles, and acknowledges each message once its action is done. A message that is not a valid
 * event is rejected without requeue (the broker's dead-letter policy keeps it); an action that throws is requeued.
 */
export async function startBookingConsumer(options: BookingConsumerOptions): Promise<{ close(): Promise<void> }> {
  const exchange = options.exchange ?? "payments.events";
  const queue = options.queue ?? "bookings.payments";
  const connection = await connect(options.url);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, "topic", { durable: true });
  await channel.assertQueue(queue, { durable: true });
  for (const key of options.bindingKeys ?? BOOKING_EVENT_TYPES) await channel.bindQueue(queue, exchange, key);
  // One unacknowledged message at a time keeps one payment's events in the order they were published.
  await channel.prefetch(1);
  await channel.consume(queue, (message) => {
    if (message === null) return;
    let event: PaymentEvent;
    try {
      event = parsePaymentEvent(JSON.parse(message.content.toString("utf8")));
    } catch (error) {
      options.onError?.(error);
      channel.reject(message, false);
      return;
    }
    handlePaymentEvent(event, options.actions).then(
      () => channel.ack(message),
      (error: unknown) => {
        options.onError?.(error);
        channel.nack(message, false, true);
      },
    );
  });
  return {
    async close() {
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}
