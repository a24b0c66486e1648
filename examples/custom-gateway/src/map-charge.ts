import type { GatewayPayment, GatewayPaymentStatus } from "@org/payments-core";
import type { AcmeCharge } from "./acme-wire.js";
import { coreDeclineCode } from "./decline-codes.js";
import { mapRefund } from "./map-refund.js";

/** Acme's charge statuses (API.md, "Charges") in the core's vocabulary. */
const STATUS: Readonly<Record<string, GatewayPaymentStatus>> = {
  action_required: "requires_action",
  // The cardholder authenticated and the charge waits for our confirm: money is in flight, not yet decided.
  authenticated: "processing",
  authorized: "authorized",
  succeeded: "succeeded",
  declined: "failed",
  canceled: "canceled",
};

export function mapCharge(charge: AcmeCharge, provider: string): GatewayPayment {
  // A status Acme adds later is read as in flight: a webhook or a later read settles it, and nothing is guessed.
  const status = STATUS[charge.status] ?? "processing";
  return {
    provider,
    providerPaymentId: charge.id,
    paymentId: charge.reference,
    status,
    amount: charge.amount,
    currency: charge.currency,
    amountCapturable: charge.amount_capturable,
    amountCaptured: charge.amount_captured,
    amountRefunded: charge.amount_refunded,
    nextAction: charge.action ? { type: "redirect", url: charge.action.url } : null,
    failure: charge.decline
      ? // Our own message: Acme's may quote what was sent.
        { code: coreDeclineCode(charge.decline.code), declineCode: charge.decline.code, message: `Acme declined the card (${charge.decline.code})` }
      : null,
    authorizationExpiresAt: charge.authorization_expires_at,
    paymentMethodType: "card",
    refunds: charge.refunds.map(mapRefund),
    createdAt: charge.created_at,
  };
}
