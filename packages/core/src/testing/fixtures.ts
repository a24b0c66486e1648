import { randomUUID } from "node:crypto";
import type { PaymentEvent } from "../domain/events.js";
import { EVENT_SCHEMA_VERSION, snapshotPayment } from "../domain/events.js";
import { type HistoryEntry, type Payment, type Refund, newPendingPayment } from "../domain/payment.js";
import type { IdempotencyRecord, InboxEvent } from "../ports/payment-store.js";
import type { Dispute } from "../domain/dispute.js";
import type { Customer, SavedPaymentMethod } from "../domain/customer.js";

let counter = 0;
/** Ids that sort in creation order, like the ULIDs the service makes. */
export function testId(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36).padStart(10, "0")}${String(counter).padStart(8, "0")}`;
}

export function samplePayment(overrides: Partial<Payment> = {}): Payment {
  const base = newPendingPayment({
    id: testId("pay"),
    owner: "user_1",
    amount: 2500,
    currency: "USD",
    provider: "simulated",
    createdAt: overrides.createdAt ?? new Date().toISOString(),
  });
  return { ...base, ...overrides };
}

export function sampleHistory(payment: Payment, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: testId("his"),
    paymentId: payment.id,
    from: null,
    to: payment.status,
    at: payment.updatedAt,
    actor: "user_1",
    reason: "created",
    kind: "transition",
    ...overrides,
  };
}

export function sampleEvent(payment: Payment, type: PaymentEvent["type"] = "payment.created", at = payment.updatedAt): PaymentEvent {
  return {
    id: testId("evt"),
    type,
    schemaVersion: EVENT_SCHEMA_VERSION,
    paymentId: payment.id,
    occurredAt: at,
    data: { payment: snapshotPayment(payment) },
  };
}

export function sampleRefund(payment: Payment, overrides: Partial<Refund> = {}): Refund {
  return {
    id: testId("rf"),
    paymentId: payment.id,
    amount: 100,
    currency: payment.currency,
    status: "pending",
    reason: "requested_by_customer",
    actor: "admin",
    providerRefundId: null,
    failure: null,
    createdAt: payment.updatedAt,
    updatedAt: payment.updatedAt,
    ...overrides,
  };
}

/** A chargeback of `payment` in needs_response, opened when the payment was last updated. */
export function sampleDispute(payment: Payment, overrides: Partial<Dispute> = {}): Dispute {
  const at = payment.updatedAt;
  return {
    id: testId("dp"),
    paymentId: payment.id,
    provider: payment.provider,
    providerDisputeId: testId("du"),
    providerPaymentId: payment.providerPaymentId,
    amount: payment.amountCaptured || payment.amount,
    currency: payment.currency,
    status: "needs_response",
    reason: "fraudulent",
    providerReason: "fraudulent",
    evidenceDueBy: new Date(Date.parse(at) + 7 * 86_400_000).toISOString(),
    statusHistory: [{ status: "needs_response", providerStatus: "needs_response", at }],
    openedAt: at,
    closedAt: null,
    reportedAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

export function sampleCustomer(overrides: Partial<Customer> = {}): Customer {
  const at = overrides.createdAt ?? new Date().toISOString();
  return {
    id: testId("cus"),
    owner: "user_1",
    email: "rider@example.com",
    name: "A. Rider",
    metadata: {},
    providerCustomerIds: {},
    defaultPaymentMethodId: null,
    deletedAt: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A saved card of `customer` at the simulated provider, active. */
export function sampleSavedPaymentMethod(customer: Customer, overrides: Partial<SavedPaymentMethod> = {}): SavedPaymentMethod {
  return {
    id: testId("spm"),
    customerId: customer.id,
    owner: customer.owner,
    provider: "simulated",
    status: "active",
    type: "card",
    brand: "visa",
    last4: "4242",
    expMonth: 12,
    expYear: 2030,
    providerPaymentMethodId: testId("pm"),
    providerSetupId: null,
    nextAction: null,
    lastError: null,
    createdAt: customer.updatedAt,
    updatedAt: customer.updatedAt,
    version: 1,
    ...overrides,
  };
}

export function sampleIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  const at = new Date().toISOString();
  return {
    scope: "user_1",
    key: randomUUID(),
    operation: "payment.create",
    fingerprint: "f".repeat(64),
    paymentId: null,
    recoveryPoint: "started",
    lockId: "lock_a",
    lockedAt: at,
    gatewayKey: null,
    gatewayRequest: null,
    gatewaySentAt: null,
    gatewayAttempts: 0,
    lastGatewayError: null,
    flaggedAt: null,
    outcomeUnknownSince: null,
    gatewayLastSentAt: null,
    outcome: null,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...overrides,
  };
}

/** A provider webhook as the inbox stores it: a payment event for `paymentId` (another id when omitted). */
export function sampleInboxEvent(overrides: Partial<InboxEvent> = {}): InboxEvent {
  const eventId = overrides.eventId ?? testId("evt");
  const paymentId = overrides.paymentId === undefined ? testId("pay") : overrides.paymentId;
  const at = overrides.receivedAt ?? new Date().toISOString();
  return {
    provider: "stripe",
    eventId,
    type: "payment_intent.succeeded",
    event: {
      kind: "payment",
      provider: overrides.provider ?? "stripe",
      eventId,
      type: "payment_intent.succeeded",
      occurredAt: at,
      payment: {
        provider: overrides.provider ?? "stripe",
        providerPaymentId: "pi_contract",
        paymentId,
        status: "succeeded",
        amount: Number.MAX_SAFE_INTEGER,
        currency: "USD",
        amountCapturable: 0,
        amountCaptured: Number.MAX_SAFE_INTEGER,
        amountRefunded: 0,
        nextAction: null,
        failure: null,
        paymentMethodType: "card",
        refunds: [],
      },
    },
    paymentId,
    providerPaymentId: "pi_contract",
    status: "received",
    attempts: 0,
    receivedAt: at,
    processedAt: null,
    lastError: null,
    outcome: null,
    ...overrides,
  };
}
