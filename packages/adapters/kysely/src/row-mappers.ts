import { DISPUTE_REASONS, DISPUTE_STATUSES, INBOX_STATUSES, PAYMENT_STATUSES, REFUND_STATUSES, SAVED_PAYMENT_METHOD_STATUSES } from "@org/payments-core";
import type {
  Customer,
  Dispute,
  DisputeStatusChange,
  GatewayWebhookEvent,
  HistoryEntry,
  IdempotencyRecord,
  InboxEvent,
  LineItem,
  NextAction,
  OutboxEntry,
  Payment,
  PaymentEvent,
  PaymentErrorBody,
  PaymentFailure,
  Refund,
  SavedPaymentMethod,
  StoredOutcome,
} from "@org/payments-core";
import type { Insertable, Selectable } from "kysely";
import {
  badData,
  readBoolean,
  readEnum,
  readInteger,
  readNullableInteger,
  readNullableString,
  readNullableTimestamp,
  readString,
  readStringRecord,
  readTimestamp,
  writeInteger,
  writeJson,
  writeNullableJson,
  writeNullableTimestamp,
  writeTimestamp,
} from "./conversions.js";
import type {
  CustomersTable,
  DisputesTable,
  IdempotencyRecordsTable,
  OutboxTable,
  PaymentHistoryTable,
  PaymentsTable,
  RefundsTable,
  SavedPaymentMethodsTable,
  WebhookInboxTable,
} from "./database.js";
import type { StoreDialect } from "./store-dialect.js";

/** Translation between rows and domain objects: the only place that knows both spellings. */

const RECOVERY_POINTS = ["started", "gateway_pending", "finished"] as const;
const OUTBOX_STATUSES = ["pending", "delivered", "dead", "skipped"] as const;
const HISTORY_KINDS = ["transition", "correction", "updated", "dispute"] as const satisfies readonly HistoryEntry["kind"][];
const CAPTURE_METHODS = ["automatic", "manual"] as const;

function json(dialect: StoreDialect, value: unknown, column: string): unknown {
  return value === null || value === undefined ? null : dialect.readJson(value, column);
}

export function paymentToRow(payment: Payment, dialect: StoreDialect): Insertable<PaymentsTable> {
  return {
    id: payment.id,
    owner: payment.owner,
    amount: writeInteger(payment.amount, "payments.amount"),
    currency: payment.currency,
    status: payment.status,
    provider: payment.provider,
    provider_payment_id: payment.providerPaymentId,
    payment_method_id: payment.paymentMethodId,
    payment_method_type: payment.paymentMethodType,
    checkout_session_id: payment.checkoutSessionId,
    customer_id: payment.customerId,
    customer_email: payment.customerEmail,
    refs: writeJson(payment.references),
    description: payment.description,
    capture_method: payment.captureMethod,
    amount_captured: writeInteger(payment.amountCaptured, "payments.amount_captured"),
    amount_refunded: writeInteger(payment.amountRefunded, "payments.amount_refunded"),
    amount_refund_reserved: writeInteger(payment.amountRefundReserved, "payments.amount_refund_reserved"),
    authorization_expires_at: writeNullableTimestamp(payment.authorizationExpiresAt, "payments.authorization_expires_at"),
    next_action: writeNullableJson(payment.nextAction),
    last_error: writeNullableJson(payment.lastError),
    disputed: dialect.writeBoolean(payment.disputed),
    off_session: dialect.writeBoolean(payment.offSession),
    line_items: writeJson(payment.lineItems),
    metadata: writeJson(payment.metadata),
    receipt_number: payment.receiptNumber,
    created_at: writeTimestamp(payment.createdAt, "payments.created_at"),
    updated_at: writeTimestamp(payment.updatedAt, "payments.updated_at"),
    version: writeInteger(payment.version, "payments.version"),
  };
}

export function rowToPayment(row: Selectable<PaymentsTable>, dialect: StoreDialect): Payment {
  return {
    id: readString(row.id, "payments.id"),
    owner: readString(row.owner, "payments.owner"),
    amount: readInteger(row.amount, "payments.amount"),
    currency: readString(row.currency, "payments.currency"),
    status: readEnum(row.status, PAYMENT_STATUSES, "payments.status"),
    provider: readString(row.provider, "payments.provider"),
    providerPaymentId: readNullableString(row.provider_payment_id, "payments.provider_payment_id"),
    paymentMethodId: readNullableString(row.payment_method_id, "payments.payment_method_id"),
    paymentMethodType: readNullableString(row.payment_method_type, "payments.payment_method_type"),
    checkoutSessionId: readNullableString(row.checkout_session_id, "payments.checkout_session_id"),
    customerId: readNullableString(row.customer_id, "payments.customer_id"),
    customerEmail: readNullableString(row.customer_email, "payments.customer_email"),
    references: readStringRecord(dialect.readJson(row.refs, "payments.refs"), "payments.refs"),
    description: readNullableString(row.description, "payments.description"),
    captureMethod: readEnum(row.capture_method, CAPTURE_METHODS, "payments.capture_method"),
    amountCaptured: readInteger(row.amount_captured, "payments.amount_captured"),
    amountRefunded: readInteger(row.amount_refunded, "payments.amount_refunded"),
    amountRefundReserved: readInteger(row.amount_refund_reserved, "payments.amount_refund_reserved"),
    authorizationExpiresAt: readNullableTimestamp(row.authorization_expires_at, "payments.authorization_expires_at"),
    nextAction: json(dialect, row.next_action, "payments.next_action") as NextAction | null,
    lastError: json(dialect, row.last_error, "payments.last_error") as PaymentFailure | null,
    disputed: readBoolean(row.disputed, "payments.disputed"),
    offSession: readBoolean(row.off_session, "payments.off_session"),
    lineItems: readLineItems(dialect.readJson(row.line_items, "payments.line_items")),
    metadata: readStringRecord(dialect.readJson(row.metadata, "payments.metadata"), "payments.metadata"),
    receiptNumber: readNullableString(row.receipt_number, "payments.receipt_number"),
    createdAt: readTimestamp(row.created_at, "payments.created_at"),
    updatedAt: readTimestamp(row.updated_at, "payments.updated_at"),
    version: readInteger(row.version, "payments.version"),
  };
}

function readLineItems(value: unknown): LineItem[] {
  if (!Array.isArray(value)) throw badData("payments.line_items", value, "not an array");
  return value.map((item: unknown, index) => {
    const line = item as LineItem;
    // Amounts inside JSON are money too: re-check them on the way out.
    readInteger(line?.amount, `payments.line_items[${index}].amount`);
    return line;
  });
}

export function historyToRow(entry: HistoryEntry): Insertable<PaymentHistoryTable> {
  return {
    id: entry.id,
    payment_id: entry.paymentId,
    from_status: entry.from,
    to_status: entry.to,
    at: writeTimestamp(entry.at, "payment_history.at"),
    actor: entry.actor,
    reason: entry.reason,
    kind: entry.kind,
    details: writeNullableJson(entry.details),
  };
}

export function rowToHistory(row: Selectable<PaymentHistoryTable>, dialect: StoreDialect): HistoryEntry {
  const entry: HistoryEntry = {
    id: readString(row.id, "payment_history.id"),
    paymentId: readString(row.payment_id, "payment_history.payment_id"),
    from: row.from_status === null ? null : readEnum(row.from_status, PAYMENT_STATUSES, "payment_history.from_status"),
    to: readEnum(row.to_status, PAYMENT_STATUSES, "payment_history.to_status"),
    at: readTimestamp(row.at, "payment_history.at"),
    actor: readString(row.actor, "payment_history.actor"),
    reason: readString(row.reason, "payment_history.reason"),
    kind: readEnum(row.kind, HISTORY_KINDS, "payment_history.kind"),
  };
  const details = json(dialect, row.details, "payment_history.details");
  if (details !== null) entry.details = details as Record<string, unknown>;
  return entry;
}

export function refundToRow(refund: Refund): Insertable<RefundsTable> {
  return {
    id: refund.id,
    payment_id: refund.paymentId,
    amount: writeInteger(refund.amount, "refunds.amount"),
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    actor: refund.actor,
    provider_refund_id: refund.providerRefundId,
    failure: writeNullableJson(refund.failure),
    created_at: writeTimestamp(refund.createdAt, "refunds.created_at"),
    updated_at: writeTimestamp(refund.updatedAt, "refunds.updated_at"),
  };
}

export function rowToRefund(row: Selectable<RefundsTable>, dialect: StoreDialect): Refund {
  return {
    id: readString(row.id, "refunds.id"),
    paymentId: readString(row.payment_id, "refunds.payment_id"),
    amount: readInteger(row.amount, "refunds.amount"),
    currency: readString(row.currency, "refunds.currency"),
    status: readEnum(row.status, REFUND_STATUSES, "refunds.status"),
    reason: readString(row.reason, "refunds.reason"),
    actor: readString(row.actor, "refunds.actor"),
    providerRefundId: readNullableString(row.provider_refund_id, "refunds.provider_refund_id"),
    failure: json(dialect, row.failure, "refunds.failure") as PaymentFailure | null,
    createdAt: readTimestamp(row.created_at, "refunds.created_at"),
    updatedAt: readTimestamp(row.updated_at, "refunds.updated_at"),
  };
}

export function disputeToRow(dispute: Dispute): Insertable<DisputesTable> {
  return {
    id: dispute.id,
    payment_id: dispute.paymentId,
    provider: dispute.provider,
    provider_dispute_id: dispute.providerDisputeId,
    provider_payment_id: dispute.providerPaymentId,
    amount: writeInteger(dispute.amount, "disputes.amount"),
    currency: dispute.currency,
    status: dispute.status,
    reason: dispute.reason,
    provider_reason: dispute.providerReason,
    evidence_due_by: writeNullableTimestamp(dispute.evidenceDueBy, "disputes.evidence_due_by"),
    status_history: writeJson(dispute.statusHistory),
    opened_at: writeTimestamp(dispute.openedAt, "disputes.opened_at"),
    closed_at: writeNullableTimestamp(dispute.closedAt, "disputes.closed_at"),
    reported_at: writeTimestamp(dispute.reportedAt, "disputes.reported_at"),
    created_at: writeTimestamp(dispute.createdAt, "disputes.created_at"),
    updated_at: writeTimestamp(dispute.updatedAt, "disputes.updated_at"),
    version: writeInteger(dispute.version, "disputes.version"),
  };
}

export function rowToDispute(row: Selectable<DisputesTable>, dialect: StoreDialect): Dispute {
  return {
    id: readString(row.id, "disputes.id"),
    paymentId: readString(row.payment_id, "disputes.payment_id"),
    provider: readString(row.provider, "disputes.provider"),
    providerDisputeId: readString(row.provider_dispute_id, "disputes.provider_dispute_id"),
    providerPaymentId: readNullableString(row.provider_payment_id, "disputes.provider_payment_id"),
    amount: readInteger(row.amount, "disputes.amount"),
    currency: readString(row.currency, "disputes.currency"),
    status: readEnum(row.status, DISPUTE_STATUSES, "disputes.status"),
    reason: readEnum(row.reason, DISPUTE_REASONS, "disputes.reason"),
    providerReason: readString(row.provider_reason, "disputes.provider_reason"),
    evidenceDueBy: readNullableTimestamp(row.evidence_due_by, "disputes.evidence_due_by"),
    statusHistory: readStatusHistory(dialect.readJson(row.status_history, "disputes.status_history")),
    openedAt: readTimestamp(row.opened_at, "disputes.opened_at"),
    closedAt: readNullableTimestamp(row.closed_at, "disputes.closed_at"),
    reportedAt: readTimestamp(row.reported_at, "disputes.reported_at"),
    createdAt: readTimestamp(row.created_at, "disputes.created_at"),
    updatedAt: readTimestamp(row.updated_at, "disputes.updated_at"),
    version: readInteger(row.version, "disputes.version"),
  };
}

/** The statuses inside the JSON drive the same decisions as the column (stale or reopening reports): re-checked. */
function readStatusHistory(value: unknown): DisputeStatusChange[] {
  if (!Array.isArray(value)) throw badData("disputes.status_history", value, "not an array");
  return value.map((item: unknown, index) => {
    const change = item as DisputeStatusChange;
    const column = `disputes.status_history[${index}]`;
    readEnum(change?.status, DISPUTE_STATUSES, `${column}.status`);
    readString(change.providerStatus, `${column}.providerStatus`);
    readString(change.at, `${column}.at`);
    return change;
  });
}

export function customerToRow(customer: Customer): Insertable<CustomersTable> {
  return {
    id: customer.id,
    owner: customer.owner,
    email: customer.email,
    name: customer.name,
    metadata: writeJson(customer.metadata),
    provider_customer_ids: writeJson(customer.providerCustomerIds),
    default_payment_method_id: customer.defaultPaymentMethodId,
    deleted_at: writeNullableTimestamp(customer.deletedAt, "customers.deleted_at"),
    created_at: writeTimestamp(customer.createdAt, "customers.created_at"),
    updated_at: writeTimestamp(customer.updatedAt, "customers.updated_at"),
    version: writeInteger(customer.version, "customers.version"),
  };
}

export function rowToCustomer(row: Selectable<CustomersTable>, dialect: StoreDialect): Customer {
  return {
    id: readString(row.id, "customers.id"),
    owner: readString(row.owner, "customers.owner"),
    email: readNullableString(row.email, "customers.email"),
    name: readNullableString(row.name, "customers.name"),
    metadata: readStringRecord(dialect.readJson(row.metadata, "customers.metadata"), "customers.metadata"),
    providerCustomerIds: readStringRecord(dialect.readJson(row.provider_customer_ids, "customers.provider_customer_ids"), "customers.provider_customer_ids"),
    defaultPaymentMethodId: readNullableString(row.default_payment_method_id, "customers.default_payment_method_id"),
    deletedAt: readNullableTimestamp(row.deleted_at, "customers.deleted_at"),
    createdAt: readTimestamp(row.created_at, "customers.created_at"),
    updatedAt: readTimestamp(row.updated_at, "customers.updated_at"),
    version: readInteger(row.version, "customers.version"),
  };
}

export function savedPaymentMethodToRow(method: SavedPaymentMethod): Insertable<SavedPaymentMethodsTable> {
  return {
    id: method.id,
    customer_id: method.customerId,
    owner: method.owner,
    provider: method.provider,
    status: method.status,
    type: method.type,
    brand: method.brand,
    last4: method.last4,
    exp_month: method.expMonth === null ? null : writeInteger(method.expMonth, "saved_payment_methods.exp_month"),
    exp_year: method.expYear === null ? null : writeInteger(method.expYear, "saved_payment_methods.exp_year"),
    provider_payment_method_id: method.providerPaymentMethodId,
    provider_setup_id: method.providerSetupId,
    next_action: writeNullableJson(method.nextAction),
    last_error: writeNullableJson(method.lastError),
    created_at: writeTimestamp(method.createdAt, "saved_payment_methods.created_at"),
    updated_at: writeTimestamp(method.updatedAt, "saved_payment_methods.updated_at"),
    version: writeInteger(method.version, "saved_payment_methods.version"),
  };
}

export function rowToSavedPaymentMethod(row: Selectable<SavedPaymentMethodsTable>, dialect: StoreDialect): SavedPaymentMethod {
  return {
    id: readString(row.id, "saved_payment_methods.id"),
    customerId: readString(row.customer_id, "saved_payment_methods.customer_id"),
    owner: readString(row.owner, "saved_payment_methods.owner"),
    provider: readString(row.provider, "saved_payment_methods.provider"),
    // The status decides whether a method is charged: one the code does not know is refused, never passed on.
    status: readEnum(row.status, SAVED_PAYMENT_METHOD_STATUSES, "saved_payment_methods.status"),
    type: readString(row.type, "saved_payment_methods.type"),
    brand: readNullableString(row.brand, "saved_payment_methods.brand"),
    last4: readNullableString(row.last4, "saved_payment_methods.last4"),
    expMonth: readNullableInteger(row.exp_month, "saved_payment_methods.exp_month"),
    expYear: readNullableInteger(row.exp_year, "saved_payment_methods.exp_year"),
    providerPaymentMethodId: readNullableString(row.provider_payment_method_id, "saved_payment_methods.provider_payment_method_id"),
    providerSetupId: readNullableString(row.provider_setup_id, "saved_payment_methods.provider_setup_id"),
    nextAction: json(dialect, row.next_action, "saved_payment_methods.next_action") as NextAction | null,
    lastError: json(dialect, row.last_error, "saved_payment_methods.last_error") as PaymentFailure | null,
    createdAt: readTimestamp(row.created_at, "saved_payment_methods.created_at"),
    updatedAt: readTimestamp(row.updated_at, "saved_payment_methods.updated_at"),
    version: readInteger(row.version, "saved_payment_methods.version"),
  };
}

export function idempotencyToRow(record: IdempotencyRecord): Insertable<IdempotencyRecordsTable> {
  return {
    scope: record.scope,
    key: record.key,
    operation: record.operation,
    fingerprint: record.fingerprint,
    payment_id: record.paymentId,
    recovery_point: record.recoveryPoint,
    lock_id: record.lockId,
    locked_at: writeNullableTimestamp(record.lockedAt, "idempotency_records.locked_at"),
    gateway_key: record.gatewayKey,
    gateway_request: writeNullableJson(record.gatewayRequest),
    gateway_sent_at: writeNullableTimestamp(record.gatewaySentAt, "idempotency_records.gateway_sent_at"),
    gateway_attempts: record.gatewayAttempts,
    last_gateway_error: writeNullableJson(record.lastGatewayError),
    flagged_at: writeNullableTimestamp(record.flaggedAt, "idempotency_records.flagged_at"),
    outcome_unknown_since: writeNullableTimestamp(record.outcomeUnknownSince, "idempotency_records.outcome_unknown_since"),
    gateway_last_sent_at: writeNullableTimestamp(record.gatewayLastSentAt, "idempotency_records.gateway_last_sent_at"),
    outcome: writeNullableJson(record.outcome),
    created_at: writeTimestamp(record.createdAt, "idempotency_records.created_at"),
    updated_at: writeTimestamp(record.updatedAt, "idempotency_records.updated_at"),
    expires_at: writeTimestamp(record.expiresAt, "idempotency_records.expires_at"),
  };
}

export function rowToIdempotency(row: Selectable<IdempotencyRecordsTable>, dialect: StoreDialect): IdempotencyRecord {
  return {
    scope: readString(row.scope, "idempotency_records.scope"),
    key: readString(row.key, "idempotency_records.key"),
    operation: readString(row.operation, "idempotency_records.operation"),
    fingerprint: readString(row.fingerprint, "idempotency_records.fingerprint"),
    paymentId: readNullableString(row.payment_id, "idempotency_records.payment_id"),
    recoveryPoint: readEnum(row.recovery_point, RECOVERY_POINTS, "idempotency_records.recovery_point"),
    lockId: readNullableString(row.lock_id, "idempotency_records.lock_id"),
    lockedAt: readNullableTimestamp(row.locked_at, "idempotency_records.locked_at"),
    gatewayKey: readNullableString(row.gateway_key, "idempotency_records.gateway_key"),
    gatewayRequest: json(dialect, row.gateway_request, "idempotency_records.gateway_request"),
    gatewaySentAt: readNullableTimestamp(row.gateway_sent_at, "idempotency_records.gateway_sent_at"),
    gatewayAttempts: readInteger(row.gateway_attempts, "idempotency_records.gateway_attempts"),
    lastGatewayError: json(dialect, row.last_gateway_error, "idempotency_records.last_gateway_error") as PaymentErrorBody | null,
    flaggedAt: readNullableTimestamp(row.flagged_at, "idempotency_records.flagged_at"),
    outcomeUnknownSince: readNullableTimestamp(row.outcome_unknown_since, "idempotency_records.outcome_unknown_since"),
    gatewayLastSentAt: readNullableTimestamp(row.gateway_last_sent_at, "idempotency_records.gateway_last_sent_at"),
    outcome: json(dialect, row.outcome, "idempotency_records.outcome") as StoredOutcome | null,
    createdAt: readTimestamp(row.created_at, "idempotency_records.created_at"),
    updatedAt: readTimestamp(row.updated_at, "idempotency_records.updated_at"),
    expiresAt: readTimestamp(row.expires_at, "idempotency_records.expires_at"),
  };
}

export function eventToOutboxRow(event: PaymentEvent): Insertable<OutboxTable> {
  const occurredAt = writeTimestamp(event.occurredAt, "outbox.created_at");
  return {
    event_id: event.id,
    payment_id: event.paymentId,
    type: event.type,
    event: writeJson(event),
    status: "pending",
    attempts: 0,
    // Deliverable from the moment it happened: the port gives no separate clock reading for appends.
    next_attempt_at: occurredAt,
    leased_by: null,
    leased_until: null,
    last_error: null,
    delivered_at: null,
    created_at: occurredAt,
  };
}

export function rowToOutbox(row: Selectable<OutboxTable>, dialect: StoreDialect): OutboxEntry {
  return {
    sequence: readInteger(row.sequence, "outbox.sequence"),
    event: dialect.readJson(row.event, "outbox.event") as PaymentEvent,
    status: readEnum(row.status, OUTBOX_STATUSES, "outbox.status"),
    attempts: readInteger(row.attempts, "outbox.attempts"),
    nextAttemptAt: readTimestamp(row.next_attempt_at, "outbox.next_attempt_at"),
    leasedBy: readNullableString(row.leased_by, "outbox.leased_by"),
    leasedUntil: readNullableTimestamp(row.leased_until, "outbox.leased_until"),
    lastError: readNullableString(row.last_error, "outbox.last_error"),
    deliveredAt: readNullableTimestamp(row.delivered_at, "outbox.delivered_at"),
    skipReason: readNullableString(row.skip_reason, "outbox.skip_reason"),
  };
}

export function inboxToRow(event: InboxEvent): Insertable<WebhookInboxTable> {
  return {
    provider: event.provider,
    event_id: event.eventId,
    type: event.type,
    event: writeJson(event.event),
    payment_id: event.paymentId,
    provider_payment_id: event.providerPaymentId,
    status: event.status,
    attempts: writeInteger(event.attempts, "webhook_inbox.attempts"),
    received_at: writeTimestamp(event.receivedAt, "webhook_inbox.received_at"),
    processed_at: writeNullableTimestamp(event.processedAt, "webhook_inbox.processed_at"),
    last_error: event.lastError,
    outcome: event.outcome,
  };
}

export function rowToInbox(row: Selectable<WebhookInboxTable>, dialect: StoreDialect): InboxEvent {
  return {
    provider: readString(row.provider, "webhook_inbox.provider"),
    eventId: readString(row.event_id, "webhook_inbox.event_id"),
    type: readString(row.type, "webhook_inbox.type"),
    event: dialect.readJson(row.event, "webhook_inbox.event") as GatewayWebhookEvent,
    paymentId: readNullableString(row.payment_id, "webhook_inbox.payment_id"),
    providerPaymentId: readNullableString(row.provider_payment_id, "webhook_inbox.provider_payment_id"),
    status: readEnum(row.status, INBOX_STATUSES, "webhook_inbox.status"),
    attempts: readInteger(row.attempts, "webhook_inbox.attempts"),
    receivedAt: readTimestamp(row.received_at, "webhook_inbox.received_at"),
    processedAt: readNullableTimestamp(row.processed_at, "webhook_inbox.processed_at"),
    lastError: readNullableString(row.last_error, "webhook_inbox.last_error"),
    outcome: readNullableString(row.outcome, "webhook_inbox.outcome"),
  };
}
