import { DISPUTE_REASONS, DISPUTE_STATUSES, PaymentError, type DisputeReason, type DisputeStatus } from "@org/payments-core";

/**
 * Stripe's dispute words → the core's. The core's vocabulary is Stripe's own (domain/dispute.ts), so the seven
 * statuses and fourteen reasons it shares map to themselves; this file holds only what Stripe has beyond them.
 */

/**
 * Statuses stripe-node 23 (API 2026-10-28.endive) lists beyond the core's seven, each with the core status that says
 * the same about the money and about what the merchant must do:
 * - `prevented`: Stripe (Visa RDR, a prevention service) stopped the case before it became a chargeback. No
 *   chargeback happened and nothing more can be sent — the outcome of an inquiry closed without one.
 * - `appeal_needs_response` / `appeal_under_review`: a lost dispute being appealed (pre-arbitration): the merchant
 *   must answer again / has answered. The core's writer never reopens a final dispute, so after a recorded `lost` these
 *   reports change nothing (the money stays debited, which is what `lost` says) until Stripe reports the appeal
 *   `won` or `lost`; a dispute first heard of in appeal is recorded as needing (or awaiting) the merchant's answer.
 */
const NEAREST_STATUS: Readonly<Record<string, DisputeStatus>> = {
  prevented: "warning_closed",
  appeal_needs_response: "needs_response",
  appeal_under_review: "under_review",
};

/** The stable refusal of a status with no safe mapping (see `coreDisputeStatus`). */
export const UNKNOWN_DISPUTE_STATUS = "dispute_status_unknown";

/**
 * The core status for Stripe's. A status Stripe adds later has no safe guess (calling a chargeback closed would
 * hide money at risk; calling it open could reopen nothing but would invent a deadline), so it is refused loudly: the
 * webhook is not acknowledged (nothing reaches the inbox) and Stripe redelivers it for days, until this table
 * learns the word (listDisputes stops with the same error, so reconcile fails loudly rather than skip it). Stripe's word
 * is repeated only when it has the shape of one.
 */
export function coreDisputeStatus(status: string): DisputeStatus {
  if ((DISPUTE_STATUSES as readonly string[]).includes(status)) return status as DisputeStatus;
  const nearest = NEAREST_STATUS[status];
  if (nearest !== undefined) return nearest;
  const shown = /^[a-z_]{1,40}$/.test(status) ? status : "(unreadable)";
  throw new PaymentError("validation_error", `Stripe reported dispute status ${shown}, which this adapter cannot map yet`, {
    details: { provider: "stripe", field: "dispute.status", reason: UNKNOWN_DISPUTE_STATUS, providerStatus: shown },
  });
}

/**
 * The core reason for Stripe's. A reason the core does not share (`noncompliant`, one Stripe adds later) is
 * `general`, Stripe's own catch-all; Stripe's word stays in `providerReason`, so nothing is lost and no report is
 * refused for a label that changes no money.
 */
export function coreDisputeReason(reason: string): DisputeReason {
  return (DISPUTE_REASONS as readonly string[]).includes(reason) ? (reason as DisputeReason) : "general";
}
