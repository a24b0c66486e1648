import type { DeclineCode } from "../errors/index.js";
import type { GatewayScenario } from "../ports/payment-gateway.js";

/**
 * Stripe's own test payment-method ids, so one demo or test runs unchanged against the simulated gateway and
 * against Stripe's test mode (or our Stripe fake). The API never sees card numbers.
 */
export const TEST_PAYMENT_METHODS = {
  pm_card_visa: { outcome: "succeeds" },
  pm_card_visa_chargeDeclined: { outcome: "declined", code: "card_declined", declineCode: "generic_decline" },
  pm_card_visa_chargeDeclinedInsufficientFunds: { outcome: "declined", code: "insufficient_funds", declineCode: "insufficient_funds" },
  pm_card_chargeDeclinedExpiredCard: { outcome: "declined", code: "expired_card", declineCode: "expired_card" },
  pm_card_chargeDeclinedIncorrectCvc: { outcome: "declined", code: "incorrect_cvc", declineCode: "incorrect_cvc" },
  pm_card_chargeDeclinedProcessingError: { outcome: "declined", code: "processing_error", declineCode: "processing_error" },
  pm_card_authenticationRequired: { outcome: "requires_action" },
  /** Saved without a challenge; every later off-session charge of it is one the bank wants authenticated. */
  pm_card_authenticationRequiredOffSession: { outcome: "succeeds", offSession: "requires_action" },
  /** Saved without a challenge; later off-session charges are declined (the card expired since). */
  pm_card_expiredOffSession: { outcome: "succeeds", offSession: "declined" },
} as const satisfies Record<
  string,
  | { outcome: "succeeds" | "requires_action"; offSession?: "requires_action" | "declined" }
  | { outcome: "declined"; code: DeclineCode; declineCode: string }
>;

export type TestPaymentMethod = keyof typeof TEST_PAYMENT_METHODS;

/** The payment method for each contract scenario; `invalid_payment_method` is an id no provider knows. */
export const PAYMENT_METHOD_FOR_SCENARIO: Record<GatewayScenario, string> = {
  succeeds: "pm_card_visa",
  declined: "pm_card_visa_chargeDeclined",
  insufficient_funds: "pm_card_visa_chargeDeclinedInsufficientFunds",
  expired_card: "pm_card_chargeDeclinedExpiredCard",
  incorrect_cvc: "pm_card_chargeDeclinedIncorrectCvc",
  processing_error: "pm_card_chargeDeclinedProcessingError",
  requires_action: "pm_card_authenticationRequired",
  invalid_payment_method: "pm_card_does_not_exist",
};

export function isTestPaymentMethod(id: string): id is TestPaymentMethod {
  return Object.hasOwn(TEST_PAYMENT_METHODS, id);
}
