import type { DisputeReason } from "@org/payments-core";

/**
 * PayPal's dispute `reason` → the core's reason (Stripe's list). PayPal's word is kept as providerReason; a reason
 * PayPal adds later, and OTHER, are `general`.
 * developer.paypal.com/api/customer-disputes/v1/ (dispute `reason` enum).
 */
const REASONS: Readonly<Record<string, DisputeReason>> = {
  MERCHANDISE_OR_SERVICE_NOT_RECEIVED: "product_not_received",
  MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED: "product_unacceptable",
  UNAUTHORISED: "fraudulent",
  CREDIT_NOT_PROCESSED: "credit_not_processed",
  DUPLICATE_TRANSACTION: "duplicate",
  // Charged a different amount than agreed: Stripe has no closer reason than general.
  INCORRECT_AMOUNT: "general",
  // The buyer says they paid by other means: charged twice for the same purchase, which is Stripe's duplicate.
  PAYMENT_BY_OTHER_MEANS: "duplicate",
  CANCELED_RECURRING_BILLING: "subscription_canceled",
  PROBLEM_WITH_REMITTANCE: "general",
  OTHER: "general",
};

export function disputeReasonOf(reason: string): DisputeReason {
  return Object.hasOwn(REASONS, reason) ? REASONS[reason]! : "general";
}
