import type { PaymentEvent } from "../domain/events.js";
import type { HistoryEntry, Payment, Refund } from "../domain/payment.js";
import type { IdempotencyRecord, InboxEvent } from "../ports/payment-store.js";
import { assertAcceptableText, textProblem } from "../validation/acceptable-text.js";

/**
 * What every store refuses to keep, so that every store gives the same answer to the same write: text holding NUL,
 * another C0 control or DEL, or a lone UTF-16 surrogate (core's `textProblem`). PostgreSQL refuses NUL in text and
 * jsonb and lone-surrogate escapes in jsonb; both SQL drivers silently turn a lone surrogate into U+FFFD; the memory
 * store would keep anything. Without this rule the same payment is a 500 on one store, a changed value on another
 * and stored verbatim on the third.
 *
 * Single-line fields refuse TAB, LF and CR too; free text (descriptions, reasons, messages) may span lines. JSON the
 * store keeps opaque (gateway requests, stored outcomes, events) is held to the free-text rule in every string and
 * key. Lengths are the service's business (it bounds its inputs); a store bounds nothing. Errors are
 * `validation_error` naming the field, never the value: it may be card data.
 */
const SINGLE_LINE = { max: Number.POSITIVE_INFINITY } as const;
const FREE_TEXT = { max: Number.POSITIVE_INFINITY, multiline: true } as const;

/** Refuses a string field (null and undefined pass: absent is fine) that no store may keep. */
export function assertStorableText(value: unknown, field: string, multiline = false): void {
  if (value === null || value === undefined) return;
  assertAcceptableText(value, field, multiline ? FREE_TEXT : SINGLE_LINE);
}

/**
 * A lookup or filter value some stored row could hold. One that is not (NUL, a lone surrogate, a control) matches
 * nothing: stores answer null or an empty list instead of sending it to a driver that would fail or alter it.
 */
export function isMatchableText(value: unknown): value is string {
  return textProblem(value, FREE_TEXT) === null;
}

function assertStorableRecord(record: Record<string, string>, field: string): void {
  for (const [key, value] of Object.entries(record)) {
    assertStorableText(key, `${field} (a key)`);
    assertStorableText(value, field);
  }
}

/** Every string and key of a JSON value the store keeps as it is. */
export function assertStorableJson(value: unknown, field: string): void {
  if (typeof value === "string") {
    assertStorableText(value, field, true);
  } else if (Array.isArray(value)) {
    for (const item of value) assertStorableJson(item, field);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      assertStorableText(key, `${field} (a key)`, true);
      assertStorableJson(item, field);
    }
  }
}

export function assertStorablePayment(payment: Payment): void {
  const line = (value: unknown, field: string) => assertStorableText(value, `payment.${field}`);
  line(payment.id, "id");
  line(payment.owner, "owner");
  line(payment.currency, "currency");
  line(payment.status, "status");
  line(payment.provider, "provider");
  line(payment.providerPaymentId, "providerPaymentId");
  line(payment.paymentMethodId, "paymentMethodId");
  line(payment.paymentMethodType, "paymentMethodType");
  line(payment.checkoutSessionId, "checkoutSessionId");
  line(payment.customerId, "customerId");
  line(payment.customerEmail, "customerEmail");
  line(payment.captureMethod, "captureMethod");
  line(payment.receiptNumber, "receiptNumber");
  line(payment.authorizationExpiresAt, "authorizationExpiresAt");
  line(payment.createdAt, "createdAt");
  line(payment.updatedAt, "updatedAt");
  assertStorableText(payment.description, "payment.description", true);
  assertStorableRecord(payment.references, "payment.references");
  assertStorableRecord(payment.metadata, "payment.metadata");
  assertStorableJson(payment.lineItems, "payment.lineItems");
  assertStorableJson(payment.nextAction, "payment.nextAction");
  assertStorableJson(payment.lastError, "payment.lastError");
}

export function assertStorableRefund(refund: Refund): void {
  const line = (value: unknown, field: string) => assertStorableText(value, `refund.${field}`);
  line(refund.id, "id");
  line(refund.paymentId, "paymentId");
  line(refund.currency, "currency");
  line(refund.status, "status");
  line(refund.actor, "actor");
  line(refund.providerRefundId, "providerRefundId");
  line(refund.createdAt, "createdAt");
  line(refund.updatedAt, "updatedAt");
  assertStorableText(refund.reason, "refund.reason", true);
  assertStorableJson(refund.failure, "refund.failure");
}

export function assertStorableHistory(entry: HistoryEntry): void {
  const line = (value: unknown, field: string) => assertStorableText(value, `history.${field}`);
  line(entry.id, "id");
  line(entry.paymentId, "paymentId");
  line(entry.from, "from");
  line(entry.to, "to");
  line(entry.at, "at");
  line(entry.actor, "actor");
  line(entry.kind, "kind");
  assertStorableText(entry.reason, "history.reason", true);
  assertStorableJson(entry.details, "history.details");
}

export function assertStorableIdempotencyRecord(record: IdempotencyRecord): void {
  const line = (value: unknown, field: string) => assertStorableText(value, `idempotencyRecord.${field}`);
  line(record.scope, "scope");
  line(record.key, "key");
  line(record.operation, "operation");
  line(record.fingerprint, "fingerprint");
  line(record.paymentId, "paymentId");
  line(record.recoveryPoint, "recoveryPoint");
  line(record.lockId, "lockId");
  line(record.lockedAt, "lockedAt");
  line(record.gatewayKey, "gatewayKey");
  line(record.gatewaySentAt, "gatewaySentAt");
  line(record.flaggedAt, "flaggedAt");
  line(record.createdAt, "createdAt");
  line(record.updatedAt, "updatedAt");
  line(record.expiresAt, "expiresAt");
  assertStorableJson(record.gatewayRequest, "idempotencyRecord.gatewayRequest");
  assertStorableJson(record.lastGatewayError, "idempotencyRecord.lastGatewayError");
  assertStorableJson(record.outcome, "idempotencyRecord.outcome");
}

/** An outbox event is kept whole as JSON; its id, payment id and type are also columns. */
export function assertStorableEvent(event: PaymentEvent): void {
  assertStorableText(event.id, "event.id");
  assertStorableText(event.paymentId, "event.paymentId");
  assertStorableText(event.type, "event.type");
  assertStorableJson(event, "event");
}

export function assertStorableInboxEvent(event: InboxEvent): void {
  const line = (value: unknown, field: string) => assertStorableText(value, `inboxEvent.${field}`);
  line(event.provider, "provider");
  line(event.eventId, "eventId");
  line(event.type, "type");
  line(event.paymentId, "paymentId");
  line(event.providerPaymentId, "providerPaymentId");
  line(event.status, "status");
  line(event.receivedAt, "receivedAt");
  line(event.processedAt, "processedAt");
  assertStorableText(event.lastError, "inboxEvent.lastError", true);
  assertStorableText(event.outcome, "inboxEvent.outcome", true);
  assertStorableJson(event.event, "inboxEvent.event");
}
