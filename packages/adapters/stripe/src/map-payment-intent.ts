import type { GatewayPayment, GatewayPaymentStatus, NextAction, PaymentFailure } from "@org/payments-core";
import type Stripe from "stripe";
import { coreDeclineCode } from "./decline-codes.js";
import { mapRefund } from "./map-refund.js";
import { idOf, savedMethodOf } from "./map-saved-method.js";
import { fromStripeAmount } from "./stripe-currencies.js";

/** Card authorizations lapse after about seven days at Stripe unless the charge says otherwise. */
const AUTHORIZATION_LIFETIME_S = 7 * 24 * 60 * 60;

function expandedCharge(pi: Stripe.PaymentIntent): Stripe.Charge | null {
  return pi.latest_charge !== null && typeof pi.latest_charge === "object" ? pi.latest_charge : null;
}

function failureOf(pi: Stripe.PaymentIntent): PaymentFailure {
  const error = pi.last_payment_error;
  if (!error) {
    // A PaymentIntent waiting for a payment method without an error was never attempted with one (made elsewhere).
    return { code: "card_declined", declineCode: "requires_payment_method", message: "No payment method was attempted" };
  }
  const stripeCode = error.decline_code ?? error.code;
  return {
    code: coreDeclineCode(error.code, error.decline_code),
    declineCode: stripeCode ?? undefined,
    message: error.message ?? "The card was declined",
  };
}

/**
 * An off-session charge the bank wants authenticated: Stripe declines it `authentication_required` (a 402 card
 * error) and leaves the PaymentIntent at `requires_payment_method`. It is not a failure of the payment: the host
 * brings the customer back, and Stripe.js confirms this same PaymentIntent on session with its client secret.
 */
export function needsCustomerAuthentication(pi: Stripe.PaymentIntent): boolean {
  return pi.status === "requires_payment_method" && pi.last_payment_error?.code === "authentication_required";
}

function statusOf(pi: Stripe.PaymentIntent): GatewayPaymentStatus {
  if (needsCustomerAuthentication(pi)) return "requires_action";
  switch (pi.status) {
    case "requires_action":
      return "requires_action";
    case "processing":
      return "processing";
    // Confirmed by the customer (3-D Secure done) but not yet by the server: resumePayment confirms it.
    case "requires_confirmation":
      return "processing";
    case "requires_capture":
      return "authorized";
    case "succeeded":
      return "succeeded";
    case "canceled":
      return "canceled";
    case "requires_payment_method":
      return "failed";
    default:
      // A status newer than this adapter: not final, so the core keeps asking rather than settling wrongly.
      return "processing";
  }
}

function nextActionOf(pi: Stripe.PaymentIntent): NextAction | null {
  const clientSecret = pi.client_secret ?? undefined;
  if (needsCustomerAuthentication(pi)) return { type: "use_sdk", clientSecret };
  if (pi.status !== "requires_action") return null;
  const redirect = pi.next_action?.redirect_to_url;
  if (pi.next_action?.type === "redirect_to_url" && redirect?.url) {
    return { type: "redirect", url: redirect.url, clientSecret };
  }
  return { type: "use_sdk", clientSecret };
}

export interface MapPaymentIntentOptions {
  provider: string;
  /** The PaymentIntent's refunds, when they were listed; otherwise the expanded charge's total is used. */
  refunds?: Stripe.Refund[] | undefined;
}

/** A Stripe PaymentIntent (ideally with `latest_charge` expanded) as the core's GatewayPayment, in ISO minor units. */
export function mapPaymentIntent(pi: Stripe.PaymentIntent, options: MapPaymentIntentOptions): GatewayPayment {
  const currency = pi.currency.toUpperCase();
  const charge = expandedCharge(pi);
  const status = statusOf(pi);
  const refunds = options.refunds?.map(mapRefund);
  // Only refunds that succeeded: Stripe's charge.amount_refunded also counts pending ones, which the core holds as
  // reservations until they settle; counting them as refunded too would make reconcile book them twice.
  let amountRefunded = 0;
  if (refunds) {
    amountRefunded = refunds.filter((r) => r.status === "succeeded").reduce((sum, r) => sum + r.amount, 0);
  } else if (charge) {
    amountRefunded = fromStripeAmount(charge.amount_refunded, currency);
  }
  const captureBefore = charge?.payment_method_details?.card?.capture_before;
  const payment: GatewayPayment = {
    provider: options.provider,
    providerPaymentId: pi.id,
    paymentId: pi.metadata?.payment_id ?? null,
    status,
    amount: fromStripeAmount(pi.amount, currency),
    currency,
    amountCapturable: fromStripeAmount(pi.amount_capturable, currency),
    amountCaptured: fromStripeAmount(pi.amount_received, currency),
    amountRefunded,
    nextAction: nextActionOf(pi),
    // Failed, or an off-session charge waiting for the customer to authenticate: why, in the decline vocabulary.
    failure: status === "failed" || needsCustomerAuthentication(pi) ? failureOf(pi) : null,
    authorizationExpiresAt:
      status === "authorized"
        ? new Date(((captureBefore ?? 0) > 0 ? (captureBefore as number) : pi.created + AUTHORIZATION_LIFETIME_S) * 1000).toISOString()
        : null,
    paymentMethodType: charge?.payment_method_details?.type ?? pi.payment_method_types[0] ?? null,
    createdAt: new Date(pi.created * 1000).toISOString(),
    // Stripe's reason (`requested_by_customer`, `abandoned`, `automatic` when an authorization lapsed, …), kept so an
    // operator can tell a cancel of ours from one Stripe made.
    cancellationReason: pi.cancellation_reason ?? null,
  };
  if (refunds) payment.refunds = refunds;
  // Saved with the payment (`setup_future_usage`): once the money was authorized Stripe has attached the method to
  // the customer; the expanded PaymentMethod says what it is.
  const saved = pi.setup_future_usage !== null && (status === "succeeded" || status === "authorized") ? savedMethodOf(pi.payment_method) : null;
  if (saved) payment.savedMethod = saved;
  const customer = idOf(pi.customer);
  if (customer !== null) payment.providerCustomerId = customer;
  return payment;
}
