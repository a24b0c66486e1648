/** The payment record and its satellites, as every port and front end sees them. Timestamps are ISO-8601 UTC. */

export const PAYMENT_STATUSES = [
  "pending",
  "processing",
  "requires_action",
  "authorized",
  "succeeded",
  "partially_refunded",
  "refunded",
  "failed",
  "canceled",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type CaptureMethod = "automatic" | "manual";

/** What the customer must do next (3-D Secure, PayPal approval). */
export interface NextAction {
  type: "redirect" | "use_sdk";
  url?: string | undefined;
  clientSecret?: string | undefined;
}

export interface PaymentFailure {
  code: string;
  declineCode?: string | undefined;
  message: string;
}

/** One itemized line (from a fare quote); amounts in minor units of the payment's currency. */
export interface LineItem {
  code: string;
  description: string;
  amount: number;
  /** Lines that are tax are shown apart on receipts. */
  kind?: "charge" | "discount" | "tax" | undefined;
  quantity?: string | undefined;
}

export interface Payment {
  id: string;
  owner: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  provider: string;
  providerPaymentId: string | null;
  paymentMethodId: string | null;
  paymentMethodType: string | null;
  checkoutSessionId: string | null;
  customerId: string | null;
  customerEmail: string | null;
  /** Free-form business references (booking, order, trip, property) that lists can filter on. */
  references: Record<string, string>;
  description: string | null;
  captureMethod: CaptureMethod;
  amountCaptured: number;
  amountRefunded: number;
  /** Held by refunds in flight: captured ≥ refunded + reserved always holds. */
  amountRefundReserved: number;
  authorizationExpiresAt: string | null;
  nextAction: NextAction | null;
  lastError: PaymentFailure | null;
  disputed: boolean;
  /**
   * Charged without the customer present, with a saved method (`paymentMethodId` names ours, `spm_…`): the provider
   * must not ask them anything, and a bank that insists makes it `requires_action` with `authentication_required`.
   */
  offSession: boolean;
  lineItems: LineItem[];
  metadata: Record<string, string>;
  receiptNumber: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every stored change increments it by one. */
  version: number;
}

export interface HistoryEntry {
  id: string;
  paymentId: string;
  from: PaymentStatus | null;
  to: PaymentStatus;
  at: string;
  actor: string;
  reason: string;
  /**
   * `correction` marks a reconcile transition outside the normal table; `updated`, a change of editable fields by
   * `updatePayment` (status unchanged, `details.changed` names the fields); `dispute`, a dispute opened or moved by
   * the provider (status unchanged, `details.disputeId` names it).
   */
  kind: "transition" | "correction" | "updated" | "dispute";
  details?: Record<string, unknown> | undefined;
}

export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface Refund {
  id: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: RefundStatus;
  reason: string;
  actor: string;
  providerRefundId: string | null;
  failure: PaymentFailure | null;
  createdAt: string;
  updatedAt: string;
}

/** The fields a new payment is created with; everything else starts empty. */
export type NewPaymentFields = Pick<Payment, "id" | "owner" | "amount" | "currency" | "provider" | "createdAt"> &
  Partial<
    Pick<
      Payment,
      | "paymentMethodId"
      | "checkoutSessionId"
      | "customerId"
      | "customerEmail"
      | "references"
      | "description"
      | "captureMethod"
      | "lineItems"
      | "metadata"
      | "offSession"
    >
  >;

/** A pending payment at version 1: nothing captured, refunded, reserved or attempted yet. */
export function newPendingPayment(fields: NewPaymentFields): Payment {
  return {
    id: fields.id,
    owner: fields.owner,
    amount: fields.amount,
    currency: fields.currency,
    status: "pending",
    provider: fields.provider,
    providerPaymentId: null,
    paymentMethodId: fields.paymentMethodId ?? null,
    paymentMethodType: null,
    checkoutSessionId: fields.checkoutSessionId ?? null,
    customerId: fields.customerId ?? null,
    customerEmail: fields.customerEmail ?? null,
    references: fields.references ?? {},
    description: fields.description ?? null,
    captureMethod: fields.captureMethod ?? "automatic",
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundReserved: 0,
    authorizationExpiresAt: null,
    nextAction: null,
    lastError: null,
    disputed: false,
    offSession: fields.offSession ?? false,
    lineItems: fields.lineItems ?? [],
    metadata: fields.metadata ?? {},
    receiptNumber: null,
    createdAt: fields.createdAt,
    updatedAt: fields.createdAt,
    version: 1,
  };
}
