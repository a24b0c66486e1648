import type { GatewayPayment, GatewayPaymentStatus, GatewayRefund, PaymentFailure } from "@org/payments-core";
import type { LinkDescription, Money, Order, OrdersCapture, AuthorizationWithAdditionalData, Refund } from "@paypal/paypal-server-sdk";
import { declineCodeForProcessorResponse } from "./decline-codes.js";
import { fromPayPalValue } from "./paypal-currencies.js";

const SETTLED_CAPTURES = new Set(["COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"]);

export function minor(money: Money | undefined, fallbackCurrency: string): number {
  if (!money) return 0;
  return fromPayPalValue(money.value, money.currencyCode || fallbackCurrency);
}

/** Where the buyer is sent for an order: PayPal's web checkout, by environment. */
export interface OrderLinks {
  /** `https://www.paypal.com` or `https://www.sandbox.paypal.com`. */
  checkoutOrigin: string;
}

/**
 * The page that puts the buyer back in front of this order: its `payer-action` link (what PayPal lists when a
 * payer action is due, or when an experience context was sent), else its `approve` link. An APPROVED order lists
 * neither, yet PayPal's recovery from INSTRUMENT_DECLINED is to send the buyer back to the same order to choose
 * another funding source; its approve link has always been the checkout page with the order id as token, so that
 * page is given.
 */
export function buyerActionUrl(order: Order, links: OrderLinks, extra: Array<{ rel: string; href: string }> = []): string | undefined {
  const all = [...extra, ...(order.links ?? [])];
  const found = all.find((l) => l.rel === "payer-action")?.href ?? all.find((l) => l.rel === "approve")?.href;
  if (found) return found;
  return order.id ? `${links.checkoutOrigin}/checkoutnow?token=${encodeURIComponent(order.id)}` : undefined;
}

/**
 * An Order (with its purchase unit's captures, authorizations and refunds) as the core's GatewayPayment. Amounts are
 * summed per kind: captured = settled captures; refunded = completed refunds; capturable = what an open
 * authorization still covers. We always send one purchase unit, so the first one is the payment.
 */
export function mapOrder(order: Order, provider: string, links: OrderLinks): GatewayPayment {
  const unit = order.purchaseUnits?.[0];
  const currency = unit?.amount?.currencyCode ?? "";
  const amount = minor(unit?.amount, currency);
  const captures = unit?.payments?.captures ?? [];
  const authorizations = unit?.payments?.authorizations ?? [];
  const refunds = unit?.payments?.refunds ?? [];
  const amountCaptured = captures
    .filter((c) => SETTLED_CAPTURES.has(c.status ?? ""))
    .reduce((sum, c) => sum + minor(c.amount, currency), 0);
  const amountRefunded = refunds
    .filter((r) => r.status === "COMPLETED")
    .reduce((sum, r) => sum + minor(r.amount, currency), 0);
  const openAuthorization = authorizations.find((a) => a.status === "CREATED" || a.status === "PARTIALLY_CAPTURED");
  const amountCapturable = openAuthorization
    ? Math.max(0, minor(openAuthorization.amount, currency) - amountCaptured)
    : 0;
  const { status, failure } = orderStatus(order, captures, authorizations);
  const link = status === "requires_action" ? buyerActionUrl(order, links) : undefined;
  // A capture PayPal holds (an eCheck, a review) says why; it settles by webhook or on a later retrieve.
  const pending = status === "processing" ? captures.find((c) => c.status === "PENDING") ?? authorizations.find((a) => a.status === "PENDING") : undefined;
  return {
    provider,
    providerPaymentId: order.id ?? "",
    paymentId: unit?.customId ?? null,
    status,
    amount,
    currency,
    amountCapturable: status === "authorized" ? amountCapturable : 0,
    amountCaptured,
    amountRefunded,
    nextAction: status === "requires_action" && link ? { type: "redirect", url: link } : null,
    failure: failure ?? null,
    authorizationExpiresAt: openAuthorization?.expirationTime ?? null,
    paymentMethodType: "paypal",
    refunds: refunds.map((refund) => mapRefund(refund, order.id ?? "", currency)),
    createdAt: order.createTime,
    pendingReason: pending?.statusDetails?.reason ?? null,
  };
}

function orderStatus(
  order: Order,
  captures: OrdersCapture[],
  authorizations: AuthorizationWithAdditionalData[],
): { status: GatewayPaymentStatus; failure?: PaymentFailure } {
  switch (order.status) {
    case "CREATED":
    case "SAVED":
    case "PAYER_ACTION_REQUIRED":
    // Approved by the buyer but not yet captured/authorized by us: the core resumes it.
    case "APPROVED":
      return { status: "requires_action" };
    case "VOIDED":
      return { status: "canceled" };
    default:
      break;
  }
  if (captures.some((c) => SETTLED_CAPTURES.has(c.status ?? ""))) return { status: "succeeded" };
  if (captures.some((c) => c.status === "PENDING")) return { status: "processing" };
  const declinedCapture = captures.find((c) => c.status === "DECLINED" || c.status === "FAILED");
  if (declinedCapture) return { status: "failed", failure: failureFrom(declinedCapture.processorResponse?.responseCode, declinedCapture.status) };
  const authorization = authorizations[authorizations.length - 1];
  if (authorization) {
    switch (authorization.status) {
      case "CREATED":
      case "PARTIALLY_CAPTURED":
        return { status: "authorized" };
      case "CAPTURED":
        return { status: "succeeded" };
      case "VOIDED":
        return { status: "canceled" };
      case "PENDING":
        return { status: "processing" };
      case "DENIED":
        return { status: "failed", failure: failureFrom(authorization.processorResponse?.responseCode, "DENIED") };
      default:
        break;
    }
  }
  // COMPLETED with nothing attached should not happen; "processing" keeps the core from concluding anything.
  return { status: "processing" };
}

export function failureFrom(responseCode: string | undefined, status: string | undefined): PaymentFailure {
  const code = declineCodeForProcessorResponse(responseCode);
  return {
    code,
    declineCode: responseCode && responseCode !== "0000" ? responseCode : (status ?? "DECLINED"),
    message: `PayPal ${status === "DENIED" ? "denied the authorization" : "declined the capture"}${responseCode ? ` (processor response ${responseCode})` : ""}`,
  };
}

const REFUND_STATUS: Readonly<Record<string, GatewayRefund["status"]>> = {
  COMPLETED: "succeeded",
  PENDING: "pending",
  FAILED: "failed",
  CANCELLED: "canceled",
};

/** Our refund id travels in the refund's custom_id. */
export function mapRefund(refund: Refund, providerPaymentId: string, currency: string): GatewayRefund {
  return {
    providerRefundId: refund.id ?? "",
    refundId: refund.customId ?? null,
    providerPaymentId,
    amount: minor(refund.amount, currency),
    currency: refund.amount?.currencyCode ?? currency,
    status: REFUND_STATUS[refund.status ?? ""] ?? "pending",
    failureReason: refund.statusDetails?.reason ?? null,
    createdAt: refund.createTime,
  };
}

/** The capture a refund belongs to, from its `up` link (PayPal puts no capture id field on a refund). */
export function refundCaptureId(refund: Refund): string | undefined {
  const up = refund.links?.find((link) => link.rel === "up")?.href;
  return up ? /\/captures\/([^/?]+)/.exec(up)?.[1] : undefined;
}
