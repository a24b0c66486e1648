import type { HistoryEntry, IdempotencyRecord, Payment, PaymentEvent, PaymentEventType } from "@org/payments-core";

/** Plain domain objects for the SQL adapters' own suites. Ids sort in creation order, like the ULIDs core makes. */

let counter = 0;
function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36).padStart(10, "0")}${String(counter).padStart(16, "0")}`;
}

export const T0 = "2026-03-01T10:00:00.000Z";

export function at(offsetSeconds: number, from = T0): string {
  return new Date(Date.parse(from) + offsetSeconds * 1000).toISOString();
}

export function makePayment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: nextId("pay"),
    owner: "user_1",
    amount: 2500,
    currency: "USD",
    status: "pending",
    provider: "simulated",
    providerPaymentId: null,
    paymentMethodId: null,
    paymentMethodType: null,
    checkoutSessionId: null,
    customerId: null,
    customerEmail: null,
    references: {},
    description: null,
    captureMethod: "automatic",
    amountCaptured: 0,
    amountRefunded: 0,
    amountRefundReserved: 0,
    authorizationExpiresAt: null,
    nextAction: null,
    lastError: null,
    disputed: false,
    lineItems: [],
    metadata: {},
    receiptNumber: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

export function makeEvent(payment: Payment, type: PaymentEventType = "payment.created", occurredAt = T0): PaymentEvent {
  return {
    id: nextId("evt"),
    type,
    schemaVersion: 1,
    paymentId: payment.id,
    occurredAt,
    data: {
      payment: {
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
      },
    },
  };
}

export function makeHistory(payment: Payment, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: nextId("his"),
    paymentId: payment.id,
    from: null,
    to: payment.status,
    at: T0,
    actor: "system",
    reason: "created",
    kind: "transition",
    ...overrides,
  };
}

export function makeIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    scope: "user_1",
    key: nextId("key"),
    operation: "confirm",
    fingerprint: "f".repeat(64),
    paymentId: null,
    recoveryPoint: "started",
    lockId: "lock_1",
    lockedAt: T0,
    gatewayKey: null,
    gatewayRequest: null,
    gatewaySentAt: null,
    outcome: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: at(86_400),
    ...overrides,
  };
}
