import type { GatewaySavedMethod } from "@org/payments-core";
import type Stripe from "stripe";

/**
 * A saved Stripe PaymentMethod as the core's GatewaySavedMethod: its reusable `pm_…` and what a person recognises
 * the card by (brand, last four, expiry). Stripe never returns the card number to a server, and nothing else of the
 * object (billing details, fingerprint) is kept. Null when the PaymentMethod was not expanded: a bare id says
 * nothing a customer could recognise, so the caller expands it.
 */
export function savedMethodOf(method: string | Stripe.PaymentMethod | null | undefined): GatewaySavedMethod | null {
  if (method === null || method === undefined || typeof method === "string") return null;
  const card = method.card ?? null;
  return {
    providerPaymentMethodId: method.id,
    type: method.type,
    brand: card?.brand ?? null,
    last4: card?.last4 ?? null,
    expMonth: card?.exp_month ?? null,
    expYear: card?.exp_year ?? null,
  };
}

/** The id of a Stripe field that is an id or, expanded, its object. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.id;
}
