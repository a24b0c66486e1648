import type { ColumnType, Generated, GeneratedAlways } from "kysely";

/**
 * The tables as kysely sees them. Every selected value is `unknown` on purpose: drivers return integers, booleans,
 * timestamps and JSON in different shapes, so every read goes through a checked conversion (conversions.ts).
 */
type Read<Insert> = ColumnType<unknown, Insert, Insert>;

type Text = Read<string>;
type NullableText = Read<string | null>;
type Int = Read<number>;
type NullableInt = Read<number | null>;
/** ISO-8601 text in; timestamptz (PG) or TEXT (SQLite) at rest. */
type Timestamp = Read<string>;
type NullableTimestamp = Read<string | null>;
/** JSON text in; jsonb (PG) or TEXT (SQLite) at rest. */
type Json = Read<string>;
type NullableJson = Read<string | null>;
/** boolean (PG) or 0/1 (SQLite). */
type Bool = Read<boolean | number>;

export interface PaymentsTable {
  id: Text;
  owner: Text;
  amount: Int;
  currency: Text;
  status: Text;
  provider: Text;
  provider_payment_id: NullableText;
  payment_method_id: NullableText;
  payment_method_type: NullableText;
  checkout_session_id: NullableText;
  customer_id: NullableText;
  customer_email: NullableText;
  /** `references` is a reserved word in SQL; the filterable copy lives in payment_references. */
  refs: Json;
  description: NullableText;
  capture_method: Text;
  amount_captured: Int;
  amount_refunded: Int;
  amount_refund_reserved: Int;
  authorization_expires_at: NullableTimestamp;
  next_action: NullableJson;
  last_error: NullableJson;
  disputed: Bool;
  /** Added by 0010_customers. */
  off_session: Bool;
  line_items: Json;
  metadata: Json;
  receipt_number: NullableText;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Int;
}

export interface PaymentReferencesTable {
  payment_id: Text;
  key: Text;
  value: Text;
}

export interface PaymentHistoryTable {
  /** Insertion order: several entries can share one timestamp, and their order matters. */
  seq: GeneratedAlways<unknown>;
  id: Text;
  payment_id: Text;
  from_status: NullableText;
  to_status: Text;
  at: Timestamp;
  actor: Text;
  reason: Text;
  kind: Text;
  details: NullableJson;
}

export interface RefundsTable {
  id: Text;
  payment_id: Text;
  amount: Int;
  currency: Text;
  status: Text;
  reason: Text;
  actor: Text;
  provider_refund_id: NullableText;
  failure: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Added by 0009_disputes: a dispute the provider opened against a payment, beside it. */
export interface DisputesTable {
  id: Text;
  payment_id: Text;
  provider: Text;
  provider_dispute_id: Text;
  provider_payment_id: NullableText;
  amount: Int;
  currency: Text;
  status: Text;
  reason: Text;
  provider_reason: Text;
  evidence_due_by: NullableTimestamp;
  status_history: Json;
  opened_at: Timestamp;
  closed_at: NullableTimestamp;
  reported_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Int;
}

/** Added by 0010_customers: a customer a host charges again, and what it belongs to. */
export interface CustomersTable {
  id: Text;
  owner: Text;
  email: NullableText;
  name: NullableText;
  metadata: Json;
  provider_customer_ids: Json;
  default_payment_method_id: NullableText;
  deleted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Int;
}

/** Added by 0010_customers: a payment method saved for a customer (the provider's token, never a card number). */
export interface SavedPaymentMethodsTable {
  id: Text;
  customer_id: Text;
  owner: Text;
  provider: Text;
  status: Text;
  type: Text;
  brand: NullableText;
  last4: NullableText;
  exp_month: NullableInt;
  exp_year: NullableInt;
  provider_payment_method_id: NullableText;
  provider_setup_id: NullableText;
  next_action: NullableJson;
  last_error: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Int;
}

export interface ReceiptsTable {
  payment_id: Text;
  number: Text;
  year: Int;
  issued_at: Timestamp;
}

export interface ReceiptCountersTable {
  year: Int;
  last_number: Int;
}

export interface IdempotencyRecordsTable {
  scope: Text;
  key: Text;
  operation: Text;
  fingerprint: Text;
  payment_id: NullableText;
  recovery_point: Text;
  lock_id: NullableText;
  locked_at: NullableTimestamp;
  gateway_key: NullableText;
  gateway_request: NullableJson;
  gateway_sent_at: NullableTimestamp;
  /** Added by 0004_gateway_attempts. */
  gateway_attempts: Generated<number>;
  last_gateway_error: NullableJson;
  flagged_at: NullableTimestamp;
  outcome_unknown_since: NullableTimestamp;
  gateway_last_sent_at: NullableTimestamp;
  outcome: NullableJson;
  created_at: Timestamp;
  updated_at: Timestamp;
  expires_at: Timestamp;
}

export interface OutboxTable {
  sequence: GeneratedAlways<unknown>;
  event_id: Text;
  payment_id: Text;
  type: Text;
  event: Json;
  status: Text;
  attempts: Int;
  next_attempt_at: Timestamp;
  leased_by: NullableText;
  leased_until: NullableTimestamp;
  last_error: NullableText;
  delivered_at: NullableTimestamp;
  created_at: Timestamp;
  /** Added by 0002_outbox_skip_reason. */
  skip_reason: NullableText;
}

/** Added by 0003_webhook_inbox (which replaced the first-seen markers of `webhook_events`). */
export interface WebhookInboxTable {
  provider: Text;
  event_id: Text;
  type: Text;
  event: Json;
  payment_id: NullableText;
  provider_payment_id: NullableText;
  status: Text;
  attempts: Int;
  received_at: Timestamp;
  processed_at: NullableTimestamp;
  last_error: NullableText;
  outcome: NullableText;
}

/** Counters per (status, provider, currency, shard), kept by triggers (payment-totals-ddl.ts); never written by the store. */
export interface PaymentTotalsTable {
  status: Text;
  provider: Text;
  currency: Text;
  shard: Int;
  count: Int;
  amount_high: Int;
  amount_low: Int;
  captured_high: Int;
  captured_low: Int;
  refunded_high: Int;
  refunded_low: Int;
}

export interface Database {
  payments: PaymentsTable;
  payment_totals: PaymentTotalsTable;
  payment_references: PaymentReferencesTable;
  payment_history: PaymentHistoryTable;
  refunds: RefundsTable;
  disputes: DisputesTable;
  customers: CustomersTable;
  saved_payment_methods: SavedPaymentMethodsTable;
  receipts: ReceiptsTable;
  receipt_counters: ReceiptCountersTable;
  idempotency_records: IdempotencyRecordsTable;
  outbox: OutboxTable;
  webhook_inbox: WebhookInboxTable;
}

/**
 * Every table, children before parents (and the totals the payments feed last), for tests that empty the store.
 * The deferred-writes layer also reads a statement's tables from this list (compiled-statements.ts): a table
 * missing here would let a read travel with a held write of that table and miss its rows.
 */
export const TABLES: readonly (keyof Database)[] = [
  "payment_references",
  "payment_history",
  "refunds",
  "disputes",
  // Methods before their customers (the foreign key).
  "saved_payment_methods",
  "customers",
  "receipts",
  "receipt_counters",
  "idempotency_records",
  "outbox",
  "webhook_inbox",
  "payments",
  // After payments: deleting a payment takes its share out of the totals (a trigger), which must then go too.
  "payment_totals",
];

/**
 * The columns that hold JSON (jsonb on PostgreSQL, TEXT on SQLite), per table: a name can be JSON in one table and
 * text in another (`last_error`, `outcome`). A statement that rewrites a parameter in SQL (receipts-at-commit.ts)
 * casts it back to jsonb for these. A test compares them with the jsonb columns PostgreSQL reports after the
 * migrations.
 */
export const JSON_COLUMNS: Readonly<Record<keyof Database, ReadonlySet<string>>> = {
  payments: new Set(["refs", "next_action", "last_error", "line_items", "metadata"]),
  payment_totals: new Set(),
  payment_references: new Set(),
  payment_history: new Set(["details"]),
  refunds: new Set(["failure"]),
  disputes: new Set(["status_history"]),
  customers: new Set(["metadata", "provider_customer_ids"]),
  saved_payment_methods: new Set(["next_action", "last_error"]),
  receipts: new Set(),
  receipt_counters: new Set(),
  idempotency_records: new Set(["gateway_request", "last_gateway_error", "outcome"]),
  outbox: new Set(["event"]),
  webhook_inbox: new Set(["event"]),
};

/** Whether `column` holds JSON in one of `tables` (a write statement names the one table it writes). */
export function isJsonColumn(tables: ReadonlySet<string>, column: string): boolean {
  for (const table of tables) if ((JSON_COLUMNS as Record<string, ReadonlySet<string> | undefined>)[table]?.has(column) === true) return true;
  return false;
}
