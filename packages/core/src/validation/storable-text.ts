import type { Customer, SavedPaymentMethod } from "../domain/customer.js";
import type { Dispute } from "../domain/dispute.js";
import type { PaymentEvent } from "../domain/events.js";
import type { HistoryEntry, Payment, Refund } from "../domain/payment.js";
import type { IdempotencyRecord, InboxEvent } from "../ports/payment-store.js";
import { assertAcceptableText, textProblem } from "./acceptable-text.js";

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

/**
 * Every code unit the rule could object to. Most text has none, and one native regex test is far cheaper than the
 * full check (this runs on every write of every charge); text that has one (an emoji's surrogate pair, a line
 * break) gets the full check.
 */
const SUSPECT = /[\u0000-\u001f\u007f\ud800-\udfff]/;

/** Refuses a string field (null and undefined pass: absent is fine) that no store may keep. */
export function assertStorableText(value: unknown, field: string, multiline = false): void {
  if (value === null || value === undefined || (typeof value === "string" && !SUSPECT.test(value))) return;
  assertAcceptableText(value, field, multiline ? FREE_TEXT : SINGLE_LINE);
}

/** The same for a record or JSON key; the field is named as "<field> (a key)", built only on a refusal. */
function assertStorableKey(key: string, field: string, multiline: boolean): void {
  if (SUSPECT.test(key)) assertStorableText(key, `${field} (a key)`, multiline);
}

/**
 * A lookup or filter value some stored row could hold. One that is not (NUL, a lone surrogate, a control) matches
 * nothing: stores answer null or an empty list instead of sending it to a driver that would fail or alter it.
 */
export function isMatchableText(value: unknown): value is string {
  return typeof value === "string" && (!SUSPECT.test(value) || textProblem(value, FREE_TEXT) === null);
}

function assertStorableRecord(record: Record<string, string>, field: string): void {
  for (const [key, value] of Object.entries(record)) {
    assertStorableKey(key, field, false);
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
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      assertStorableKey(key, field, true);
      assertStorableJson((value as Record<string, unknown>)[key], field);
    }
  }
}

export function assertStorablePayment(payment: Payment): void {
  assertStorableText(payment.id, "payment.id");
  assertStorableText(payment.owner, "payment.owner");
  assertStorableText(payment.currency, "payment.currency");
  assertStorableText(payment.status, "payment.status");
  assertStorableText(payment.provider, "payment.provider");
  assertStorableText(payment.providerPaymentId, "payment.providerPaymentId");
  assertStorableText(payment.paymentMethodId, "payment.paymentMethodId");
  assertStorableText(payment.paymentMethodType, "payment.paymentMethodType");
  assertStorableText(payment.checkoutSessionId, "payment.checkoutSessionId");
  assertStorableText(payment.customerId, "payment.customerId");
  assertStorableText(payment.customerEmail, "payment.customerEmail");
  assertStorableText(payment.captureMethod, "payment.captureMethod");
  assertStorableText(payment.receiptNumber, "payment.receiptNumber");
  assertStorableText(payment.authorizationExpiresAt, "payment.authorizationExpiresAt");
  assertStorableText(payment.createdAt, "payment.createdAt");
  assertStorableText(payment.updatedAt, "payment.updatedAt");
  assertStorableText(payment.description, "payment.description", true);
  assertStorableRecord(payment.references, "payment.references");
  assertStorableRecord(payment.metadata, "payment.metadata");
  assertStorableJson(payment.lineItems, "payment.lineItems");
  assertStorableJson(payment.nextAction, "payment.nextAction");
  assertStorableJson(payment.lastError, "payment.lastError");
}

export function assertStorableRefund(refund: Refund): void {
  assertStorableText(refund.id, "refund.id");
  assertStorableText(refund.paymentId, "refund.paymentId");
  assertStorableText(refund.currency, "refund.currency");
  assertStorableText(refund.status, "refund.status");
  assertStorableText(refund.actor, "refund.actor");
  assertStorableText(refund.providerRefundId, "refund.providerRefundId");
  assertStorableText(refund.createdAt, "refund.createdAt");
  assertStorableText(refund.updatedAt, "refund.updatedAt");
  assertStorableText(refund.reason, "refund.reason", true);
  assertStorableJson(refund.failure, "refund.failure");
}

export function assertStorableHistory(entry: HistoryEntry): void {
  assertStorableText(entry.id, "history.id");
  assertStorableText(entry.paymentId, "history.paymentId");
  assertStorableText(entry.from, "history.from");
  assertStorableText(entry.to, "history.to");
  assertStorableText(entry.at, "history.at");
  assertStorableText(entry.actor, "history.actor");
  assertStorableText(entry.kind, "history.kind");
  assertStorableText(entry.reason, "history.reason", true);
  assertStorableJson(entry.details, "history.details");
}

export function assertStorableIdempotencyRecord(record: IdempotencyRecord): void {
  assertStorableText(record.scope, "idempotencyRecord.scope");
  assertStorableText(record.key, "idempotencyRecord.key");
  assertStorableText(record.operation, "idempotencyRecord.operation");
  assertStorableText(record.fingerprint, "idempotencyRecord.fingerprint");
  assertStorableText(record.paymentId, "idempotencyRecord.paymentId");
  assertStorableText(record.recoveryPoint, "idempotencyRecord.recoveryPoint");
  assertStorableText(record.lockId, "idempotencyRecord.lockId");
  assertStorableText(record.lockedAt, "idempotencyRecord.lockedAt");
  assertStorableText(record.gatewayKey, "idempotencyRecord.gatewayKey");
  assertStorableText(record.gatewaySentAt, "idempotencyRecord.gatewaySentAt");
  assertStorableText(record.flaggedAt, "idempotencyRecord.flaggedAt");
  assertStorableText(record.outcomeUnknownSince, "idempotencyRecord.outcomeUnknownSince");
  assertStorableText(record.gatewayLastSentAt, "idempotencyRecord.gatewayLastSentAt");
  assertStorableText(record.createdAt, "idempotencyRecord.createdAt");
  assertStorableText(record.updatedAt, "idempotencyRecord.updatedAt");
  assertStorableText(record.expiresAt, "idempotencyRecord.expiresAt");
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
  assertStorableText(event.provider, "inboxEvent.provider");
  assertStorableText(event.eventId, "inboxEvent.eventId");
  assertStorableText(event.type, "inboxEvent.type");
  assertStorableText(event.paymentId, "inboxEvent.paymentId");
  assertStorableText(event.providerPaymentId, "inboxEvent.providerPaymentId");
  assertStorableText(event.status, "inboxEvent.status");
  assertStorableText(event.receivedAt, "inboxEvent.receivedAt");
  assertStorableText(event.processedAt, "inboxEvent.processedAt");
  assertStorableText(event.lastError, "inboxEvent.lastError", true);
  assertStorableText(event.outcome, "inboxEvent.outcome", true);
  assertStorableJson(event.event, "inboxEvent.event");
}

export function assertStorableDispute(dispute: Dispute): void {
  assertStorableText(dispute.id, "dispute.id");
  assertStorableText(dispute.paymentId, "dispute.paymentId");
  assertStorableText(dispute.provider, "dispute.provider");
  assertStorableText(dispute.providerDisputeId, "dispute.providerDisputeId");
  assertStorableText(dispute.providerPaymentId, "dispute.providerPaymentId");
  assertStorableText(dispute.currency, "dispute.currency");
  assertStorableText(dispute.status, "dispute.status");
  assertStorableText(dispute.reason, "dispute.reason");
  assertStorableText(dispute.providerReason, "dispute.providerReason");
  assertStorableText(dispute.evidenceDueBy, "dispute.evidenceDueBy");
  assertStorableText(dispute.openedAt, "dispute.openedAt");
  assertStorableText(dispute.closedAt, "dispute.closedAt");
  assertStorableText(dispute.reportedAt, "dispute.reportedAt");
  assertStorableText(dispute.createdAt, "dispute.createdAt");
  assertStorableText(dispute.updatedAt, "dispute.updatedAt");
  assertStorableJson(dispute.statusHistory, "dispute.statusHistory");
}

export function assertStorableCustomer(customer: Customer): void {
  assertStorableText(customer.id, "customer.id");
  assertStorableText(customer.owner, "customer.owner");
  assertStorableText(customer.email, "customer.email");
  assertStorableText(customer.name, "customer.name");
  assertStorableText(customer.defaultPaymentMethodId, "customer.defaultPaymentMethodId");
  assertStorableText(customer.deletedAt, "customer.deletedAt");
  assertStorableText(customer.createdAt, "customer.createdAt");
  assertStorableText(customer.updatedAt, "customer.updatedAt");
  assertStorableRecord(customer.metadata, "customer.metadata");
  assertStorableRecord(customer.providerCustomerIds, "customer.providerCustomerIds");
}

export function assertStorableSavedPaymentMethod(method: SavedPaymentMethod): void {
  assertStorableText(method.id, "paymentMethod.id");
  assertStorableText(method.customerId, "paymentMethod.customerId");
  assertStorableText(method.owner, "paymentMethod.owner");
  assertStorableText(method.provider, "paymentMethod.provider");
  assertStorableText(method.status, "paymentMethod.status");
  assertStorableText(method.type, "paymentMethod.type");
  assertStorableText(method.brand, "paymentMethod.brand");
  assertStorableText(method.last4, "paymentMethod.last4");
  assertStorableText(method.providerPaymentMethodId, "paymentMethod.providerPaymentMethodId");
  assertStorableText(method.providerSetupId, "paymentMethod.providerSetupId");
  assertStorableText(method.createdAt, "paymentMethod.createdAt");
  assertStorableText(method.updatedAt, "paymentMethod.updatedAt");
  assertStorableJson(method.nextAction, "paymentMethod.nextAction");
  assertStorableJson(method.lastError, "paymentMethod.lastError");
}
