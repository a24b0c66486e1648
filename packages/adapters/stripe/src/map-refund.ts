import type { GatewayRefund } from "@org/payments-core";
import type Stripe from "stripe";
import { fromStripeAmount } from "./stripe-currencies.js";

function idOf(value: string | { id: string } | null): string | null {
  return value === null ? null : typeof value === "string" ? value : value.id;
}

/**
 * Stripe Refund → the core's view. `requires_action` (a refund waiting on the customer's bank details) is still in
 * flight, so it reads as pending; our refund id comes back from the metadata we set when creating it.
 */
export function mapRefund(refund: Stripe.Refund): GatewayRefund {
  const currency = refund.currency.toUpperCase();
  const status: GatewayRefund["status"] =
    refund.status === "succeeded"
      ? "succeeded"
      : refund.status === "failed"
        ? "failed"
        : refund.status === "canceled"
          ? "canceled"
          : "pending";
  return {
    providerRefundId: refund.id,
    refundId: refund.metadata?.refund_id ?? null,
    providerPaymentId: idOf(refund.payment_intent) ?? idOf(refund.charge) ?? "",
    amount: fromStripeAmount(refund.amount, currency),
    currency,
    status,
    failureReason: refund.failure_reason ?? null,
    createdAt: new Date(refund.created * 1000).toISOString(),
  };
}
