import type { GatewayRefund } from "@org/payments-core";
import type { AcmeRefund } from "./acme-wire.js";

export function mapRefund(refund: AcmeRefund): GatewayRefund {
  return {
    providerRefundId: refund.id,
    refundId: refund.reference,
    providerPaymentId: refund.charge_id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    failureReason: refund.failure_reason,
    createdAt: refund.created_at,
  };
}
