import type { DisputeReason, DisputeStatus } from "../domain/dispute.js";
import type { CaptureMethod, NextAction, PaymentFailure } from "../domain/payment.js";
import type { PaymentError } from "../errors/index.js";

/** The provider-side status of a payment object, mapped onto the core's vocabulary. */
export type GatewayPaymentStatus = "requires_action" | "processing" | "authorized" | "succeeded" | "failed" | "canceled";

export interface GatewayRefund {
  providerRefundId: string;
  /** Our refund id, as stored in the provider object's metadata; null if the refund was made elsewhere. */
  refundId: string | null;
  providerPaymentId: string;
  amount: number;
  currency: string;
  status: "pending" | "succeeded" | "failed" | "canceled";
  failureReason?: string | null | undefined;
  createdAt?: string | undefined;
}

/** A provider payment object (PaymentIntent, Order) as the core needs to see it. Amounts in minor units. */
export interface GatewayPayment {
  provider: string;
  providerPaymentId: string;
  /** Our payment id, read back from the provider object's metadata (Stripe) or custom_id (PayPal). */
  paymentId: string | null;
  status: GatewayPaymentStatus;
  amount: number;
  currency: string;
  amountCapturable: number;
  amountCaptured: number;
  /** Refunds that succeeded. Pending ones are left out: the core holds them as reservations until they settle. */
  amountRefunded: number;
  nextAction?: NextAction | null | undefined;
  /** Set when status is `failed`: `code` is one of the core's decline codes. */
  failure?: PaymentFailure | null | undefined;
  authorizationExpiresAt?: string | null | undefined;
  paymentMethodType?: string | null | undefined;
  /** Every refund the provider holds for this payment, whatever its status (a failed one included). */
  refunds?: GatewayRefund[] | undefined;
  createdAt?: string | undefined;
  /** Why the provider canceled it (Stripe `cancellation_reason`), when it says. */
  cancellationReason?: string | null | undefined;
  /** Why money is still in flight (a PayPal capture PENDING with `status_details.reason`), when it says. */
  pendingReason?: string | null | undefined;
  /** The method the provider saved with this payment (asked with `savePaymentMethod`), once it succeeded. */
  savedMethod?: GatewaySavedMethod | null | undefined;
  /** The provider's customer of a charge that saved a method, when the provider made one for it. */
  providerCustomerId?: string | null | undefined;
}

/**
 * A dispute as the provider reports it, in the core's vocabulary (an adapter maps its provider's statuses and
 * reasons onto `DisputeStatus` and `DisputeReason`, keeping the provider's own words). Amounts in minor units.
 */
export interface GatewayDispute {
  providerDisputeId: string;
  /** The provider payment object it is about (PaymentIntent, Order), when the adapter could tell. */
  providerPaymentId: string | null;
  /** Our payment id, when the provider object carries it. */
  paymentId: string | null;
  status: DisputeStatus;
  providerStatus: string;
  reason: DisputeReason;
  providerReason: string;
  amount: number;
  currency: string;
  /** The provider's deadline for evidence, ISO 8601, or null. */
  evidenceDueBy: string | null;
  /** When the provider opened it, ISO 8601. */
  openedAt: string;
  /**
   * When the provider last changed it, ISO 8601, when it says (PayPal's update_time); the event's own time
   * otherwise. A report older than what is recorded is stale and changes nothing.
   */
  updatedAt?: string | undefined;
}

/** A payment method as the provider saved it: its reusable token and what a person recognises it by. */
export interface GatewaySavedMethod {
  /** The reusable token (Stripe `pm_…`, PayPal's payment token id); never a card number. */
  providerPaymentMethodId: string;
  type: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
}

/** Saving a payment method for later charges without charging it (Stripe SetupIntent, PayPal setup token). */
export interface SetupGatewayRequest {
  /** Ours (`spm_…`), stored on the provider's setup object so recovery can find it. */
  savedPaymentMethodId: string;
  /** Ours (`cus_…`). */
  customerId: string;
  /** The provider's customer, or null: the provider makes one with this setup and answers its id. */
  providerCustomerId: string | null;
  customerEmail: string | null;
  customerName: string | null;
  /** The front end's token for the method (`pm_…`); null for a flow where the customer picks it at the provider. */
  paymentMethodId: string | null;
  returnUrl: string | null;
}

/** Continues a setup after the customer completed the step the bank asked for. */
export interface ResumeSetupGatewayRequest {
  savedPaymentMethodId: string;
  providerSetupId: string;
  providerCustomerId: string;
}

/** The provider's setup object, in the core's vocabulary. */
export interface GatewaySetup {
  providerSetupId: string;
  providerCustomerId: string;
  status: "succeeded" | "requires_action" | "processing" | "failed";
  nextAction?: NextAction | null | undefined;
  /** Set when status is `failed`: `code` is one of the core's decline codes. */
  failure?: PaymentFailure | null | undefined;
  /** The saved method, once status is `succeeded`. */
  method?: GatewaySavedMethod | null | undefined;
}

export interface DetachGatewayRequest {
  savedPaymentMethodId: string;
  providerPaymentMethodId: string;
  providerCustomerId: string | null;
}

export interface CreateGatewayPaymentRequest {
  paymentId: string;
  amount: number;
  currency: string;
  captureMethod: CaptureMethod;
  paymentMethodId?: string | null | undefined;
  returnUrl?: string | null | undefined;
  cancelUrl?: string | null | undefined;
  description?: string | null | undefined;
  customerId?: string | null | undefined;
  customerEmail?: string | null | undefined;
  /** The provider's customer the saved method belongs to, for a charge of a saved method or one that saves it. */
  providerCustomerId?: string | null | undefined;
  /**
   * The customer is not present (a fare charged after the trip): the provider must not ask them anything, and a
   * bank that insists answers `requires_action` with the decline code `authentication_required`.
   */
  offSession?: boolean | undefined;
  /** Save the method for later off-session charges while paying (Stripe `setup_future_usage`, PayPal's vault). */
  savePaymentMethod?: boolean | undefined;
}

export interface ResumeGatewayPaymentRequest {
  paymentId: string;
  providerPaymentId: string;
  paymentMethodId?: string | null | undefined;
  returnUrl?: string | null | undefined;
  captureMethod: CaptureMethod;
}

export interface CaptureGatewayRequest {
  paymentId: string;
  providerPaymentId: string;
  amount: number;
  currency: string;
}

export interface CancelGatewayRequest {
  paymentId: string;
  providerPaymentId: string;
}

export interface RefundGatewayRequest {
  paymentId: string;
  refundId: string;
  providerPaymentId: string;
  amount: number;
  currency: string;
  reason: string;
}

export interface GatewayCallOptions {
  /** The gateway key from the core; sent as the provider's idempotency key on every mutating call. */
  idempotencyKey: string;
}

/** Test scenarios a harness can produce, used by the contract kit to decide which tests apply. */
export type GatewayScenario =
  | "succeeds"
  | "declined"
  | "insufficient_funds"
  | "expired_card"
  | "incorrect_cvc"
  | "processing_error"
  | "requires_action"
  /** A payment method id the provider does not know: an invalid request. */
  | "invalid_payment_method";

export interface GatewayCapabilities {
  readonly manualCapture: boolean;
  readonly partialCapture: boolean;
  /** How long the provider remembers an idempotency key; past it, recovery searches by payment id first. */
  readonly idempotencyKeyRetentionMs: number;
  /** Currencies accepted, or "any" ISO 4217 code. */
  readonly currencies: "any" | readonly string[];
  /** Smallest chargeable amount in minor units, by currency; absent means 1. */
  readonly minimumAmounts: Readonly<Record<string, number>>;
  /**
   * How long after a write `findByPaymentId` may still miss it (a search index's lag; absent means 0: it reads
   * what was written). The core sends under a fresh key only once this has passed since the last send, so a lookup
   * that misses a charge by lag never leads to a second one.
   */
  readonly lookupLagMs?: number | undefined;
  /** A confirm must name a payment method (card providers); false for redirect flows such as PayPal's. */
  readonly paymentMethodRequired?: boolean | undefined;
  /**
   * Payment method ids this provider accepts without a real instrument (a simulated provider's `pm_card_visa`), for
   * front ends to offer in development; absent or empty for a real provider.
   */
  readonly testPaymentMethods?: readonly string[] | undefined;
  /** Saves payment methods and charges them off-session (`setupPaymentMethod`, `resumeSetup`, `detachPaymentMethod`). */
  readonly savedPaymentMethods?: boolean | undefined;
}

export type GatewayWebhookEvent =
  | {
      kind: "payment";
      provider: string;
      eventId: string;
      type: string;
      occurredAt: string;
      payment: GatewayPayment;
    }
  | {
      kind: "refund";
      provider: string;
      eventId: string;
      type: string;
      occurredAt: string;
      paymentId: string | null;
      refund: GatewayRefund;
    }
  | {
      kind: "dispute";
      provider: string;
      eventId: string;
      type: string;
      occurredAt: string;
      paymentId: string | null;
      providerPaymentId: string | null;
      dispute: GatewayDispute;
    }
  | { kind: "ignored"; provider: string; eventId: string; type: string; occurredAt: string };

export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * A payment provider. Every answer of the provider maps to exactly one of five kinds (the core's taxonomy, see
 * `classifyGatewayError`), and an adapter tables its provider's answers onto them in its README:
 * - **declined** — returned: a `failed` payment whose `failure.code` is one of `DECLINE_CODES` and whose
 *   `failure.declineCode` is the provider's own code (or thrown as that card code). A refused refund is returned as a
 *   `failed` refund with its `failureReason` (`providerRefundId` may be "" when the provider made none).
 * - **needs the customer** — returned: `requires_action` with `nextAction.url` (3-D Secure, PayPal payer action,
 *   a PayPal buyer choosing another funding source).
 * - **invalid request** — thrown `validation_error`, `invalid_amount`, `amount_too_small`, `currency_not_supported`,
 *   `not_found`, `invalid_state_transition` or `refund_exceeds_captured`: the provider refused the request itself and
 *   moved no money; the payment stays where it was, confirmable with a corrected request.
 * - **retryable** — thrown `gateway_rate_limited` or `gateway_error`: the provider certainly did not act, and the
 *   same request under the same key may succeed later (`retryAfterSeconds` when it says).
 * - **unknown outcome** — thrown `gateway_outcome_unknown`: the provider may have acted (timeout, dropped
 *   connection, 5xx). The core looks the object up by our payment id before sending anything again. When re-sending
 *   under the same key could only replay this answer (Stripe saves a 5xx for its key), the adapter sets
 *   `details.sameKeyReplays: true` and the core sends a fresh key once the lookup found nothing.
 * Errors carry the original as `cause` and never repeat a client value or a credential in their message.
 */
export interface PaymentGateway {
  readonly provider: string;
  readonly capabilities: GatewayCapabilities;
  /**
   * Optional local check of a payment method id (its shape, a known test id), with no I/O: the core runs it before
   * it moves the payment, so a request the provider would refuse changes nothing. Returns the `validation_error`.
   */
  checkPaymentMethod?(paymentMethodId: string): PaymentError | null;
  /** Creates the provider object and confirms it with the payment method (charge, or authorize for manual capture). */
  createPayment(request: CreateGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment>;
  /** Continues a payment after its `requires_action` step was completed by the customer. */
  resumePayment(request: ResumeGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment>;
  capture(request: CaptureGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment>;
  cancel(request: CancelGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment>;
  refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund>;
  retrieve(providerPaymentId: string): Promise<GatewayPayment>;
  /** The provider object carrying our payment id, or null; used by recovery past the key retention. */
  findByPaymentId(paymentId: string): Promise<GatewayPayment | null>;
  /** Every payment object created in the window (with its refunds), for reconciliation. */
  listTransactions(window: { since: Date; until: Date }): AsyncIterable<GatewayPayment>;
  /**
   * Optional. Every dispute the provider opened in the window, as it stands now, for reconciliation to record the
   * disputes whose webhooks were lost and the status changes it missed. A provider without a dispute list leaves
   * disputes to webhooks alone.
   */
  listDisputes?(window: { since: Date; until: Date }): AsyncIterable<GatewayDispute>;
  /**
   * Optional, with the `savedPaymentMethods` capability: saves a method without charging it (its answer may ask the
   * customer to authenticate), continues one after the customer did, finds what an earlier attempt made (recovery),
   * and removes a saved method at the provider (a method already gone there is not an error).
   */
  setupPaymentMethod?(request: SetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup>;
  resumeSetup?(request: ResumeSetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup>;
  findSetupBySavedMethodId?(savedPaymentMethodId: string): Promise<GatewaySetup | null>;
  detachPaymentMethod?(request: DetachGatewayRequest, options: GatewayCallOptions): Promise<void>;
  /** Verifies the signature over the raw bytes and maps the event; a bad signature is `webhook_signature_invalid`. */
  parseWebhook(rawBody: Uint8Array | string, headers: WebhookHeaders): Promise<GatewayWebhookEvent>;
}
