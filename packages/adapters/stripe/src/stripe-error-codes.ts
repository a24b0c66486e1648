/**
 * Stripe error `code`s (docs.stripe.com/error-codes) whose meaning decides which of the core's five answer kinds
 * they are, as data: map-stripe-error.ts and the refund call read these lists instead of keeping their own.
 */

/**
 * On a refund, Stripe's definite refusal of that refund: the money stays with the merchant and re-sending cannot
 * help (the 400 is saved for the key). The refund is answered as `failed`, with the code as its failure reason.
 * - `charge_disputed`, `refund_disputed_payment`: the charge was charged back; the dispute decides the money.
 * - `charge_already_refunded`: the charge was refunded in full, by someone else (Dashboard) or earlier.
 * - `charge_not_refundable`: the charge cannot be refunded (too old, or a method without refunds).
 * - `balance_insufficient`: the account cannot fund the refund (Connect, negative balance).
 */
export const REFUND_REFUSAL_CODES = [
  "charge_disputed",
  "refund_disputed_payment",
  "charge_already_refunded",
  "charge_not_refundable",
  "balance_insufficient",
] as const;

/**
 * Refusals of the buyer's funding that Stripe answers as a 400 `invalid_request_error` rather than a 402
 * `card_error`: declines in every sense but the error type, so they map like card errors.
 */
export const DECLINE_LIKE_CODES = [
  "card_decline_rate_limit_exceeded",
  "payment_intent_authentication_failure",
  "setup_intent_authentication_failure",
  "payment_intent_payment_attempt_failed",
  "payment_intent_payment_attempt_expired",
  "payment_method_provider_decline",
  "payment_method_customer_decline",
] as const;

/** The PaymentIntent (or its charge) is not in a state that allows the request: nothing moved. */
export const UNEXPECTED_STATE_CODES = [
  "payment_intent_unexpected_state",
  "setup_intent_unexpected_state",
  "charge_already_captured",
  "charge_expired_for_capture",
  "capture_charge_authorization_expired",
  "intent_invalid_state",
] as const;

/** Stripe's 409 for a second request while the first with the same idempotency key still runs. */
export const KEY_IN_USE_CODE = "idempotency_key_in_use";

export function isOneOf<T extends string>(list: readonly T[], code: string | null | undefined): code is T {
  return code !== null && code !== undefined && (list as readonly string[]).includes(code);
}
