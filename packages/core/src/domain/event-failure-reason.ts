import { toStorableMessage } from "../validation/acceptable-text.js";
import type { PaymentFailure } from "./payment.js";

/**
 * Why a payment or refund failed, as its failure event carries it: the stable error code (`card_declined`,
 * `insufficient_funds`, `processing_error`, …), the provider's own decline code when it gave one, and a message
 * safe to show or store. Consumers (a booking service releasing seats, a notification service) tell the customer
 * why from it.
 */
export interface EventFailureReason {
  code: string;
  /** The provider's decline code (Stripe's `decline_code`, PayPal's processor response), when it reported one. */
  declineCode?: string | undefined;
  message: string;
}

/** Longest message an event carries: enough for any provider's sentence, bounded for brokers and logs. */
export const EVENT_FAILURE_MESSAGE_MAX = 500;

/**
 * The failure as an event carries it. The message passes through the storable-text rule once more (no control
 * characters, card numbers masked, bounded), because events leave the system: whatever a provider or an adapter
 * wrote, no card number reaches a broker.
 */
export function eventFailureReason(failure: PaymentFailure): EventFailureReason {
  const reason: EventFailureReason = { code: failure.code, message: toStorableMessage(failure.message, EVENT_FAILURE_MESSAGE_MAX) };
  if (failure.declineCode) reason.declineCode = toStorableMessage(failure.declineCode, 100);
  return reason;
}
