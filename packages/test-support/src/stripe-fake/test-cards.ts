/**
 * Stripe's test payment-method ids (GATEWAYS.md) and the outcome each produces, as Stripe's test mode documents
 * them: a decline is a 402 card_error with Stripe's `code` and `decline_code`.
 */
export type CardBehaviour =
  | { kind: "succeeds"; brand: string; last4: string }
  | { kind: "declines"; brand: string; last4: string; code: string; declineCode: string; message: string }
  | { kind: "requires_action"; brand: string; last4: string };

export const TEST_PAYMENT_METHODS: Readonly<Record<string, CardBehaviour>> = {
  pm_card_visa: { kind: "succeeds", brand: "visa", last4: "4242" },
  pm_card_mastercard: { kind: "succeeds", brand: "mastercard", last4: "4444" },
  pm_card_visa_chargeDeclined: {
    kind: "declines",
    brand: "visa",
    last4: "0002",
    code: "card_declined",
    declineCode: "generic_decline",
    message: "Your card was declined.",
  },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    kind: "declines",
    brand: "visa",
    last4: "9995",
    code: "card_declined",
    declineCode: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  pm_card_chargeDeclinedExpiredCard: {
    kind: "declines",
    brand: "visa",
    last4: "0069",
    code: "expired_card",
    declineCode: "expired_card",
    message: "Your card has expired.",
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    kind: "declines",
    brand: "visa",
    last4: "0127",
    code: "incorrect_cvc",
    declineCode: "incorrect_cvc",
    message: "Your card's security code is incorrect.",
  },
  pm_card_chargeDeclinedProcessingError: {
    kind: "declines",
    brand: "visa",
    last4: "0119",
    code: "processing_error",
    declineCode: "processing_error",
    message: "An error occurred while processing your card. Try again in a little bit.",
  },
  pm_card_authenticationRequired: { kind: "requires_action", brand: "visa", last4: "3184" },
};
