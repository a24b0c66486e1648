/**
 * A dispute (chargeback, or an inquiry that may become one) a provider opened against a payment: its own record
 * beside the payment, with the status the provider moves it through. The payment's status never changes because of
 * a dispute — the money is the provider's to move (a lost dispute debits the balance; a won one returns it) — so a
 * dispute flags the payment (`disputed`) and keeps its own lifecycle here.
 */

/**
 * The statuses, in Stripe's vocabulary (PayPal's are mapped onto them by its adapter). `warning_*` are inquiries:
 * the bank asks before it charges back, and no money has moved yet.
 */
export const DISPUTE_STATUSES = [
  "warning_needs_response",
  "warning_under_review",
  "warning_closed",
  "needs_response",
  "under_review",
  "won",
  "lost",
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** A dispute in one of these is over: nothing the merchant sends changes it. */
export const CLOSED_DISPUTE_STATUSES: readonly DisputeStatus[] = ["warning_closed", "won", "lost"];

export function isClosedDisputeStatus(status: DisputeStatus): boolean {
  return CLOSED_DISPUTE_STATUSES.includes(status);
}

/**
 * Why the customer disputed, in Stripe's vocabulary (PayPal's reasons map onto them); the provider's own word is
 * kept as `providerReason`.
 */
export const DISPUTE_REASONS = [
  "bank_cannot_process",
  "check_returned",
  "credit_not_processed",
  "customer_initiated",
  "debit_not_authorized",
  "duplicate",
  "fraudulent",
  "general",
  "incorrect_account_details",
  "insufficient_funds",
  "product_not_received",
  "product_unacceptable",
  "subscription_canceled",
  "unrecognized",
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/** One step of a dispute's lifecycle as the provider reported it. */
export interface DisputeStatusChange {
  status: DisputeStatus;
  /** The provider's own status word (`needs_response`, PayPal's `WAITING_FOR_SELLER_RESPONSE`). */
  providerStatus: string;
  /** When the provider reported it (its event's time), ISO 8601. */
  at: string;
}

export interface Dispute {
  /** Ours: `dp_…`. */
  id: string;
  paymentId: string;
  provider: string;
  /** The provider's id (`dp_…` on Stripe, `PP-D-…` on PayPal); unique per provider. */
  providerDisputeId: string;
  providerPaymentId: string | null;
  /** Disputed amount in minor units of `currency` (may be less than the payment: a partial dispute). */
  amount: number;
  currency: string;
  status: DisputeStatus;
  reason: DisputeReason;
  /** The provider's reason word, as it sent it. */
  providerReason: string;
  /** The last moment the provider accepts evidence; null once it no longer does, or if it never said. */
  evidenceDueBy: string | null;
  /** Every status the dispute was reported in, oldest first; the last is `status`. */
  statusHistory: DisputeStatusChange[];
  /** When the provider opened it (or, if it did not say, when we first heard of it). */
  openedAt: string;
  /** When its status became a closed one, else null. */
  closedAt: string | null;
  /**
   * The provider's time of the last report applied (its event's time, or the dispute's own update time): a report
   * older than this is stale, whatever it changes — a deadline-only update moves it as a status change does.
   */
  reportedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every stored change increments it by one. */
  version: number;
}

/** The fields of a dispute that events carry. */
export type DisputeSnapshot = Pick<
  Dispute,
  "id" | "providerDisputeId" | "amount" | "currency" | "status" | "reason" | "providerReason" | "evidenceDueBy" | "openedAt" | "closedAt"
>;

export function snapshotDispute(dispute: Dispute): DisputeSnapshot {
  return {
    id: dispute.id,
    providerDisputeId: dispute.providerDisputeId,
    amount: dispute.amount,
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    providerReason: dispute.providerReason,
    evidenceDueBy: dispute.evidenceDueBy,
    openedAt: dispute.openedAt,
    closedAt: dispute.closedAt,
  };
}
