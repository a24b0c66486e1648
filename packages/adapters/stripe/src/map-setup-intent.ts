import type { GatewaySetup, NextAction, PaymentFailure } from "@org/payments-core";
import type Stripe from "stripe";
import { coreDeclineCode } from "./decline-codes.js";
import { idOf, savedMethodOf } from "./map-saved-method.js";

/** Why a SetupIntent back at `requires_payment_method` failed: its `last_setup_error`, through the decline mapping. */
function failureOf(si: Stripe.SetupIntent): PaymentFailure {
  const error = si.last_setup_error;
  if (si.status === "canceled") {
    return { code: "card_declined", declineCode: si.cancellation_reason ?? "canceled", message: "The setup was canceled" };
  }
  if (!error) return { code: "card_declined", declineCode: "requires_payment_method", message: "No payment method was attempted" };
  const stripeCode = error.decline_code ?? error.code;
  return {
    code: coreDeclineCode(error.code, error.decline_code),
    declineCode: stripeCode ?? undefined,
    message: error.message ?? "The bank refused to save this payment method",
  };
}

/** The customer's step, as for a PaymentIntent: a redirect when Stripe gives a URL, Stripe.js with the client secret otherwise. */
function nextActionOf(si: Stripe.SetupIntent): NextAction {
  const clientSecret = si.client_secret ?? undefined;
  const redirect = si.next_action?.redirect_to_url;
  if (si.next_action?.type === "redirect_to_url" && redirect?.url) return { type: "redirect", url: redirect.url, clientSecret };
  return { type: "use_sdk", clientSecret };
}

/**
 * A Stripe SetupIntent (its `payment_method` expanded) as the core's GatewaySetup:
 * - succeeded → succeeded, with the saved method read from the expanded PaymentMethod;
 * - requires_action → requires_action, with the step the customer must take;
 * - processing, and requires_confirmation (authenticated, waiting for the server's confirm) → processing: not final,
 *   `resumeSetup` confirms the latter;
 * - requires_payment_method (a failed attempt) and canceled → failed, `last_setup_error` through the decline mapping;
 * - a status newer than this adapter → processing, so the core asks again rather than settle it wrongly.
 * `providerCustomerId` is the SetupIntent's customer, or the one the request used when Stripe's answer omits it.
 */
export function mapSetupIntent(si: Stripe.SetupIntent, providerCustomerId: string): GatewaySetup {
  const customer = idOf(si.customer) ?? providerCustomerId;
  const base = { providerSetupId: si.id, providerCustomerId: customer };
  switch (si.status) {
    case "succeeded": {
      const method = savedMethodOf(si.payment_method);
      return { ...base, status: "succeeded", method };
    }
    case "requires_action":
      return { ...base, status: "requires_action", nextAction: nextActionOf(si) };
    case "requires_payment_method":
    case "canceled":
      return { ...base, status: "failed", failure: failureOf(si) };
    default:
      return { ...base, status: "processing" };
  }
}
