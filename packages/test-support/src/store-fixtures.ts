import type { HistoryEntry, IdempotencyRecord, Payment, PaymentEvent, PaymentEventType } from "@org/payments-core";
import { sampleEvent, sampleHistory, sampleIdempotencyRecord, samplePayment } from "@org/payments-core/testing";

/**
 * The core's contract fixtures pinned to a fixed instant, for the SQL adapters' own suites (time-window filters and
 * outbox claims need predictable timestamps). Ids still sort in creation order, like the ULIDs core makes.
 */

export const T0 = "2026-03-01T10:00:00.000Z";

export function at(offsetSeconds: number, from = T0): string {
  return new Date(Date.parse(from) + offsetSeconds * 1000).toISOString();
}

export function makePayment(overrides: Partial<Payment> = {}): Payment {
  return samplePayment({ createdAt: T0, updatedAt: T0, ...overrides });
}

export function makeEvent(payment: Payment, type: PaymentEventType = "payment.created", occurredAt = T0): PaymentEvent {
  return sampleEvent(payment, type, occurredAt);
}

export function makeHistory(payment: Payment, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return sampleHistory(payment, { at: T0, actor: "system", ...overrides });
}

export function makeIdempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return sampleIdempotencyRecord({
    operation: "confirm",
    lockId: "lock_1",
    lockedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: at(86_400),
    ...overrides,
  });
}
