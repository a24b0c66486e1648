import { isClosedDisputeStatus, type GatewayDispute } from "@org/payments-core";
import type Stripe from "stripe";
import { coreDisputeReason, coreDisputeStatus } from "./dispute-vocabulary.js";
import { fromStripeAmount } from "./stripe-currencies.js";

/** Whose dispute it is: the PaymentIntent it is about and our payment id on it, as the caller found them. */
export interface DisputeSubject {
  providerPaymentId: string | null;
  paymentId: string | null;
}

/** The reads finding a dispute's subject may need (the webhook's lookups; reconcile expands instead). */
export interface DisputeSubjectLookups {
  charge(id: string): Promise<Stripe.Charge>;
  paymentIntent(id: string): Promise<Stripe.PaymentIntent>;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === "string" ? value : value.id;
}

const isoOfSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * A dispute names its charge and, usually, its PaymentIntent; our payment id is in the intent's metadata, never the
 * dispute's (ours do not set any; a dispute's own `metadata.payment_id` is taken when someone set it). What is
 * expanded (`payment_intent` in a list with `expand`) is read in place; a bare id is fetched. A dispute naming only
 * a charge (one made without a PaymentIntent, or an older API's) goes through the charge to its intent.
 */
export async function disputeSubject(dispute: Stripe.Dispute, lookups: DisputeSubjectLookups): Promise<DisputeSubject> {
  let intent: Stripe.PaymentIntent | string | null = dispute.payment_intent;
  if (intent === null) {
    const charge = typeof dispute.charge === "string" ? await lookups.charge(dispute.charge) : dispute.charge;
    intent = charge.payment_intent;
  }
  const providerPaymentId = idOf(intent);
  const own = dispute.metadata?.payment_id;
  if (own) return { providerPaymentId, paymentId: own };
  if (intent === null) return { providerPaymentId, paymentId: null };
  const pi = typeof intent === "string" ? await lookups.paymentIntent(intent) : intent;
  return { providerPaymentId, paymentId: pi.metadata?.payment_id ?? null };
}

/**
 * The deadline for evidence, or null when there is none to meet: Stripe sends null, or 0 when the issuer takes no
 * response, and a closed dispute takes no more evidence whatever its old deadline said. `has_evidence` (evidence
 * staged) and `past_due` (the last submission was late) say nothing about whether more is accepted, so they are
 * not read.
 */
function evidenceDueBy(dispute: Stripe.Dispute, closed: boolean): string | null {
  const dueBy = dispute.evidence_details?.due_by ?? null;
  if (closed || dueBy === null || dueBy <= 0) return null;
  return isoOfSeconds(dueBy);
}

/**
 * A Stripe Dispute (its current state: events carry the whole object) → the core's view. Amounts are Stripe's
 * units converted to ISO minor units with the currency's exponent, as every other amount the adapter reads. Stripe
 * keeps no update time on a dispute, so `updatedAt` is left out: the core takes the event's time, or the time it
 * read the list.
 */
export function mapDispute(dispute: Stripe.Dispute, subject: DisputeSubject): GatewayDispute {
  const currency = dispute.currency.toUpperCase();
  const status = coreDisputeStatus(dispute.status);
  return {
    providerDisputeId: dispute.id,
    providerPaymentId: subject.providerPaymentId,
    paymentId: subject.paymentId,
    status,
    providerStatus: dispute.status,
    reason: coreDisputeReason(dispute.reason),
    providerReason: dispute.reason,
    amount: fromStripeAmount(dispute.amount, currency),
    currency,
    evidenceDueBy: evidenceDueBy(dispute, isClosedDisputeStatus(status)),
    openedAt: isoOfSeconds(dispute.created),
  };
}
