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
  pm_card_authenticationRequiredOnSetup: { kind: "requires_action", brand: "visa", last4: "3155" },
  pm_card_chargeCustomerFail: {
    kind: "declines",
    brand: "visa",
    last4: "0341",
    code: "card_declined",
    declineCode: "generic_decline",
    message: "Your card was declined.",
  },
};

/**
 * What a test card does when it is saved (a SetupIntent) and when it is charged with the customer absent
 * (`off_session: true`), as Stripe's testing docs describe the cards:
 * - 4000 0027 6000 3184 (`pm_card_authenticationRequired`): asks for authentication on every transaction however it
 *   was set up: saving it needs 3-D Secure, and every off-session charge is declined `authentication_required`.
 * - 4000 0025 0000 3155 (`pm_card_authenticationRequiredOnSetup`): asks for authentication on a one-time payment and
 *   on setup; once set up for off-session use (a SetupIntent, or a payment with `setup_future_usage`, authenticated)
 *   its off-session charges go through without the customer.
 * - 4000 0000 0000 0341 (`pm_card_chargeCustomerFail`): saving (attaching) succeeds, every charge is declined.
 * - any other decline card: refused already when it is saved, with its decline; any other card: saved and charged.
 */
export interface SavedCardRules {
  setup: "succeeds" | "requires_action" | "declines";
  offSession: "succeeds" | "authentication_required" | "authentication_required_unless_set_up" | "declines";
}

export function savedCardRules(testId: string): SavedCardRules | undefined {
  const card = TEST_PAYMENT_METHODS[testId];
  if (!card) return undefined;
  if (testId === "pm_card_authenticationRequired") return { setup: "requires_action", offSession: "authentication_required" };
  if (testId === "pm_card_chargeCustomerFail") return { setup: "succeeds", offSession: "declines" };
  if (card.kind === "requires_action") return { setup: "requires_action", offSession: "authentication_required_unless_set_up" };
  if (card.kind === "declines") return { setup: "declines", offSession: "declines" };
  return { setup: "succeeds", offSession: "succeeds" };
}
