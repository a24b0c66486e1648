import type { DisputeStatus } from "@org/payments-core";

/**
 * PayPal's dispute status, life-cycle stage and outcome → the core's status (Stripe's vocabulary).
 * developer.paypal.com/api/customer-disputes/v1/ (dispute `status`, `dispute_life_cycle_stage`, `dispute_outcome`).
 *
 * The stage decides between a dispute and a `warning_*` one: at INQUIRY the buyer and seller talk without PayPal and
 * no money has moved (Stripe's inquiry); CHARGEBACK, PRE_ARBITRATION and ARBITRATION are claims PayPal decides, with
 * the money held, so they are disputes proper. An inquiry escalated to a claim moves from `warning_*` to the
 * dispute statuses, which the core accepts as a forward move.
 */
export interface PayPalDisputeState {
  status: string;
  stage: string | undefined;
  outcome: string | undefined;
}

/** Outcomes that leave the seller the money: PayPal decided for the seller, the buyer withdrew, the claim was denied. */
const SELLER_KEEPS = new Set(["RESOLVED_SELLER_FAVOUR", "CANCELED_BY_BUYER", "DENIED"]);
/** Outcomes that give the buyer the money: decided for the buyer, paid out by PayPal, or the seller accepted the claim. */
const BUYER_GETS = new Set(["RESOLVED_BUYER_FAVOUR", "RESOLVED_WITH_PAYOUT", "ACCEPTED"]);

export function disputeStatusOf({ status, stage, outcome }: PayPalDisputeState): DisputeStatus {
  const inquiry = stage === "INQUIRY";
  switch (status) {
    case "OPEN":
    case "WAITING_FOR_SELLER_RESPONSE":
      return inquiry ? "warning_needs_response" : "needs_response";
    case "WAITING_FOR_BUYER_RESPONSE":
    case "UNDER_REVIEW":
      return inquiry ? "warning_under_review" : "under_review";
    case "RESOLVED":
      // Resolved while still an inquiry: it never became a chargeback, whatever the buyer and seller agreed (a
      // refund the seller made is one of the payment's own refunds, not a dispute's loss).
      if (inquiry) return "warning_closed";
      if (outcome !== undefined && SELLER_KEEPS.has(outcome)) return "won";
      if (outcome !== undefined && BUYER_GETS.has(outcome)) return "lost";
      // RESOLVED without an outcome we know (NONE, or none given): we do not invent who won. It stays open as under
      // review, so reconciliation keeps showing it and a later report with the outcome closes it.
      return "under_review";
    default:
      // OTHER (and any status PayPal adds): the adapter always read an unknown status as "PayPal is looking at it",
      // and keeps doing so; PayPal's own word is kept as providerStatus.
      return inquiry ? "warning_under_review" : "under_review";
  }
}
