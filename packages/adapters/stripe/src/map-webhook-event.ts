import type { GatewayWebhookEvent } from "@org/payments-core";
import type Stripe from "stripe";
import { disputeSubject, mapDispute } from "./map-dispute.js";
import { mapPaymentIntent } from "./map-payment-intent.js";
import { mapRefund } from "./map-refund.js";

const PAYMENT_EVENTS = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
  "payment_intent.amount_capturable_updated",
  "payment_intent.requires_action",
  "payment_intent.processing",
]);
const REFUND_EVENTS = new Set(["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"]);
/** Every dispute event stripe-node 23 types (API 2026-10-28.endive). */
const DISPUTE_EVENTS = new Set([
  "charge.dispute.created",
  "charge.dispute.updated",
  "charge.dispute.closed",
  "charge.dispute.funds_withdrawn",
  "charge.dispute.funds_reinstated",
]);

/**
 * The reads a webhook may need: Stripe never expands references in an event's object, so what it leaves out (the
 * charge's `capture_before`, the PaymentIntent carrying our payment id) is fetched.
 */
export interface WebhookLookups {
  charge(id: string): Promise<Stripe.Charge>;
  paymentIntent(id: string): Promise<Stripe.PaymentIntent>;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === "string" ? value : value.id;
}

async function paymentIdOf(paymentIntentId: string | null, lookups: WebhookLookups): Promise<string | null> {
  if (paymentIntentId === null) return null;
  return (await lookups.paymentIntent(paymentIntentId)).metadata?.payment_id ?? null;
}

/**
 * An authorization's expiry is the charge's `capture_before` (4 days 18 h on some card networks, not always 7 days),
 * and events carry `latest_charge` as a bare id: for an authorized intent the charge is fetched (its
 * `capture_before` never changes). The rest of the event's intent is kept as it was when the event happened.
 */
async function withChargeForExpiry(pi: Stripe.PaymentIntent, lookups: WebhookLookups): Promise<Stripe.PaymentIntent> {
  if (pi.status !== "requires_capture" || typeof pi.latest_charge !== "string") return pi;
  return { ...pi, latest_charge: await lookups.charge(pi.latest_charge) };
}

/**
 * A verified Stripe event → the core's webhook vocabulary; event types we do not act on are `ignored`. A refund
 * event is mapped as Stripe reports it, a `failed` refund after an earlier success included (`refund.failed`,
 * `charge.refund.updated`): the core decides what a reversal means.
 */
export async function mapWebhookEvent(event: Stripe.Event, provider: string, lookups: WebhookLookups): Promise<GatewayWebhookEvent> {
  const base = { provider, eventId: event.id, type: event.type, occurredAt: new Date(event.created * 1000).toISOString() };
  const object = event.data.object as unknown as { object?: string };

  if (PAYMENT_EVENTS.has(event.type) && object.object === "payment_intent") {
    const pi = await withChargeForExpiry(object as Stripe.PaymentIntent, lookups);
    return { kind: "payment", ...base, payment: mapPaymentIntent(pi, { provider }) };
  }
  if (REFUND_EVENTS.has(event.type) && object.object === "refund") {
    const refund = object as Stripe.Refund;
    // Our refunds carry our payment id; one made in the Dashboard is matched through its PaymentIntent.
    const paymentId = refund.metadata?.payment_id ?? (await paymentIdOf(idOf(refund.payment_intent), lookups));
    return { kind: "refund", ...base, paymentId, refund: mapRefund(refund) };
  }
  if (event.type === "charge.refunded" && object.object === "charge") {
    // Since API 2022-11-15 a charge no longer embeds its refunds, so this event usually carries none; the
    // refund.created / refund.updated events that Stripe sends with it carry the refund itself.
    const charge = object as Stripe.Charge;
    const latest = [...(charge.refunds?.data ?? [])].sort((a, b) => b.created - a.created)[0];
    if (latest) {
      return { kind: "refund", ...base, paymentId: latest.metadata?.payment_id ?? charge.metadata?.payment_id ?? null, refund: mapRefund(latest) };
    }
    return { kind: "ignored", ...base };
  }
  if (DISPUTE_EVENTS.has(event.type) && object.object === "dispute") {
    // Every dispute event carries the dispute as it stands after the change (funds withdrawn or reinstated
    // included), so each is mapped the same way; the core orders them by the event's time and ignores a stale one.
    const dispute = object as Stripe.Dispute;
    const subject = await disputeSubject(dispute, lookups);
    return { kind: "dispute", ...base, ...subject, dispute: mapDispute(dispute, subject) };
  }
  return { kind: "ignored", ...base };
}
