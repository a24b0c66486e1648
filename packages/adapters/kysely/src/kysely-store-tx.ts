import { PaymentError } from "@org/payments-core";
import type {
  HistoryEntry,
  IdempotencyRecord,
  Payment,
  PaymentEvent,
  PaymentStoreTx,
  Refund,
} from "@org/payments-core";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { readInteger, readString, writeTimestamp } from "./conversions.js";
import type { Database } from "./database.js";
import { formatReceiptNumber } from "./receipt-number.js";
import {
  eventToOutboxRow,
  historyToRow,
  idempotencyToRow,
  paymentToRow,
  refundToRow,
  rowToIdempotency,
  rowToPayment,
  rowToRefund,
} from "./row-mappers.js";
import type { StoreDialect } from "./store-dialect.js";

/**
 * The reads and writes of one transaction. Every guarded write is a single compare-and-set statement whose row
 * count says who won, so the promises hold on PostgreSQL at READ COMMITTED (a concurrent UPDATE waits for the
 * row and re-checks its WHERE against the committed row) and on SQLite (writers are serialized by BEGIN IMMEDIATE).
 */
export class KyselyStoreTx implements PaymentStoreTx {
  readonly #db: Kysely<Database>;
  readonly #dialect: StoreDialect;

  constructor(db: Kysely<Database>, dialect: StoreDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async getPayment(id: string): Promise<Payment | null> {
    const row = await this.#db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToPayment(row, this.#dialect);
  }

  async findPaymentByProviderId(provider: string, providerPaymentId: string): Promise<Payment | null> {
    // Not unique by schema: a provider could in principle reuse an id across accounts. The newest payment wins.
    const row = await this.#db
      .selectFrom("payments")
      .selectAll()
      .where("provider", "=", provider)
      .where("provider_payment_id", "=", providerPaymentId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : rowToPayment(row, this.#dialect);
  }

  async insertPayment(payment: Payment): Promise<void> {
    try {
      await this.#db.insertInto("payments").values(paymentToRow(payment, this.#dialect)).execute();
    } catch (cause) {
      if (this.#dialect.isUniqueViolation(cause)) {
        throw new PaymentError("conflict", `payment ${payment.id} already exists`, { cause });
      }
      throw cause;
    }
    await this.#writeReferences(payment);
  }

  async updatePayment(next: Payment, expectedVersion: number): Promise<Payment | null> {
    if (next.version !== expectedVersion + 1) {
      throw new PaymentError("internal", `payment ${next.id}: version ${next.version} does not follow ${expectedVersion}`);
    }
    // id and created_at never change; everything else is the caller's new state.
    const { id: _id, created_at: _createdAt, ...changes } = paymentToRow(next, this.#dialect);
    const result = await this.#db
      .updateTable("payments")
      .set(changes)
      .where("id", "=", next.id)
      .where("version", "=", expectedVersion)
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return null;
    // Only the winner rewrites the filterable copy of the references.
    await this.#db.deleteFrom("payment_references").where("payment_id", "=", next.id).execute();
    await this.#writeReferences(next);
    return next;
  }

  async #writeReferences(payment: Payment): Promise<void> {
    const rows = Object.entries(payment.references).map(([key, value]) => ({ payment_id: payment.id, key, value }));
    if (rows.length > 0) await this.#db.insertInto("payment_references").values(rows).execute();
  }

  async appendHistory(entries: readonly HistoryEntry[]): Promise<void> {
    // One statement per entry keeps `seq` in the caller's order.
    for (const entry of entries) await this.#db.insertInto("payment_history").values(historyToRow(entry)).execute();
  }

  async getRefund(id: string): Promise<Refund | null> {
    const row = await this.#db.selectFrom("refunds").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToRefund(row, this.#dialect);
  }

  async insertRefund(refund: Refund): Promise<void> {
    try {
      await this.#db.insertInto("refunds").values(refundToRow(refund)).execute();
    } catch (cause) {
      if (this.#dialect.isUniqueViolation(cause)) {
        throw new PaymentError("conflict", `refund ${refund.id} already exists`, { cause });
      }
      throw cause;
    }
  }

  async updateRefund(refund: Refund): Promise<void> {
    const { id: _id, payment_id: _paymentId, created_at: _createdAt, ...changes } = refundToRow(refund);
    const result = await this.#db.updateTable("refunds").set(changes).where("id", "=", refund.id).executeTakeFirst();
    if (result.numUpdatedRows !== 1n) throw new PaymentError("not_found", `refund ${refund.id} does not exist`);
  }

  async allocateReceiptNumber(paymentId: string, issuedAt: string): Promise<string> {
    const issued = writeTimestamp(issuedAt, "receipts.issued_at");
    const year = new Date(issued).getUTCFullYear();
    await this.#db
      .insertInto("receipt_counters")
      .values({ year, last_number: 0 })
      .onConflict((oc) => oc.column("year").doNothing())
      .execute();
    // Take the year's counter before looking for an existing receipt: the lock (PostgreSQL row lock, SQLite write
    // lock) is held until commit, so a concurrent allocation for the same payment waits here and then finds the
    // receipt the first one committed. A rolled-back allocation also releases its number: no gaps.
    let lock = this.#db.selectFrom("receipt_counters").select("last_number").where("year", "=", year);
    if (this.#dialect.rowLocks) lock = lock.forUpdate();
    await lock.executeTakeFirstOrThrow();

    const existing = await this.#db
      .selectFrom("receipts")
      .select("number")
      .where("payment_id", "=", paymentId)
      .executeTakeFirst();
    if (existing !== undefined) return readString(existing.number, "receipts.number");

    const counter = await this.#db
      .updateTable("receipt_counters")
      .set({ last_number: sql<number>`last_number + 1` })
      .where("year", "=", year)
      .returning("last_number")
      .executeTakeFirstOrThrow();
    const number = formatReceiptNumber(year, readInteger(counter.last_number, "receipt_counters.last_number"));
    await this.#db.insertInto("receipts").values({ payment_id: paymentId, number, year, issued_at: issued }).execute();
    return number;
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.#db
      .selectFrom("idempotency_records")
      .selectAll()
      .where("scope", "=", scope)
      .where("key", "=", key)
      .executeTakeFirst();
    return row === undefined ? null : rowToIdempotency(row, this.#dialect);
  }

  async insertIdempotencyRecord(record: IdempotencyRecord): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a concurrent inserter of the same key waits for the first to commit (PostgreSQL's
    // unique index) and then inserts nothing, so exactly one caller sees a row count of one.
    const result = await this.#db
      .insertInto("idempotency_records")
      .values(idempotencyToRow(record))
      .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async updateIdempotencyRecord(next: IdempotencyRecord, expectedLockId: string | null): Promise<boolean> {
    const { scope, key, created_at: _createdAt, ...changes } = idempotencyToRow(next);
    let update = this.#db
      .updateTable("idempotency_records")
      .set(changes)
      .where("scope", "=", scope)
      .where("key", "=", key);
    update = expectedLockId === null ? update.where("lock_id", "is", null) : update.where("lock_id", "=", expectedLockId);
    const result = await update.executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async appendOutbox(events: readonly PaymentEvent[]): Promise<void> {
    // One statement per event: the sequence must follow the caller's order, which a multi-row insert does not
    // promise on every database.
    for (const event of events) await this.#db.insertInto("outbox").values(eventToOutboxRow(event)).execute();
  }

  async recordWebhookEvent(provider: string, eventId: string, receivedAt: string): Promise<boolean> {
    const result = await this.#db
      .insertInto("webhook_events")
      .values({ provider, event_id: eventId, received_at: writeTimestamp(receivedAt, "webhook_events.received_at") })
      .onConflict((oc) => oc.columns(["provider", "event_id"]).doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }
}
