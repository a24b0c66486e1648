import type { GatewayWebhookEvent } from "@org/payments-core";
import type Stripe from "stripe";
import { mapPaymentIntent } from "./map-payment-intent.js";
import { mapRefund } from "./map-refund.js";
import { fromStripeAmount } from "./stripe-currencies.js";

const PAYMENT_EVENTS = new Set([
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.canceled",
  "payment_intent.amount_capturable_updated",
  "payment_intent.requires_action",
  "payment_intent.processing",
]);
const REFUND_EVENTS = new Set(["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"]);

function idOf(value: string | { id: string } | null | undefined): string | null {
  return value === null || value === undefined ? null : typeof value === "string" ? value : value.id;
}

/** A verified Stripe event → the core's webhook vocabulary; event types we do not act on are `ignored`. */
export function mapWebhookEvent(event: Stripe.Event, provider: string): GatewayWebhookEvent {
  const base = { provider, eventId: event.id, type: event.type, occurredAt: new Date(event.created * 1000).toISOString() };
  const object = event.data.object as unknown as { object?: string };

  if (PAYMENT_EVENTS.has(event.type) && object.object === "payment_intent") {
    return { kind: "payment", ...base, payment: mapPaymentIntent(object as Stripe.PaymentIntent, { provider }) };
  }
  if (REFUND_EVENTS.has(event.type) && object.object === "refund") {
    const refund = object as Stripe.Refund;
    return { kind: "refund", ...base, paymentId: refund.metadata?.payment_id ?? null, refund: mapRefund(refund) };
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
  if (event.type.startsWith("charge.dispute.") && object.object === "dispute") {
    const dispute = object as Stripe.Dispute;
    return {
      kind: "dispute",
      ...base,
      paymentId: dispute.metadata?.payment_id ?? null,
      providerPaymentId: idOf(dispute.payment_intent),
      dispute: {
        id: dispute.id,
        status: dispute.status,
        reason: dispute.reason,
        amount: fromStripeAmount(dispute.amount, dispute.currency),
      },
    };
  }
  return { kind: "ignored", ...base };
}
