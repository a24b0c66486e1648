import type { GatewayPayment, GatewayWebhookEvent } from "@org/payments-core";
import type { CapturedPayment, Order, PaymentAuthorization, Refund } from "@paypal/paypal-server-sdk";
import { camelize } from "../camelize.js";
import type { CaptureLookup } from "../capture-lookup.js";
import { mapDispute, type PayPalDisputeResource } from "../disputes/map-dispute.js";
import { failureFrom, mapOrder, mapRefund, minor, refundCaptureId, type OrderLinks } from "../map-order.js";

export type { CaptureLookup } from "../capture-lookup.js";

interface PayPalEvent {
  id?: unknown;
  event_type?: unknown;
  create_time?: unknown;
  resource?: unknown;
}

/**
 * A verified PayPal event → the core's event. Captures, authorizations and orders become `payment`; refunds and
 * reversals `refund`; CUSTOMER.DISPUTE.* `dispute`; everything else `ignored` (acknowledged, nothing to do).
 */
export async function mapWebhookEvent(
  event: PayPalEvent,
  provider: string,
  lookupCapture: CaptureLookup,
  links: OrderLinks,
): Promise<GatewayWebhookEvent> {
  const base = {
    provider,
    eventId: String(event.id ?? ""),
    type: String(event.event_type ?? ""),
    occurredAt: typeof event.create_time === "string" ? event.create_time : new Date(0).toISOString(),
  };
  const resource = (event.resource ?? {}) as Record<string, unknown>;
  switch (base.type) {
    case "CHECKOUT.ORDER.APPROVED":
    case "CHECKOUT.ORDER.COMPLETED":
      return { kind: "payment", ...base, payment: mapOrder(camelize<Order>(resource), provider, links) };
    case "PAYMENT.CAPTURE.COMPLETED":
    case "PAYMENT.CAPTURE.PENDING":
    case "PAYMENT.CAPTURE.DENIED":
    case "PAYMENT.CAPTURE.DECLINED":
      return { kind: "payment", ...base, payment: paymentFromCapture(camelize<CapturedPayment>(resource), provider) };
    case "PAYMENT.AUTHORIZATION.CREATED":
    case "PAYMENT.AUTHORIZATION.VOIDED":
      return { kind: "payment", ...base, payment: paymentFromAuthorization(camelize<PaymentAuthorization>(resource), provider) };
    case "PAYMENT.CAPTURE.REFUNDED":
    case "PAYMENT.CAPTURE.REVERSED": {
      const refund = camelize<Refund>(resource);
      const captureId = refundCaptureId(refund);
      const owner = (captureId ? await lookupCapture(captureId) : null) ?? { orderId: null, paymentId: null };
      const currency = refund.amount?.currencyCode ?? "";
      const mapped = mapRefund(refund, owner.orderId ?? captureId ?? "", currency);
      // A reversal is PayPal's doing (a chargeback settled, a fraud hold): there is no refund id of ours on it.
      if (base.type === "PAYMENT.CAPTURE.REVERSED") mapped.refundId = null;
      return { kind: "refund", ...base, paymentId: owner.paymentId, refund: mapped };
    }
    default:
      break;
  }
  if (base.type.startsWith("CUSTOMER.DISPUTE.")) {
    const dispute = await mapDispute(resource as PayPalDisputeResource, lookupCapture, base.occurredAt);
    return { kind: "dispute", ...base, paymentId: dispute.paymentId, providerPaymentId: dispute.providerPaymentId, dispute };
  }
  return { kind: "ignored", ...base };
}

function paymentFromCapture(capture: CapturedPayment, provider: string): GatewayPayment {
  const currency = capture.amount?.currencyCode ?? "";
  const amount = minor(capture.amount, currency);
  // Webhook resources are not validated by the SDK, so the status is read as any string (DENIED included).
  const status: string = capture.status ?? "";
  const succeeded = status === "COMPLETED" || status === "PARTIALLY_REFUNDED" || status === "REFUNDED";
  const failed = status === "DECLINED" || status === "FAILED" || status === "DENIED";
  return {
    provider,
    providerPaymentId: capture.supplementaryData?.relatedIds?.orderId ?? capture.id ?? "",
    paymentId: capture.customId ?? null,
    status: succeeded ? "succeeded" : failed ? "failed" : "processing",
    pendingReason: !succeeded && !failed ? (capture.statusDetails?.reason ?? null) : null,
    amount,
    currency,
    amountCapturable: 0,
    amountCaptured: succeeded ? amount : 0,
    amountRefunded: 0,
    failure: failed ? failureFrom(capture.processorResponse?.responseCode, status) : null,
    paymentMethodType: "paypal",
    createdAt: capture.createTime,
  };
}

function paymentFromAuthorization(authorization: PaymentAuthorization, provider: string): GatewayPayment {
  const currency = authorization.amount?.currencyCode ?? "";
  const amount = minor(authorization.amount, currency);
  const voided = authorization.status === "VOIDED";
  return {
    provider,
    providerPaymentId: authorization.supplementaryData?.relatedIds?.orderId ?? authorization.id ?? "",
    paymentId: authorization.customId ?? null,
    status: voided ? "canceled" : "authorized",
    amount,
    currency,
    amountCapturable: voided ? 0 : amount,
    amountCaptured: 0,
    amountRefunded: 0,
    authorizationExpiresAt: authorization.expirationTime ?? null,
    paymentMethodType: "paypal",
    createdAt: authorization.createTime,
  };
}
