import {
  PaymentError,
  assertStorableCustomer,
  assertStorableCustomerNumbers,
  assertStorableDispute,
  assertStorableDisputeAmount,
  assertStorableEvent,
  assertStorableHistory,
  assertStorableIdempotencyRecord,
  assertStorableInboxEvent,
  assertStorablePayment,
  assertStorableRefund,
  assertStorableSavedPaymentMethod,
  assertStorableSavedPaymentMethodNumbers,
  assertStorableText,
  isMatchableText,
  receiptYear,
  formatReceiptNumber,
} from "@org/payments-core";
import type {
  Customer,
  Dispute,
  HistoryEntry,
  IdempotencyRecord,
  InboxEvent,
  InboxStatus,
  Payment,
  PaymentEvent,
  PaymentStoreTx,
  Refund,
  SavedPaymentMethod,
} from "@org/payments-core";
import { sql } from "kysely";
import type { Compilable, Insertable, Kysely, Updateable } from "kysely";
import { readInteger, readString, writeTimestamp } from "./conversions.js";
import type { CustomersTable, Database, DisputesTable, PaymentsTable, ReceiptsTable, SavedPaymentMethodsTable } from "./database.js";
import type { BoundStatement, CompiledStatements, StatementArgs } from "./compiled-statements.js";
import { type DeferredWrite, DeferredWrites } from "./deferred-writes.js";
import { IdempotencyClaimLost } from "./optimistic-claims.js";
import { newStandIn, resolveStandIns } from "./receipts-at-commit.js";
import { BEGUN_UP_FRONT, type TransactionStart } from "./transaction-start.js";
import {
  customerToRow,
  disputeToRow,
  eventToOutboxRow,
  historyToRow,
  idempotencyToRow,
  inboxToRow,
  paymentToRow,
  refundToRow,
  rowToCustomer,
  rowToDispute,
  rowToIdempotency,
  rowToInbox,
  rowToPayment,
  rowToRefund,
  rowToSavedPaymentMethod,
  savedPaymentMethodToRow,
} from "./row-mappers.js";
import type { StoreDialect } from "./store-dialect.js";

/** The payment's version-guarded update: every column but id and created_at, where the version is still the expected one. */
function buildPaymentUpdate(db: Kysely<Database>, args: Updateable<PaymentsTable> & { "\u0000id": string; "\u0000expectedVersion": number }) {
  const { "\u0000id": id, "\u0000expectedVersion": version, ...set } = args;
  return db.updateTable("payments").set(set).where("id", "=", id).where("version", "=", version);
}

/** The dispute's version-guarded update: every column but id and created_at, where the version is still the expected one. */
function buildDisputeUpdate(db: Kysely<Database>, args: Updateable<DisputesTable> & { "\u0000id": string; "\u0000expectedVersion": number }) {
  const { "\u0000id": id, "\u0000expectedVersion": version, ...set } = args;
  return db.updateTable("disputes").set(set).where("id", "=", id).where("version", "=", version);
}

/** The customer's version-guarded update, as the dispute's. */
function buildCustomerUpdate(db: Kysely<Database>, args: Updateable<CustomersTable> & { "\u0000id": string; "\u0000expectedVersion": number }) {
  const { "\u0000id": id, "\u0000expectedVersion": version, ...set } = args;
  return db.updateTable("customers").set(set).where("id", "=", id).where("version", "=", version);
}

/** The saved method's version-guarded update: every column but id, customer_id and created_at (a method never moves). */
function buildSavedPaymentMethodUpdate(
  db: Kysely<Database>,
  args: Updateable<SavedPaymentMethodsTable> & { "\u0000id": string; "\u0000expectedVersion": number },
) {
  const { "\u0000id": id, "\u0000expectedVersion": version, ...set } = args;
  return db.updateTable("saved_payment_methods").set(set).where("id", "=", id).where("version", "=", version);
}

/**
 * The columns of `next` that differ from `previous` (both as written), and their names as one cache-key part. Values
 * are the mapped column values: numbers, strings (JSON columns are written as text), booleans and nulls. `always`
 * are set whatever their value: the clocks and versions every write moves, which may repeat within a millisecond,
 * so that the statement's shape (and the prepared statement) depends on what the write changes, not on timing.
 */
function changedColumns<R extends Record<string, unknown>>(
  previous: Record<string, unknown>,
  next: R,
  always: readonly string[],
): { changes: Partial<R>; names: string } {
  const changes: Partial<R> = {};
  const names: string[] = [];
  for (const column in next) {
    if (next[column] !== previous[column] || always.includes(column)) {
      changes[column] = next[column];
      names.push(column);
    }
  }
  return { changes, names: names.join(",") };
}

function recordKey(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}

/** The references as one comparable string (key order does not matter). */
function referencesKey(references: Payment["references"]): string {
  return JSON.stringify(Object.entries(references).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The reads and writes of one transaction. Every guarded write is a single compare-and-set statement whose row
 * count says who won, so the promises hold on PostgreSQL at READ COMMITTED (a concurrent UPDATE waits for the
 * row and re-checks its WHERE against the committed row) and on SQLite (writers are serialized by BEGIN IMMEDIATE).
 * The statements of the charge path are compiled once per store (`CompiledStatements`); one instance serves one
 * attempt of one transaction.
 *
 * Every write first passes core's storable-text rule (`assertStorable*`): text PostgreSQL would refuse (NUL) or a
 * driver would silently alter (a lone surrogate becomes U+FFFD) is `validation_error` naming the field on every
 * store, before any statement runs. Lookups by such text find nothing and send nothing.
 */
export class KyselyStoreTx implements PaymentStoreTx {
  readonly #db: Kysely<Database>;
  readonly #dialect: StoreDialect;
  readonly #statements: CompiledStatements;
  readonly #writes: DeferredWrites;
  /**
   * The payments this transaction read or wrote, as of their version. A payment row at a given version never changes
   * (every update bumps it), so an update from that version sets only the columns that change (SQLite rewrites every
   * index on a column named in SET, changed or not: a full-row status move would rewrite all seven indexes of
   * payments), and leaves the filterable copy of the references alone when they are the same (most updates, status
   * moves, save two statements).
   */
  readonly #knownPayments = new Map<string, Payment>();
  /** Idempotency records as this transaction last read or wrote them, for the same narrowing while we hold the lock. */
  readonly #knownRecords = new Map<string, IdempotencyRecord>();
  readonly #start: TransactionStart;
  /** Whether a key must be claimed at once; absent where claims are never held (statements are in-process calls). */
  readonly #claimAtOnce: ((scope: string, key: string) => boolean) | undefined;
  /** The claim this transaction holds for its next statement (optimistic-claims.ts), while it may still be held. */
  #heldClaim: { scope: string; key: string; lockId: string | null; write: DeferredWrite } | undefined;
  /** True once a statement carrying the held claim succeeded: the key was new. */
  #claimConfirmed = false;
  /** Whether receipt numbers may be taken at commit (receipts-at-commit.ts); not on the re-run after a lost one. */
  readonly #receiptsAtCommit: boolean;

  constructor(
    db: Kysely<Database>,
    dialect: StoreDialect,
    statements: CompiledStatements,
    options: {
      start?: TransactionStart | undefined;
      claimAtOnce?: ((scope: string, key: string) => boolean) | undefined;
      receiptsAtCommit?: boolean | undefined;
    } = {},
  ) {
    this.#db = db;
    this.#dialect = dialect;
    this.#statements = statements;
    this.#start = options.start ?? BEGUN_UP_FRONT;
    this.#claimAtOnce = dialect.batchWrites ? options.claimAtOnce : undefined;
    this.#receiptsAtCommit = options.receiptsAtCommit ?? true;
    this.#writes = new DeferredWrites(db, dialect, statements, this.#start);
  }

  /** A hot statement, compiled once per store; it carries the writes held for it (deferred-writes.ts). */
  #run<A extends StatementArgs, O>(key: string, args: A, build: (db: Kysely<Database>, args: A) => Compilable<O>) {
    return this.#writes.run<O>(this.#statements.bind(key, args, build));
  }

  /** A write whose caller waits for no answer: sent with the next statement where that saves a round trip. */
  #defer<A extends StatementArgs>(
    key: string,
    args: A,
    build: (db: Kysely<Database>, args: A) => Compilable<unknown>,
    onDuplicate?: (cause: unknown) => PaymentError,
    onMissingParent?: (cause: unknown) => PaymentError,
  ): Promise<void> {
    return this.#writes.defer({ statement: this.#statements.bind(key, args, build), onDuplicate, onMissingParent });
  }

  /**
   * The kysely instance for a statement built on the spot (not on the hot path), after the held writes went. Such a
   * statement bypasses the held writes' sending, so a write built on it puts the receipt numbers taken so far in
   * place of their stand-ins itself (`resolveStandIns` on its values, after this call, which may take one).
   */
  async #direct(): Promise<Kysely<Database>> {
    await this.#writes.flush();
    await this.#start.begin();
    return this.#db;
  }

  /** Sends the writes still held; the store calls it before COMMIT, as the transaction's last statement (`final`). */
  flush(options: { final?: boolean } = {}): Promise<void> {
    return this.#writes.flush(options);
  }

  /** `result` with the receipt numbers taken at commit where their stand-ins stand (receipts-at-commit.ts). */
  resolveStandIns<T>(result: T): T {
    return resolveStandIns(result, this.#writes.receiptNumbers);
  }

  #remember(payment: Payment): void {
    this.#knownPayments.set(payment.id, payment);
  }

  async getPayment(id: string): Promise<Payment | null> {
    if (!isMatchableText(id)) return null;
    const { rows } = await this.#run("getPayment", { id }, (db, a) => db.selectFrom("payments").selectAll().where("id", "=", a.id));
    const row = rows[0];
    if (row === undefined) return null;
    const payment = rowToPayment(row, this.#dialect);
    this.#remember(payment);
    return payment;
  }

  async findPaymentByProviderId(provider: string, providerPaymentId: string): Promise<Payment | null> {
    if (!isMatchableText(provider) || !isMatchableText(providerPaymentId)) return null;
    // Not unique by schema: a second attempt can name the same provider object. The oldest payment wins (the port's
    // rule): ids sort by creation time, so every store and every run picks the same one.
    const row = await (await this.#direct())
      .selectFrom("payments")
      .selectAll()
      .where("provider", "=", provider)
      .where("provider_payment_id", "=", providerPaymentId)
      .orderBy("id", "asc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : rowToPayment(row, this.#dialect);
  }

  async insertPayment(payment: Payment): Promise<void> {
    assertStorablePayment(payment);
    await this.#defer(
      "insertPayment",
      paymentToRow(payment, this.#dialect),
      (db, row) => db.insertInto("payments").values(row),
      (cause) => new PaymentError("conflict", `payment ${payment.id} already exists`, { cause }),
    );
    await this.#writeReferences(payment);
    this.#remember(payment);
  }

  async updatePayment(next: Payment, expectedVersion: number): Promise<Payment | null> {
    const result = await this.#writes.run(this.#guardedPaymentUpdate(next, expectedVersion));
    if (result.numAffectedRows !== 1n) return null;
    await this.#afterPaymentUpdate(next, expectedVersion);
    return next;
  }

  async updatePaymentOrConflict(next: Payment, expectedVersion: number): Promise<Payment> {
    // Held for the phase's next statement where that saves a round trip (deferred-writes.ts; run at once elsewhere):
    // a lost race fails that statement with `conflict`.
    await this.#writes.defer({
      statement: this.#guardedPaymentUpdate(next, expectedVersion),
      onNoMatch: () => new PaymentError("conflict", `payment ${next.id} changed concurrently`),
    });
    await this.#afterPaymentUpdate(next, expectedVersion);
    return next;
  }

  /** The version-guarded UPDATE of `next`, after the checks every payment write passes. */
  #guardedPaymentUpdate(next: Payment, expectedVersion: number): BoundStatement {
    if (next.version !== expectedVersion + 1) {
      throw new PaymentError("internal", `payment ${next.id}: version ${next.version} does not follow ${expectedVersion}`);
    }
    assertStorablePayment(next);
    const { key, changes } = this.#paymentChanges(next, expectedVersion);
    return this.#statements.bind(key, { ...changes, "\u0000id": next.id, "\u0000expectedVersion": expectedVersion }, buildPaymentUpdate);
  }

  /** What follows a won update: the references' filterable copy, and the row now known at its new version. */
  async #afterPaymentUpdate(next: Payment, expectedVersion: number): Promise<void> {
    await this.#rewriteReferencesIfChanged(next, expectedVersion);
    this.#remember(next);
  }

  /**
   * The columns an update from `expectedVersion` sets, and the statement's cache key (which names them). A payment
   * row at a given version never changes, so when this transaction knows the row at that version only the columns
   * that differ are set; otherwise every column but id and created_at.
   */
  #paymentChanges(next: Payment, expectedVersion: number): { key: string; changes: Updateable<PaymentsTable> } {
    const { id: _id, created_at: _createdAt, ...full } = paymentToRow(next, this.#dialect);
    const known = this.#knownPayments.get(next.id);
    if (known === undefined || known.version !== expectedVersion) return { key: "updatePayment", changes: full };
    const { changes, names } = changedColumns(paymentToRow(known, this.#dialect), full, ["version", "updated_at"]);
    // The version always moves; a row that somehow does not would still be written whole rather than emptily.
    return names === "" ? { key: "updatePayment", changes: full } : { key: `updatePayment:${names}`, changes };
  }

  /** Only the winner rewrites the filterable copy of the references, and only if they changed. */
  async #rewriteReferencesIfChanged(next: Payment, expectedVersion: number): Promise<void> {
    const known = this.#knownPayments.get(next.id);
    if (known !== undefined && known.version === expectedVersion && referencesKey(known.references) === referencesKey(next.references)) return;
    await this.#defer("deleteReferences", { paymentId: next.id }, (db, a) => db.deleteFrom("payment_references").where("payment_id", "=", a.paymentId));
    await this.#writeReferences(next);
  }

  async #writeReferences(payment: Payment): Promise<void> {
    const entries = Object.entries(payment.references);
    if (entries.length === 0) return;
    // One compiled shape per count of references (a payment carries a handful).
    const args: Record<string, string> = {};
    entries.forEach(([key, value], index) => {
      args[`key${index}`] = key;
      args[`value${index}`] = value;
    });
    args["paymentId"] = payment.id;
    await this.#defer(`insertReferences:${entries.length}`, args, (db, a) =>
      db
        .insertInto("payment_references")
        .values(entries.map((_, index) => ({ payment_id: a["paymentId"]!, key: a[`key${index}`]!, value: a[`value${index}`]! }))),
    );
  }

  async appendHistory(entries: readonly HistoryEntry[]): Promise<void> {
    for (const entry of entries) assertStorableHistory(entry);
    // One statement per entry keeps `seq` in the caller's order.
    for (const entry of entries) {
      await this.#defer("appendHistory", historyToRow(entry), (db, row) => db.insertInto("payment_history").values(row));
    }
  }

  async getRefund(id: string): Promise<Refund | null> {
    if (!isMatchableText(id)) return null;
    const row = await (await this.#direct()).selectFrom("refunds").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToRefund(row, this.#dialect);
  }

  async insertRefund(refund: Refund): Promise<void> {
    assertStorableRefund(refund);
    await this.#defer(
      "insertRefund",
      refundToRow(refund),
      (db, row) => db.insertInto("refunds").values(row),
      (cause) => new PaymentError("conflict", `refund ${refund.id} already exists`, { cause }),
    );
  }

  async updateRefund(refund: Refund): Promise<void> {
    assertStorableRefund(refund);
    const { id: _id, payment_id: _paymentId, created_at: _createdAt, ...changes } = refundToRow(refund);
    const result = await (await this.#direct()).updateTable("refunds").set(this.resolveStandIns(changes)).where("id", "=", refund.id).executeTakeFirst();
    if (result.numUpdatedRows !== 1n) throw new PaymentError("not_found", `refund ${refund.id} does not exist`);
  }

  /*
   * Disputes. On PostgreSQL a held write travels as a CTE in front of the transaction's next statement, and a
   * CTE's rows are not visible to the rest of its statement. So every dispute statement here goes through the
   * deferred-writes layer (`#run`, `#defer`, `#writes.run`), never around it: the layer sends the held writes first,
   * on their own, whenever the next statement names one of their tables (`disputes` is in TABLES, which is how it
   * knows). A lookup after `insertDispute` in the same transaction therefore reads after the insert went, and
   * sees it; the insert still saves its round trip when the next statement is about the payment (the flag that
   * follows every recorded dispute), the common case.
   */

  async findDisputeByProviderId(provider: string, providerDisputeId: string): Promise<Dispute | null> {
    // Text no dispute can hold is never sent (PostgreSQL would refuse a NUL; a driver's U+FFFD could match a row).
    if (!isMatchableText(provider) || !isMatchableText(providerDisputeId)) return null;
    const { rows } = await this.#run("findDisputeByProviderId", { provider, providerDisputeId }, (db, a) =>
      db.selectFrom("disputes").selectAll().where("provider", "=", a.provider).where("provider_dispute_id", "=", a.providerDisputeId),
    );
    const row = rows[0];
    return row === undefined ? null : rowToDispute(row, this.#dialect);
  }

  async insertDispute(dispute: Dispute): Promise<void> {
    // Both checks before any statement, as for payments: a refused write sends nothing.
    assertStorableDispute(dispute);
    assertStorableDisputeAmount(dispute);
    // A duplicate id or a second (provider, provider dispute id) both violate a unique index: `conflict`, whether
    // the insert ran alone (SQLite) or travelled with a later statement (PostgreSQL), and the transaction rolls back.
    await this.#defer(
      "insertDispute",
      disputeToRow(dispute),
      (db, row) => db.insertInto("disputes").values(row),
      (cause) => new PaymentError("conflict", `a dispute ${dispute.id} or for ${dispute.provider} ${dispute.providerDisputeId} already exists`, { cause }),
      (cause) => new PaymentError("not_found", `no payment ${dispute.paymentId} for dispute ${dispute.id}`, { cause }),
    );
  }

  async updateDispute(next: Dispute, expectedVersion: number): Promise<Dispute | null> {
    if (next.version !== expectedVersion + 1) {
      throw new PaymentError("internal", `dispute ${next.id}: version ${next.version} does not follow ${expectedVersion}`);
    }
    assertStorableDispute(next);
    assertStorableDisputeAmount(next);
    const { id: _id, created_at: _createdAt, ...changes } = disputeToRow(next);
    // Run, never held: the caller acts on who won. One compare-and-set statement, as for payments.
    const result = await this.#writes.run(
      this.#statements.bind("updateDispute", { ...changes, "\u0000id": next.id, "\u0000expectedVersion": expectedVersion }, buildDisputeUpdate),
    );
    return result.numAffectedRows === 1n ? next : null;
  }

  /*
   * Customers and saved methods: every statement through the deferred-writes layer, as disputes' (both tables are
   * in TABLES), so a read after a held insert in the same transaction sends the insert first and sees it.
   */

  async getCustomer(id: string): Promise<Customer | null> {
    // Text no customer can hold is never sent (PostgreSQL would refuse a NUL; a driver's U+FFFD could match a row).
    if (!isMatchableText(id)) return null;
    const { rows } = await this.#run("getCustomer", { id }, (db, a) => db.selectFrom("customers").selectAll().where("id", "=", a.id));
    const row = rows[0];
    return row === undefined ? null : rowToCustomer(row, this.#dialect);
  }

  async insertCustomer(customer: Customer): Promise<void> {
    // Both checks before any statement: a refused write sends nothing.
    assertStorableCustomer(customer);
    assertStorableCustomerNumbers(customer);
    // A duplicate id violates the primary key: `conflict`, whether the insert ran alone (SQLite) or travelled with
    // a later statement (PostgreSQL), and the transaction rolls back.
    await this.#defer(
      "insertCustomer",
      customerToRow(customer),
      (db, row) => db.insertInto("customers").values(row),
      (cause) => new PaymentError("conflict", `customer ${customer.id} already exists`, { cause }),
    );
  }

  async updateCustomer(next: Customer, expectedVersion: number): Promise<Customer | null> {
    if (next.version !== expectedVersion + 1) {
      throw new PaymentError("internal", `customer ${next.id}: version ${next.version} does not follow ${expectedVersion}`);
    }
    assertStorableCustomer(next);
    assertStorableCustomerNumbers(next);
    const { id: _id, created_at: _createdAt, ...changes } = customerToRow(next);
    // Run, never held: the caller acts on who won. One compare-and-set statement.
    const result = await this.#writes.run(
      this.#statements.bind("updateCustomer", { ...changes, "\u0000id": next.id, "\u0000expectedVersion": expectedVersion }, buildCustomerUpdate),
    );
    return result.numAffectedRows === 1n ? next : null;
  }

  async getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null> {
    if (!isMatchableText(id)) return null;
    const { rows } = await this.#run("getSavedPaymentMethod", { id }, (db, a) => db.selectFrom("saved_payment_methods").selectAll().where("id", "=", a.id));
    const row = rows[0];
    return row === undefined ? null : rowToSavedPaymentMethod(row, this.#dialect);
  }

  async insertSavedPaymentMethod(method: SavedPaymentMethod): Promise<void> {
    assertStorableSavedPaymentMethod(method);
    assertStorableSavedPaymentMethodNumbers(method);
    // A duplicate id is `conflict`, as for customers; a customer the store does not hold fails the foreign key:
    // `not_found`, as the memory store answers.
    await this.#defer(
      "insertSavedPaymentMethod",
      savedPaymentMethodToRow(method),
      (db, row) => db.insertInto("saved_payment_methods").values(row),
      (cause) => new PaymentError("conflict", `payment method ${method.id} already exists`, { cause }),
      (cause) => new PaymentError("not_found", `no customer ${method.customerId} for payment method ${method.id}`, { cause }),
    );
  }

  async updateSavedPaymentMethod(next: SavedPaymentMethod, expectedVersion: number): Promise<SavedPaymentMethod | null> {
    if (next.version !== expectedVersion + 1) {
      throw new PaymentError("internal", `payment method ${next.id}: version ${next.version} does not follow ${expectedVersion}`);
    }
    assertStorableSavedPaymentMethod(next);
    assertStorableSavedPaymentMethodNumbers(next);
    const { id: _id, customer_id: _customerId, created_at: _createdAt, ...changes } = savedPaymentMethodToRow(next);
    const result = await this.#writes.run(
      this.#statements.bind(
        "updateSavedPaymentMethod",
        { ...changes, "\u0000id": next.id, "\u0000expectedVersion": expectedVersion },
        buildSavedPaymentMethodUpdate,
      ),
    );
    return result.numAffectedRows === 1n ? next : null;
  }

  async allocateReceiptNumber(paymentId: string, issuedAt: string): Promise<string> {
    assertStorableText(paymentId, "receipt.paymentId");
    assertStorableText(issuedAt, "receipt.issuedAt");
    const issued = writeTimestamp(issuedAt, "receipts.issued_at");
    const year = receiptYear(issued);
    if (this.#dialect.rowLocks) return this.#allocateReceiptNumberNow(paymentId, year, issued);
    // Take the year's next number first, in one statement that also creates the year's counter: the row it
    // writes stays locked (PostgreSQL row lock, SQLite write lock) until commit, so a concurrent allocation for
    // the same payment waits here and then finds the receipt the first one committed. A rolled-back allocation
    // also releases its number: no gaps.
    const counter = await this.#run("takeReceiptNumber", { year }, (db, a) =>
      db
        .insertInto("receipt_counters")
        .values({ year: a.year, last_number: 1 })
        .onConflict((oc) => oc.column("year").doUpdateSet({ last_number: sql<number>`receipt_counters.last_number + 1` }))
        .returning("last_number"),
    );
    const existing = await this.#receiptNumberOf(paymentId);
    if (existing !== null) {
      // Rare (a second settle of one payment): the number goes back.
      await this.#giveNumberBack(year);
      return existing;
    }
    const taken = counter.rows[0]?.last_number;
    const number = formatReceiptNumber(year, readInteger(taken, "receipt_counters.last_number"));
    const receipt: Insertable<ReceiptsTable> = { payment_id: paymentId, number, year, issued_at: issued };
    await this.#defer("insertReceipt", receipt, (db, row) => db.insertInto("receipts").values(row));
    return number;
  }

  /** The number of the payment's receipt, or null when it has none. */
  async #receiptNumberOf(paymentId: string): Promise<string | null> {
    const { rows } = await this.#run("findReceipt", { paymentId }, (db, a) => db.selectFrom("receipts").select("number").where("payment_id", "=", a.paymentId));
    return rows[0] === undefined ? null : readString(rows[0].number, "receipts.number");
  }

  /** Gives back the number this transaction just took for `year`: the counter is still ours alone until commit. */
  async #giveNumberBack(year: number): Promise<void> {
    await (await this.#direct()).updateTable("receipt_counters").set({ last_number: sql<number>`last_number - 1` }).where("year", "=", year).execute();
  }

  async allocateReceiptNumberAtCommit(paymentId: string, issuedAt: string): Promise<string> {
    if (!this.#receiptsAtCommit) return this.allocateReceiptNumber(paymentId, issuedAt);
    assertStorableText(paymentId, "receipt.paymentId");
    assertStorableText(issuedAt, "receipt.issuedAt");
    const issued = writeTimestamp(issuedAt, "receipts.issued_at");
    const standIn = newStandIn();
    // Held for the transaction's last statement where statements are round trips; taken now elsewhere.
    if (!this.#writes.holdReceipt({ standIn, paymentId, year: receiptYear(issued), issuedAt: issued })) return this.allocateReceiptNumber(paymentId, issuedAt);
    return standIn;
  }

  /**
   * With row locks (PostgreSQL): the counter and then the receipt row, in one statement, the lock order of a number
   * taken at commit (receipts-at-commit.ts), so that a webhook's allocation and a settle's for the same payment never
   * deadlock. When the payment has its receipt (committed, perhaps by a concurrent allocation this one waited for),
   * the number taken goes back, the counter being ours alone until commit, and the receipt's own is read.
   */
  async #allocateReceiptNumberNow(paymentId: string, year: number, issued: string): Promise<string> {
    const taken = await this.#writes.takeReceiptNumberNow({ standIn: "", paymentId, year, issuedAt: issued });
    if (taken !== null) return taken;
    await this.#giveNumberBack(year);
    const existing = await this.#receiptNumberOf(paymentId);
    if (existing === null) throw new PaymentError("conflict", `receipt of payment ${paymentId} changed during allocation`);
    return existing;
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | null> {
    if (!isMatchableText(scope) || !isMatchableText(key)) return null;
    const { rows } = await this.#run("getIdempotencyRecord", { scope, key }, (db, a) =>
      db
        .selectFrom("idempotency_records")
        .selectAll()
        .where("scope", "=", a.scope)
        .where("key", "=", a.key),
    );
    const row = rows[0];
    return row === undefined ? null : rowToIdempotency(row, this.#dialect);
  }

  async insertIdempotencyRecord(record: IdempotencyRecord): Promise<boolean> {
    assertStorableIdempotencyRecord(record);
    if (this.#claimAtOnce !== undefined && !this.#claimAtOnce(record.scope, record.key)) {
      // Claimed ahead of the answer: held for the next statement, and a key that was not new fails that statement
      // (optimistic-claims.ts), which the store answers by running the transaction again with the key claimed here.
      const write = this.#heldClaimWrite(record);
      await this.#writes.defer(write);
      this.#heldClaim = { scope: record.scope, key: record.key, lockId: record.lockId, write };
      this.#knownRecords.set(recordKey(record.scope, record.key), record);
      return true;
    }
    // ON CONFLICT DO NOTHING: a concurrent inserter of the same key waits for the first to commit (PostgreSQL's
    // unique index) and then inserts nothing, so exactly one caller sees a row count of one.
    const result = await this.#run("insertIdempotencyRecord", idempotencyToRow(record), (db, row) =>
      db
        .insertInto("idempotency_records")
        .values(row)
        .onConflict((oc) => oc.columns(["scope", "key"]).doNothing()),
    );
    if (result.numAffectedRows !== 1n) return false;
    this.#knownRecords.set(recordKey(record.scope, record.key), record);
    return true;
  }

  async updateIdempotencyRecord(next: IdempotencyRecord, expectedLockId: string | null): Promise<boolean> {
    const update = this.#idempotencyUpdate(next, expectedLockId);
    if (update === "folded" || update === "unmatchable") return update === "folded";
    const result = await this.#writes.run(update);
    if (result.numAffectedRows !== 1n) return false;
    this.#knownRecords.set(recordKey(next.scope, next.key), next);
    return true;
  }

  async updateIdempotencyRecordOrFail(next: IdempotencyRecord, expectedLockId: string | null, lost: () => PaymentError): Promise<void> {
    const update = this.#idempotencyUpdate(next, expectedLockId);
    if (update === "folded") return;
    if (update === "unmatchable") throw lost();
    // Held for the phase's next statement (its last, at a finish), which its loss fails.
    await this.#writes.defer({ statement: update, onNoMatch: lost });
    this.#knownRecords.set(recordKey(next.scope, next.key), next);
  }

  /**
   * The lock-guarded UPDATE of `next`; "folded" when it went into the claim this transaction still holds, and
   * "unmatchable" when no stored lock can equal `expectedLockId`.
   */
  #idempotencyUpdate(next: IdempotencyRecord, expectedLockId: string | null): BoundStatement | "folded" | "unmatchable" {
    assertStorableIdempotencyRecord(next);
    if (expectedLockId !== null && !isMatchableText(expectedLockId)) return "unmatchable";
    const held = this.#heldClaim;
    if (held !== undefined && held.scope === next.scope && held.key === next.key && held.lockId === expectedLockId) {
      // The claim has not gone yet: it goes as the insert of the record as it is now. Its lock is ours (nobody else
      // can see the key before this transaction commits), so the compare-and-set holds by construction.
      const write = this.#heldClaimWrite(next);
      if (this.#writes.replaceHeld(held.write, write)) {
        this.#heldClaim = { ...held, lockId: next.lockId, write };
        this.#knownRecords.set(recordKey(next.scope, next.key), next);
        return "folded";
      }
      this.#heldClaim = undefined;
    }
    const { scope, key, created_at: _createdAt, ...full } = idempotencyToRow(next);
    const unlocked = expectedLockId === null;
    // While we hold the lock nobody else changes the record, so the one we last read or wrote is the stored one and
    // only what differs is set. An unlocked record may have moved since we read it: it is written whole.
    const known = unlocked ? undefined : this.#knownRecords.get(recordKey(scope, key));
    const diff =
      known !== undefined && known.lockId === expectedLockId ? changedColumns(idempotencyToRow(known), full, ["updated_at", "locked_at", "expires_at"]) : undefined;
    const narrowed = diff !== undefined && diff.names !== "" ? diff : undefined;
    const changes = narrowed?.changes ?? full;
    return this.#statements.bind(
      unlocked ? "updateIdempotencyRecord:unlocked" : `updateIdempotencyRecord:locked:${narrowed?.names ?? "*"}`,
      { ...changes, "\u0000scope": scope, "\u0000key": key, "\u0000lockId": expectedLockId ?? undefined },
      (db, a) => {
        const { "\u0000scope": whereScope, "\u0000key": whereKey, "\u0000lockId": lockId, ...set } = a;
        const update = db
          .updateTable("idempotency_records")
          .set(set)
          .where("scope", "=", whereScope)
          .where("key", "=", whereKey);
        // No expected lock (null, passed as undefined): only an unlocked record matches.
        return lockId === undefined ? update.where("lock_id", "is", null) : update.where("lock_id", "=", lockId);
      },
    );
  }

  /**
   * The key this transaction answered "claimed" for without the database having confirmed it, if any. When the
   * transaction fails, the caller's work may have failed on that unconfirmed answer (phase one of a replay runs on
   * today's state, or a lost guard beside the claim failed the statement before its unique violation could): the
   * store runs it again with the key claimed at once (optimistic-claims.ts).
   */
  unconfirmedClaim(): { scope: string; key: string } | undefined {
    return this.#heldClaim !== undefined && !this.#claimConfirmed ? { scope: this.#heldClaim.scope, key: this.#heldClaim.key } : undefined;
  }

  /** The plain INSERT of a claim held for the next statement: a key already there fails it (no ON CONFLICT). */
  #heldClaimWrite(record: IdempotencyRecord): DeferredWrite {
    return {
      onSent: () => {
        this.#claimConfirmed = true;
      },
      statement: this.#statements.bind("insertIdempotencyRecord:held", idempotencyToRow(record), (db, row) => db.insertInto("idempotency_records").values(row)),
      onDuplicate: (cause) => new IdempotencyClaimLost(record.scope, record.key, { cause }),
    };
  }

  async appendOutbox(events: readonly PaymentEvent[]): Promise<void> {
    for (const event of events) assertStorableEvent(event);
    // One statement per event: the sequence must follow the caller's order, which a multi-row insert does not
    // promise on every database.
    for (const event of events) {
      await this.#defer("appendOutbox", eventToOutboxRow(event), (db, row) => db.insertInto("outbox").values(row));
    }
  }

  async insertInboxEvent(event: InboxEvent): Promise<boolean> {
    assertStorableInboxEvent(event);
    // ON CONFLICT DO NOTHING, as for idempotency keys: a concurrent insert of the same event waits for the first
    // to commit and then inserts nothing, so exactly one caller sees one row.
    const result = await (await this.#direct())
      .insertInto("webhook_inbox")
      .values(this.resolveStandIns(inboxToRow(event)))
      .onConflict((oc) => oc.columns(["provider", "event_id"]).doNothing())
      .executeTakeFirst();
    return result.numInsertedOrUpdatedRows === 1n;
  }

  async getInboxEvent(provider: string, eventId: string): Promise<InboxEvent | null> {
    if (!isMatchableText(provider) || !isMatchableText(eventId)) return null;
    const row = await (await this.#direct())
      .selectFrom("webhook_inbox")
      .selectAll()
      .where("provider", "=", provider)
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    return row === undefined ? null : rowToInbox(row, this.#dialect);
  }

  async updateInboxEvent(next: InboxEvent, expected: { status: InboxStatus; attempts: number }): Promise<boolean> {
    assertStorableInboxEvent(next);
    if (!isMatchableText(expected.status)) return false;
    // One guarded UPDATE: at READ COMMITTED a concurrent updater waits for the row, re-checks the WHERE against the
    // committed row, and changes nothing if the first one moved it.
    const { provider, event_id: eventId, received_at: _receivedAt, ...changes } = inboxToRow(next);
    const result = await (await this.#direct())
      .updateTable("webhook_inbox")
      .set(this.resolveStandIns(changes))
      .where("provider", "=", provider)
      .where("event_id", "=", eventId)
      .where("status", "=", expected.status)
      .where("attempts", "=", expected.attempts)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}
