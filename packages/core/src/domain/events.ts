import type { DisputeSnapshot } from "./dispute.js";
import type { EventFailureReason } from "./event-failure-reason.js";
import type { Payment, Refund } from "./payment.js";

export const PAYMENT_EVENT_TYPES = [
  "payment.created",
  "payment.processing",
  "payment.confirmation_refused",
  "payment.requires_action",
  "payment.authorized",
  "payment.succeeded",
  "payment.failed",
  "payment.canceled",
  "payment.refunded",
  "payment.corrected",
  "payment.disputed",
  "payment.updated",
  "refund.created",
  "refund.failed",
  "dispute.updated",
  "dispute.closed",
] as const;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

/** Version of the event payload shape; bumped on any incompatible change to `data`. */
export const EVENT_SCHEMA_VERSION = 1;

export interface PaymentEventData {
  payment: PaymentSnapshot;
  refund?: RefundSnapshot | undefined;
  /** The dispute (`payment.disputed`, `dispute.updated`, `dispute.closed`). */
  dispute?: DisputeSnapshot | undefined;
  /** The dispute's status before this change (`dispute.updated`, `dispute.closed`). */
  previousDisputeStatus?: DisputeSnapshot["status"] | undefined;
  previousStatus?: string | undefined;
  /** The names of the fields an update changed (`payment.updated`), never their values. */
  changedFields?: string[] | undefined;
  /**
   * Why: the provider refused the request (`payment.confirmation_refused`), the payment failed (`payment.failed`:
   * code, the provider's decline code, safe message) or the refund failed (`refund.failed`).
   */
  error?: EventFailureReason | undefined;
}

/** The fields of a payment that events carry: enough to act on, never card data. */
export interface PaymentSnapshot {
  id: string;
  owner: string;
  status: Payment["status"];
  amount: number;
  currency: string;
  provider: string;
  providerPaymentId: string | null;
  amountCaptured: number;
  amountRefunded: number;
  references: Record<string, string>;
  version: number;
}

export type RefundSnapshot = Pick<Refund, "id" | "amount" | "currency" | "status" | "reason" | "providerRefundId">;

export interface PaymentEvent {
  id: string;
  type: PaymentEventType;
  schemaVersion: number;
  paymentId: string;
  occurredAt: string;
  data: PaymentEventData;
}

export function snapshotPayment(payment: Payment): PaymentSnapshot {
  return {
    id: payment.id,
    owner: payment.owner,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    amountCaptured: payment.amountCaptured,
    amountRefunded: payment.amountRefunded,
    references: payment.references,
    version: payment.version,
  };
}

export function snapshotRefund(refund: Refund): RefundSnapshot {
  return {
    id: refund.id,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    providerRefundId: refund.providerRefundId,
  };
}
