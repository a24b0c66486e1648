import type { DeclineCode } from "@org/payments-core";

/** Acme's decline codes (API.md, "Errors") onto the core's card outcomes; Acme's own code stays in `declineCode`. */
const CORE_DECLINE_CODE: Readonly<Record<string, DeclineCode>> = {
  do_not_honor: "card_declined",
  // A buyer refusal (the issuer does not allow this purchase) is still a decline, never something to retry.
  transaction_not_permitted: "card_declined",
  insufficient_funds: "insufficient_funds",
  expired_card: "expired_card",
  invalid_cvc: "incorrect_cvc",
  issuer_unavailable: "processing_error",
  authentication_failed: "authentication_required",
};

/** A code Acme adds later is still a decline: the payment failed, definitely. */
export function coreDeclineCode(acmeCode: string): DeclineCode {
  return CORE_DECLINE_CODE[acmeCode] ?? "card_declined";
}
