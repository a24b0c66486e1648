import { sql } from "kysely";
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from "kysely";
import type { ColumnTypes } from "./store-dialect.js";

/**
 * The schema, as forward-only migrations defined in code (so they bundle with the adapter rather than being read
 * from a folder at run time). Names sort in the order they run. Never edit a released migration: add the next one.
 * Each migration receives the dialect's column types, so one definition serves PostgreSQL and SQLite.
 */
export const MIGRATION_NAMES = [
  "0001_initial",
  "0002_outbox_skip_reason",
  "0003_webhook_inbox",
  "0004_gateway_attempts",
  "0005_payments_updated_at",
  "0006_outbox_open_events",
  "0007_payment_totals",
  "0008_search_indexes",
  "0009_disputes",
  "0010_customers",
  "0011_smaller_indexes",
] as const;

function initial(types: ColumnTypes): Migration {
  const serial = <T extends string, C extends string>(table: CreateTableBuilder<T, C>, column: string) =>
    table.addColumn(column, types.serial.type, (col) =>
      types.serial.autoIncrement ? col.primaryKey().autoIncrement() : col.primaryKey(),
    );
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("payments")
        .ifNotExists()
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("owner", "text", (col) => col.notNull())
        .addColumn("amount", types.int64, (col) => col.notNull())
        .addColumn("currency", "text", (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("provider_payment_id", "text")
        .addColumn("payment_method_id", "text")
        .addColumn("payment_method_type", "text")
        .addColumn("checkout_session_id", "text")
        .addColumn("customer_id", "text")
        .addColumn("customer_email", "text")
        .addColumn("refs", types.json, (col) => col.notNull())
        .addColumn("description", "text")
        .addColumn("capture_method", "text", (col) => col.notNull())
        .addColumn("amount_captured", types.int64, (col) => col.notNull())
        .addColumn("amount_refunded", types.int64, (col) => col.notNull())
        .addColumn("amount_refund_reserved", types.int64, (col) => col.notNull())
        .addColumn("authorization_expires_at", types.timestamp)
        .addColumn("next_action", types.json)
        .addColumn("last_error", types.json)
        .addColumn("disputed", types.boolean, (col) => col.notNull())
        .addColumn("line_items", types.json, (col) => col.notNull())
        .addColumn("metadata", types.json, (col) => col.notNull())
        .addColumn("receipt_number", "text")
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .addColumn("version", types.int64, (col) => col.notNull())
        // The refund invariant, enforced by the database as a last line of defence against a racing bug.
        .addCheckConstraint(
          "payments_refunds_within_capture",
          sql`amount_captured >= 0 and amount_refunded >= 0 and amount_refund_reserved >= 0 and amount_refunded + amount_refund_reserved <= amount_captured`,
        )
        .execute();
      // List filters all page by id (newest first), so each filter column leads an index that ends in id.
      await db.schema.createIndex("payments_status_id").ifNotExists().on("payments").columns(["status", "id"]).execute();
      await db.schema.createIndex("payments_provider_id").ifNotExists().on("payments").columns(["provider", "id"]).execute();
      await db.schema.createIndex("payments_owner_id").ifNotExists().on("payments").columns(["owner", "id"]).execute();
      await db.schema.createIndex("payments_created_at").ifNotExists().on("payments").column("created_at").execute();
      await db.schema
        .createIndex("payments_provider_payment_id")
        .ifNotExists()
        .on("payments")
        .columns(["provider", "provider_payment_id"])
        .where(sql.ref("provider_payment_id"), "is not", null)
        .execute();
      await db.schema
        .createIndex("payments_authorization_expires_at")
        .ifNotExists()
        .on("payments")
        .column("authorization_expires_at")
        .where(sql.ref("authorization_expires_at"), "is not", null)
        .execute();

      // References are free keys (booking, order, trip, ...): a key/value table indexes all of them alike.
      await db.schema
        .createTable("payment_references")
        .ifNotExists()
        .addColumn("payment_id", "text", (col) => col.notNull().references("payments.id").onDelete("cascade"))
        .addColumn("key", "text", (col) => col.notNull())
        .addColumn("value", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("payment_references_pk", ["payment_id", "key"])
        .execute();
      await db.schema
        .createIndex("payment_references_lookup")
        .ifNotExists()
        .on("payment_references")
        .columns(["key", "value", "payment_id"])
        .execute();

      await serial(db.schema.createTable("payment_history").ifNotExists(), "seq")
        .addColumn("id", "text", (col) => col.notNull().unique())
        .addColumn("payment_id", "text", (col) => col.notNull().references("payments.id").onDelete("cascade"))
        .addColumn("from_status", "text")
        .addColumn("to_status", "text", (col) => col.notNull())
        .addColumn("at", types.timestamp, (col) => col.notNull())
        .addColumn("actor", "text", (col) => col.notNull())
        .addColumn("reason", "text", (col) => col.notNull())
        .addColumn("kind", "text", (col) => col.notNull())
        .addColumn("details", types.json)
        .execute();
      await db.schema
        .createIndex("payment_history_payment")
        .ifNotExists()
        .on("payment_history")
        .columns(["payment_id", "seq"])
        .execute();

      await db.schema
        .createTable("refunds")
        .ifNotExists()
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("payment_id", "text", (col) => col.notNull().references("payments.id").onDelete("cascade"))
        .addColumn("amount", types.int64, (col) => col.notNull())
        .addColumn("currency", "text", (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("reason", "text", (col) => col.notNull())
        .addColumn("actor", "text", (col) => col.notNull())
        .addColumn("provider_refund_id", "text")
        .addColumn("failure", types.json)
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex("refunds_payment")
        .ifNotExists()
        .on("refunds")
        .columns(["payment_id", "created_at"])
        .execute();

      // One counter row per year, incremented under a lock held to commit: unique, gap-free numbers.
      await db.schema
        .createTable("receipt_counters")
        .ifNotExists()
        .addColumn("year", types.int64, (col) => col.primaryKey())
        .addColumn("last_number", types.int64, (col) => col.notNull())
        .execute();
      await db.schema
        .createTable("receipts")
        .ifNotExists()
        .addColumn("payment_id", "text", (col) => col.primaryKey().references("payments.id").onDelete("cascade"))
        .addColumn("number", "text", (col) => col.notNull().unique())
        .addColumn("year", types.int64, (col) => col.notNull())
        .addColumn("issued_at", types.timestamp, (col) => col.notNull())
        .execute();

      await db.schema
        .createTable("idempotency_records")
        .ifNotExists()
        .addColumn("scope", "text", (col) => col.notNull())
        .addColumn("key", "text", (col) => col.notNull())
        .addColumn("operation", "text", (col) => col.notNull())
        .addColumn("fingerprint", "text", (col) => col.notNull())
        .addColumn("payment_id", "text")
        .addColumn("recovery_point", "text", (col) => col.notNull())
        .addColumn("lock_id", "text")
        .addColumn("locked_at", types.timestamp)
        .addColumn("gateway_key", "text")
        .addColumn("gateway_request", types.json)
        .addColumn("gateway_sent_at", types.timestamp)
        .addColumn("outcome", types.json)
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .addColumn("expires_at", types.timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint("idempotency_records_pk", ["scope", "key"])
        .execute();
      // The sweep only ever deletes finished records; the partial index holds nothing else.
      await db.schema
        .createIndex("idempotency_records_sweep")
        .ifNotExists()
        .on("idempotency_records")
        .column("expires_at")
        .where(sql.ref("recovery_point"), "=", sql.lit("finished"))
        .execute();
      await db.schema
        .createIndex("idempotency_records_recovery")
        .ifNotExists()
        .on("idempotency_records")
        .columns(["recovery_point", "updated_at"])
        .execute();

      await serial(db.schema.createTable("outbox").ifNotExists(), "sequence")
        .addColumn("event_id", "text", (col) => col.notNull().unique())
        .addColumn("payment_id", "text", (col) => col.notNull())
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("event", types.json, (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("attempts", types.int64, (col) => col.notNull())
        .addColumn("next_attempt_at", types.timestamp, (col) => col.notNull())
        .addColumn("leased_by", "text")
        .addColumn("leased_until", types.timestamp)
        .addColumn("last_error", "text")
        .addColumn("delivered_at", types.timestamp)
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .execute();
      // Claims: the due scan, and the per-payment "is there an older undelivered event" probe.
      await db.schema
        .createIndex("outbox_due")
        .ifNotExists()
        .on("outbox")
        .columns(["status", "next_attempt_at", "sequence"])
        .execute();
      await db.schema
        .createIndex("outbox_payment")
        .ifNotExists()
        .on("outbox")
        .columns(["payment_id", "sequence"])
        .execute();
      await db.schema
        .createIndex("outbox_delivered")
        .ifNotExists()
        .on("outbox")
        .column("delivered_at")
        .where(sql.ref("status"), "=", sql.lit("delivered"))
        .execute();

      await db.schema
        .createTable("webhook_events")
        .ifNotExists()
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("event_id", "text", (col) => col.notNull())
        .addColumn("received_at", types.timestamp, (col) => col.notNull())
        .addPrimaryKeyConstraint("webhook_events_pk", ["provider", "event_id"])
        .execute();
      await db.schema
        .createIndex("webhook_events_received_at")
        .ifNotExists()
        .on("webhook_events")
        .column("received_at")
        .execute();
    },
  };
}

/** Operators may skip a dead outbox event (status `skipped`, a text value needing no DDL); the reason is kept. */
const outboxSkipReason: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("outbox").addColumn("skip_reason", "text").execute();
  },
};

/**
 * The durable webhook inbox replaces the first-seen markers: every verified provider event is kept (parsed, never
 * its signature) with its status, so an event can be held until its payment appears and replayed by an operator.
 * Existing markers become processed events, so a provider's redelivery of an event applied before the upgrade is
 * still recognised as a duplicate; then the marker table goes.
 */
function webhookInbox(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("webhook_inbox")
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("event_id", "text", (col) => col.notNull())
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("event", types.json, (col) => col.notNull())
        .addColumn("payment_id", "text")
        .addColumn("provider_payment_id", "text")
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("attempts", types.int64, (col) => col.notNull())
        .addColumn("received_at", types.timestamp, (col) => col.notNull())
        .addColumn("processed_at", types.timestamp)
        .addColumn("last_error", "text")
        .addColumn("outcome", "text")
        .addPrimaryKeyConstraint("webhook_inbox_pk", ["provider", "event_id"])
        .execute();
      // The sweep and `webhooks list --status`: by status, oldest first.
      await db.schema.createIndex("webhook_inbox_status").on("webhook_inbox").columns(["status", "received_at"]).execute();
      // Held events of a payment, looked up after each settled operation, by either of its ids.
      await db.schema
        .createIndex("webhook_inbox_payment")
        .on("webhook_inbox")
        .columns(["payment_id", "status"])
        .where(sql.ref("payment_id"), "is not", null)
        .execute();
      await db.schema
        .createIndex("webhook_inbox_provider_payment")
        .on("webhook_inbox")
        .columns(["provider_payment_id", "status"])
        .where(sql.ref("provider_payment_id"), "is not", null)
        .execute();
      await db.schema
        .createIndex("webhook_inbox_processed")
        .on("webhook_inbox")
        .column("processed_at")
        .where(sql.ref("status"), "=", sql.lit("processed"))
        .execute();

      const markers = (await db.selectFrom("webhook_events").selectAll().execute()) as Array<{ provider: string; event_id: string; received_at: unknown }>;
      for (let i = 0; i < markers.length; i += 200) {
        const rows = markers.slice(i, i + 200).map((m) => {
          const at = m.received_at instanceof Date ? m.received_at.toISOString() : String(m.received_at);
          const event = { kind: "ignored", provider: m.provider, eventId: m.event_id, type: "unknown", occurredAt: at };
          return {
            provider: m.provider,
            event_id: m.event_id,
            type: "unknown",
            event: JSON.stringify(event),
            payment_id: null,
            provider_payment_id: null,
            status: "processed",
            attempts: 1,
            received_at: at,
            processed_at: at,
            last_error: null,
            outcome: "processed before the inbox existed (migrated marker)",
          };
        });
        await db.insertInto("webhook_inbox").values(rows).execute();
      }
      await db.schema.dropTable("webhook_events").execute();
    },
  };
}

/**
 * The attempt policy: how many phase-2 sends of an operation ended without a definite answer, the last such answer
 * (an unknown outcome makes the next attempt look the object up first), and when the policy was spent and the
 * operation flagged for an operator. Existing records start at zero attempts.
 */
function gatewayAttempts(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable("idempotency_records")
        .addColumn("gateway_attempts", "integer", (col) => col.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable("idempotency_records").addColumn("last_gateway_error", types.json).execute();
      await db.schema.alterTable("idempotency_records").addColumn("flagged_at", types.timestamp).execute();
      await db.schema.alterTable("idempotency_records").addColumn("outcome_unknown_since", types.timestamp).execute();
      await db.schema.alterTable("idempotency_records").addColumn("gateway_last_sent_at", types.timestamp).execute();
    },
  };
}

/**
 * Reconcile's activity window lists payments by `updated_at >= since` (every payment captured, refunded or corrected
 * in the window, however old), so that filter gets an index of its own: without it the window is a full scan.
 */
const paymentsUpdatedAt: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex("payments_updated_at").ifNotExists().on("payments").column("updated_at").execute();
  },
};

/**
 * The outbox claim reads only its batch. `outbox_due` (status, next_attempt_at, sequence) handed the claim every due
 * pending event, which it then anti-joined and sorted: O(backlog) per claim, so draining a backlog was quadratic.
 * Two partial indexes hold only the events still to deliver, whatever the table's history of delivered ones:
 * - `outbox_pending`: pending events in sequence order. The claim walks it oldest first and stops at its limit.
 * - `outbox_open_by_payment`: a payment's pending and dead events (undelivered, unskipped: those that hold back the
 *   payment's later ones), so "is there an older open event of this payment" is one probe.
 * The claim's WHERE repeats each index's predicate with literals, as SQLite needs to use a partial index.
 * `outbox_due` goes: the claim was its only reader, and while it exists SQLite's planner prefers its due-range
 * (then sorts the whole range) over the ordered walk; every delivery also had to move its entry.
 */
const outboxOpenEvents: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex("outbox_due").execute();
    await db.schema
      .createIndex("outbox_pending")
      .on("outbox")
      .column("sequence")
      .where(sql.ref("status"), "=", sql.lit("pending"))
      .execute();
    await db.schema
      .createIndex("outbox_open_by_payment")
      .on("outbox")
      .columns(["payment_id", "sequence"])
      .where(sql.ref("status"), "in", sql`(${sql.lit("pending")}, ${sql.lit("dead")})`)
      .execute();
  },
};

/**
 * All-time stats without a scan: `payment_totals` holds, per (status, provider, currency) and shard, the count of
 * payments in that group and their amounts summed in 32-bit halves (`amount >> 32`, `amount & 0xffffffff`, each
 * sum far from overflowing, recombined exactly as bigint on read). Triggers on payments keep it in step in the
 * very statement that writes the payment, so no write path can forget it (the store's, an operator's, a later
 * migration's). PostgreSQL spreads each group over 64 shards by payment id, so concurrent charges rarely wait on
 * one counter row until commit; SQLite, with one writer, uses shard 0. The table is filled from the payments
 * already there, under a lock that keeps writers out until the triggers exist.
 */
function paymentTotals(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      let table = db.schema
        .createTable("payment_totals")
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("currency", "text", (col) => col.notNull())
        .addColumn("shard", "integer", (col) => col.notNull());
      for (const column of TOTAL_COLUMNS) table = table.addColumn(column, types.int64, (col) => col.notNull());
      await table.addPrimaryKeyConstraint("payment_totals_pkey", ["status", "provider", "currency", "shard"]).execute();
      for (const statement of types.paymentTotalsDdl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * The search filters (customer, email, currency, amount range, disputed, metadata), each answered by an index rather
 * than a walk of every payment, and the lookup of a refund by the provider's id. Equality filters page by id (newest first), so their column leads an index that
 * ends in id, as in 0001; the amount range reads `payments_amount` and sorts what it found. `updatedTo` uses
 * 0005's `payments_updated_at`. Metadata is free-form JSON: PostgreSQL indexes it with GIN (containment of any
 * key); SQLite has no index over arbitrary JSON keys, so a metadata search there reads the rows its other filters
 * leave (see the README).
 */
function searchIndexes(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      const byColumnThenId = ["customer_id", "customer_email", "currency", "disputed"];
      for (const column of byColumnThenId) {
        await db.schema.createIndex(`payments_${column}_id`).ifNotExists().on("payments").columns([column, "id"]).execute();
      }
      await db.schema.createIndex("payments_amount").ifNotExists().on("payments").column("amount").execute();
      // Support's lookup by a provider's refund id (a Stripe re_…): partial, as most refunds' ids are set but not all.
      await db.schema
        .createIndex("refunds_provider_refund_id")
        .ifNotExists()
        .on("refunds")
        .column("provider_refund_id")
        .where(sql.ref("provider_refund_id"), "is not", null)
        .execute();
      for (const statement of types.metadataIndexDdl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * Disputes, a table of their own beside the payment (a payment's status never changes because of one). Types as
 * for payments: the amount and version 64-bit, instants the dialect's timestamp (timestamptz, or canonical UTC text
 * on SQLite, so text order is time order), the status history the dialect's JSON. A provider's dispute id is unique
 * per provider: the loser of two racing deliveries of the same dispute fails on it (`conflict`) and re-reads.
 * Deleting a payment deletes its disputes, as its refunds.
 *
 * Lists page by id, newest first, so each equality filter's column leads an index that ends in id (as payments'
 * do): payment_id (which also serves `listPaymentDisputes`, oldest first, and the cascade from payments), status,
 * provider and currency. The unique (provider, provider_dispute_id) cannot serve the provider filter's id order,
 * hence its own index. The instant filters read a range of their column and sort what they found, as payments'
 * created_at does: `opened_at` (the list's window and the stats' window) and `evidence_due_by`, partial on the
 * disputes that have one (most closed ones do not).
 */
function disputes(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("disputes")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("payment_id", "text", (col) => col.notNull().references("payments.id").onDelete("cascade"))
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("provider_dispute_id", "text", (col) => col.notNull())
        .addColumn("provider_payment_id", "text")
        .addColumn("amount", types.int64, (col) => col.notNull())
        .addColumn("currency", "text", (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("reason", "text", (col) => col.notNull())
        .addColumn("provider_reason", "text", (col) => col.notNull())
        .addColumn("evidence_due_by", types.timestamp)
        .addColumn("status_history", types.json, (col) => col.notNull())
        .addColumn("opened_at", types.timestamp, (col) => col.notNull())
        .addColumn("closed_at", types.timestamp)
        .addColumn("reported_at", types.timestamp, (col) => col.notNull())
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .addColumn("version", types.int64, (col) => col.notNull())
        .addUniqueConstraint("disputes_provider_dispute_id", ["provider", "provider_dispute_id"])
        .execute();
      for (const column of ["payment_id", "status", "provider", "currency"]) {
        await db.schema.createIndex(`disputes_${column}_id`).on("disputes").columns([column, "id"]).execute();
      }
      await db.schema.createIndex("disputes_opened_at").on("disputes").column("opened_at").execute();
      await db.schema
        .createIndex("disputes_evidence_due_by")
        .on("disputes")
        .column("evidence_due_by")
        .where(sql.ref("evidence_due_by"), "is not", null)
        .execute();
    },
  };
}

/**
 * Customers and their saved payment methods. Types as for payments: versions and expiry 64-bit integers, instants
 * the dialect's timestamp, metadata, the provider customer ids, the next action and the last error the dialect's
 * JSON. A saved method names its customer (a foreign key, no cascade: a customer is deleted by marking it,
 * `deleted_at`, never by removing its row, which its payments and methods still name).
 *
 * The customer list pages by id, newest first, so the owner and email filters each lead an index ending in id.
 * `deleted: true` reads a partial index of the deleted customers' ids (few of them); `deleted: false` reads no index
 * of its own: live customers are nearly all of them, so the primary key walked newest first, skipping the deleted,
 * fills a page at once, and an index of their ids would repeat the primary key for every write. A method's list
 * reads (customer_id, id), oldest first. The provider's token and setup object are indexed for lookups by them
 * (a webhook about a setup, a token the provider names) but not unique: a token detached and saved again, or
 * reused by the provider, may repeat.
 *
 * A payment charged with a saved method while the customer is away says so (`off_session`); every payment stored
 * before had its customer present, hence the default. Unreleased with the rest of 0010, so it joins it.
 */
function customers(types: ColumnTypes): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable("payments")
        .addColumn("off_session", types.boolean, (col) => col.notNull().defaultTo(false))
        .execute();
      await db.schema
        .createTable("customers")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("owner", "text", (col) => col.notNull())
        .addColumn("email", "text")
        .addColumn("name", "text")
        .addColumn("metadata", types.json, (col) => col.notNull())
        .addColumn("provider_customer_ids", types.json, (col) => col.notNull())
        .addColumn("default_payment_method_id", "text")
        .addColumn("deleted_at", types.timestamp)
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .addColumn("version", types.int64, (col) => col.notNull())
        .execute();
      for (const column of ["owner", "email"]) {
        await db.schema.createIndex(`customers_${column}_id`).on("customers").columns([column, "id"]).execute();
      }
      await db.schema.createIndex("customers_deleted_id").on("customers").column("id").where(sql.ref("deleted_at"), "is not", null).execute();
      await db.schema
        .createTable("saved_payment_methods")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("customer_id", "text", (col) => col.notNull().references("customers.id"))
        .addColumn("owner", "text", (col) => col.notNull())
        .addColumn("provider", "text", (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("brand", "text")
        .addColumn("last4", "text")
        .addColumn("exp_month", types.int64)
        .addColumn("exp_year", types.int64)
        .addColumn("provider_payment_method_id", "text")
        .addColumn("provider_setup_id", "text")
        .addColumn("next_action", types.json)
        .addColumn("last_error", types.json)
        .addColumn("created_at", types.timestamp, (col) => col.notNull())
        .addColumn("updated_at", types.timestamp, (col) => col.notNull())
        .addColumn("version", types.int64, (col) => col.notNull())
        .execute();
      await db.schema.createIndex("saved_payment_methods_customer_id_id").on("saved_payment_methods").columns(["customer_id", "id"]).execute();
      for (const column of ["provider_payment_method_id", "provider_setup_id"]) {
        await db.schema.createIndex(`saved_payment_methods_${column}`).on("saved_payment_methods").columns(["provider", column]).execute();
      }
    },
  };
}

/**
 * Bytes per payment (issue 17): each index holds only what some query reads, measured by the scale bench.
 *
 * - `payment_history.id` loses its unique index: nothing looks an entry up by id (a payment's entries are read by
 *   payment, in `seq` order), and the ids are fresh ULIDs, so the index only cost ~140 bytes per payment. SQLite
 *   cannot drop a UNIQUE constraint in place, so there the table is rebuilt (rows, `seq` values and the
 *   autoincrement counter kept): one pass over the history, inside the migration's transaction.
 * - `payment_history_payment` becomes (payment_id): SQLite orders an index's equal keys by rowid, which is `seq`,
 *   so the list still needs no sort; PostgreSQL stores a payment's several entries under one key (deduplication),
 *   where (payment_id, seq) was one key per entry.
 * - The customer and email filters' indexes hold only payments that have a customer / an email (the filter's
 *   `=` implies `is not null`, so both engines use them); most payments have neither.
 * - `payments_disputed_id` holds only disputed payments (few): `disputed = true` reads it (SQLite matches the bound
 *   value against the index's condition and re-plans when it changes; PostgreSQL plans list statements with their
 *   values). `disputed = false` is nearly every payment, found at once by the primary key walked newest first.
 * - `payments_provider_payment_id` is keyed by the provider's id alone: a lookup finds one or two rows and checks the
 *   provider on them, without storing the provider's name again in every entry.
 * - `payment_references_lookup` is (key, value): the payment id is read from the row it finds (one probe per match),
 *   no longer repeated in every entry.
 * - `payments_authorization_expires_at` holds the payments with an expiry by id, carrying the expiry: the filter
 *   pages newest first, so it walks this index from the newest and stops at a page of matches, skipping only the
 *   recent authorizations not yet due, instead of reading every expiry before the bound (every authorization of the
 *   past year) and sorting them by id (O(n): 4.7x from 10k to 100k payments on SQLite).
 */
function smallerIndexes(types: ColumnTypes): Migration {
  // SQLite's serial is `integer primary key autoincrement`; only there must a table be rebuilt to drop a constraint.
  const sqlite = types.serial.autoIncrement;
  return {
    async up(db: Kysely<any>) {
      if (sqlite) await rebuildHistoryWithoutUniqueId(db, types);
      else {
        await db.schema.alterTable("payment_history").dropConstraint("payment_history_id_key").execute();
        await db.schema.dropIndex("payment_history_payment").execute();
      }
      await db.schema.createIndex("payment_history_payment").on("payment_history").column("payment_id").execute();

      for (const column of ["customer_id", "customer_email"]) {
        await db.schema.dropIndex(`payments_${column}_id`).execute();
        await db.schema
          .createIndex(`payments_${column}_id`)
          .on("payments")
          .columns([column, "id"])
          .where(sql.ref(column), "is not", null)
          .execute();
      }
      await db.schema.dropIndex("payments_disputed_id").execute();
      await db.schema
        .createIndex("payments_disputed_id")
        .on("payments")
        .columns(["disputed", "id"])
        .where(sql.ref("disputed"), "=", sqlite ? sql.lit(1) : sql.lit(true))
        .execute();
      await db.schema.dropIndex("payments_provider_payment_id").execute();
      await db.schema
        .createIndex("payments_provider_payment_id")
        .on("payments")
        .column("provider_payment_id")
        .where(sql.ref("provider_payment_id"), "is not", null)
        .execute();
      await db.schema.dropIndex("payments_authorization_expires_at").execute();
      await db.schema
        .createIndex("payments_authorization_expires_at")
        .on("payments")
        .columns(["id", "authorization_expires_at"])
        .where(sql.ref("authorization_expires_at"), "is not", null)
        .execute();
      await db.schema.dropIndex("payment_references_lookup").execute();
      await db.schema.createIndex("payment_references_lookup").on("payment_references").columns(["key", "value"]).execute();
    },
  };
}

/**
 * SQLite: payment_history as 0001 made it, without the UNIQUE on id. Rows are copied with their `seq`, and the
 * autoincrement counter carries over (it may be past the largest `seq` left), so no later entry reuses a number.
 * Nothing references payment_history, so it can be dropped and the copy renamed in place.
 */
async function rebuildHistoryWithoutUniqueId(db: Kysely<any>, types: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("payment_history_rebuilt")
    .addColumn("seq", types.serial.type, (col) => col.primaryKey().autoIncrement())
    .addColumn("id", "text", (col) => col.notNull())
    .addColumn("payment_id", "text", (col) => col.notNull().references("payments.id").onDelete("cascade"))
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (col) => col.notNull())
    .addColumn("at", types.timestamp, (col) => col.notNull())
    .addColumn("actor", "text", (col) => col.notNull())
    .addColumn("reason", "text", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("details", types.json)
    .execute();
  const columns = sql.raw("seq, id, payment_id, from_status, to_status, at, actor, reason, kind, details");
  await sql`insert into payment_history_rebuilt (${columns}) select ${columns} from payment_history order by seq`.execute(db);
  await sql`delete from sqlite_sequence where name = 'payment_history_rebuilt'`.execute(db);
  await sql`insert into sqlite_sequence (name, seq) select 'payment_history_rebuilt', seq from sqlite_sequence where name = 'payment_history'`.execute(db);
  await db.schema.dropTable("payment_history").execute();
  await db.schema.alterTable("payment_history_rebuilt").renameTo("payment_history").execute();
}

/** The counters of `payment_totals` beside its key, in the order the dialects' DDL writes them. */
export const TOTAL_COLUMNS = [
  "count",
  "amount_high",
  "amount_low",
  "captured_high",
  "captured_low",
  "refunded_high",
  "refunded_low",
] as const;

/** The migrations for a dialect's column types, as kysely's `Migrator` wants them. */
export function paymentMigrations(types: ColumnTypes): MigrationProvider {
  const migrations: Record<(typeof MIGRATION_NAMES)[number], Migration> = {
    "0001_initial": initial(types),
    "0002_outbox_skip_reason": outboxSkipReason,
    "0003_webhook_inbox": webhookInbox(types),
    "0004_gateway_attempts": gatewayAttempts(types),
    "0005_payments_updated_at": paymentsUpdatedAt,
    "0006_outbox_open_events": outboxOpenEvents,
    "0007_payment_totals": paymentTotals(types),
    "0008_search_indexes": searchIndexes(types),
    "0009_disputes": disputes(types),
    "0010_customers": customers(types),
    "0011_smaller_indexes": smallerIndexes(types),
  };
  return { getMigrations: async () => migrations };
}
