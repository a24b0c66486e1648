import { AsyncLocalStorage } from "node:async_hooks";
import {
  DISPUTE_STATUSES,
  PAYMENT_STATUSES,
  PaymentError,
  configurationError,
  assertStorableText,
  clampPageLimit,
  decodePageCursor,
  encodePageCursor,
  isMatchableText,
  normalizeCustomerFilter,
  normalizeDisputeFilter,
  normalizePaymentFilter,
} from "@org/payments-core";
import type {
  Customer,
  CustomerFilter,
  Dispute,
  DisputeFilter,
  DisputeStatsRow,
  HistoryEntry,
  IdempotencyRecord,
  InboxEvent,
  InboxFilter,
  InboxStatus,
  OutboxClaim,
  OutboxEntry,
  Page,
  PageRequest,
  Payment,
  PaymentFilter,
  PaymentStore,
  PaymentStoreTx,
  Refund,
  SavedPaymentMethod,
  StatsFilter,
  StatsRow,
  StoreCapabilities,
} from "@org/payments-core";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import { readEnum, readExactSum, readInteger, readString, writeInteger, writeTimestamp } from "./conversions.js";
import type { Database } from "./database.js";
import { CompiledStatements } from "./compiled-statements.js";
import { TOTAL_COLUMNS } from "./migrations.js";
import type { OnHotStatement } from "./compiled-statements.js";
import { KyselyStoreTx } from "./kysely-store-tx.js";
import { ContendedKeys, IdempotencyClaimLost } from "./optimistic-claims.js";
import { ReceiptClaimLost } from "./receipts-at-commit.js";
import {
  rowToCustomer,
  rowToDispute,
  rowToHistory,
  rowToIdempotency,
  rowToInbox,
  rowToOutbox,
  rowToPayment,
  rowToRefund,
  rowToSavedPaymentMethod,
} from "./row-mappers.js";
import type { StoreDialect } from "./store-dialect.js";

export interface KyselyPaymentStoreOptions {
  /** Runs after the kysely instance is destroyed (e.g. to end a pool the store created). */
  onClose?: () => Promise<void>;
  /**
   * Refuse a store call made inside `transaction(work)` (which would deadlock on SQLite's one connection, or run
   * outside the transaction on PostgreSQL) with an error instead. It tracks the async context, which on Node 20
   * costs about 15% of the store's throughput, so it defaults to on everywhere but NODE_ENV=production.
   */
  guardNestedCalls?: boolean | undefined;
  /**
   * Rows the purges delete per statement (each its own short transaction), default 1,000. A purge loops until
   * nothing is left, yielding between batches, so writers wait at most one batch, never the whole purge.
   */
  purgeBatchSize?: number | undefined;
  /**
   * Told the SQL of each of the store's hot statements (fixed shapes, a few dozen), once: a driver that can prepare
   * statements per connection prepares those (the PostgreSQL adapter does).
   */
  onHotStatement?: OnHotStatement | undefined;
}

export const DEFAULT_PURGE_BATCH_SIZE = 1_000;

/** The batch size to use; refuses one that is not a positive integer (dialect packages check it before connecting). */
export function checkPurgeBatchSize(value: number | undefined): number {
  const batch = value ?? DEFAULT_PURGE_BATCH_SIZE;
  if (!Number.isSafeInteger(batch) || batch < 1) {
    throw configurationError("purgeBatchSize must be a positive integer", { option: "purgeBatchSize" });
  }
  return batch;
}

export function nestedCallGuardDefault(): boolean {
  return process.env.NODE_ENV !== "production";
}

/**
 * A call the store refuses because the calling code misuses it at run time (a nested transaction, a store method
 * awaited inside one, a call after `close()`): a bug in the caller, `internal` like every other broken promise of
 * the port. Not `configuration_error`, which is for options refused while the library is being set up.
 */
function misuse(message: string): PaymentError {
  return new PaymentError("internal", message);
}

/** Every status an outbox row can hold; another matches nothing. */
const OUTBOX_STATUSES: readonly string[] = ["pending", "delivered", "dead", "skipped"] satisfies OutboxEntry["status"][];
/**
 * `column` as an expression no index serves (`coalesce(c, c)` is `c` for every value, on both engines). A purge's
 * DELETE re-checks its conditions around the batch's keys; on the bare columns the planner walked the conditions'
 * index over every qualifying row still there (checking each against the batch) instead of looking the batch up
 * by key, so each batch cost all that was left and a purge of N rows cost N²/batch: 40 s at 100k payments.
 * Only for text and timestamp columns (all the purges re-check): on SQLite an expression loses its column's
 * affinity, so a numeric column compared with a text value would compare differently.
 */
function notIndexed(column: string) {
  return sql`coalesce(${sql.ref(column)}, ${sql.ref(column)})`;
}

/** Every status an inbox row can hold; another matches nothing. */
const INBOX_STATUSES: readonly string[] = ["received", "held", "failed", "orphaned", "processed"] satisfies InboxStatus[];

/** `PaymentStore` over kysely, for any database a `StoreDialect` describes. */
export class KyselyPaymentStore implements PaymentStore {
  readonly capabilities: StoreCapabilities;
  /** The kysely instance the store runs on; the adapters' `migrate()` uses it. */
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  readonly #onClose: (() => Promise<void>) | undefined;
  /** Marks the async context of a running `transaction(work)` of this store, to refuse re-entry (when guarded). */
  readonly #inTransaction: AsyncLocalStorage<true> | undefined;
  #closed = false;
  readonly #statements: CompiledStatements;
  readonly #purgeBatchSize: number;
  /** Idempotency keys this store claims at once, not ahead of their answer (optimistic-claims.ts). */
  readonly #contendedKeys = new ContendedKeys();

  constructor(db: Kysely<Database>, dialect: StoreDialect, options: KyselyPaymentStoreOptions = {}) {
    this.db = db;
    this.dialect = dialect;
    this.capabilities = dialect.capabilities;
    this.#onClose = options.onClose;
    this.#statements = new CompiledStatements(db, options.onHotStatement);
    this.#purgeBatchSize = checkPurgeBatchSize(options.purgeBatchSize);
    this.#inTransaction = (options.guardNestedCalls ?? nestedCallGuardDefault()) ? new AsyncLocalStorage<true>() : undefined;
  }

  async transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
    // A nested call would not join the outer transaction (PostgreSQL: another connection, another transaction;
    // SQLite: it would wait forever for the one connection the outer call holds). Refuse it loudly.
    const guard = this.#inTransaction;
    if (guard?.getStore()) {
      throw misuse(`${this.dialect.name} store: transaction() called inside transaction(); use the tx passed to work`);
    }
    this.#assertOpen();
    // Keys this call lost a held claim on: claimed at once on its next attempts, whatever the shared memory forgets.
    const lostHere = new ContendedKeys();
    const claimAtOnce = (scope: string, key: string) => lostHere.has(scope, key) || this.#contendedKeys.has(scope, key);
    // Receipt numbers are taken at commit until one is lost to a concurrent settle of its payment; then at once.
    let receiptsAtCommit = true;
    for (;;) {
      let attempt: KyselyStoreTx | undefined;
      try {
        return await this.dialect.transaction(this.db, (trx, start) => {
          const run = async () => {
            const tx = new KyselyStoreTx(trx, this.dialect, this.#statements, { start, claimAtOnce, receiptsAtCommit });
            attempt = tx;
            const result = await work(tx);
            // Writes still held for a next statement go now, before COMMIT (and fail the transaction if they fail);
            // the last statement, so it may go without BEGIN when it is the only one (transaction-start.ts).
            await tx.flush({ final: true });
            return tx.resolveStandIns(result);
          };
          return guard ? guard.run(true, run) : run();
        });
      } catch (error) {
        // Nothing of the attempt is visible; the next one takes the number at once and finds the one committed.
        if (error instanceof ReceiptClaimLost && receiptsAtCommit) {
          receiptsAtCommit = false;
          continue;
        }
        // A key claimed ahead of its answer was not new, or the attempt failed before the database confirmed that
        // it was (optimistic-claims.ts): nothing of the attempt is visible, and what failed may have rested on the
        // unconfirmed answer. Run it again with that key claimed at once: at most once per key and call, since the
        // next attempt cannot answer for it unconfirmed. A genuine failure simply fails again.
        const claim = error instanceof IdempotencyClaimLost ? error : attempt?.unconfirmedClaim();
        if (claim === undefined || lostHere.has(claim.scope, claim.key)) throw error;
        lostHere.add(claim.scope, claim.key);
        if (error instanceof IdempotencyClaimLost) this.#contendedKeys.add(claim.scope, claim.key);
      }
    }
  }

  /** The kysely instance for a read or write outside a transaction. */
  #outside(): Kysely<Database> {
    this.#assertOpen();
    if (this.dialect.singleConnection && this.#inTransaction?.getStore()) {
      throw misuse(
        `${this.dialect.name} store: a store method was awaited inside transaction(); it would wait for the connection that transaction holds. Use the tx passed to work.`,
      );
    }
    return this.db;
  }

  #assertOpen(): void {
    if (this.#closed) throw misuse(`${this.dialect.name} store is closed`);
  }

  async getPayment(id: string): Promise<Payment | null> {
    // Text no payment can hold is never sent: PostgreSQL would refuse it, and a driver's U+FFFD could match a row.
    if (!isMatchableText(id)) return null;
    const row = await this.#outside().selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToPayment(row, this.dialect);
  }

  async listPayments(requested: PaymentFilter, page: PageRequest): Promise<Page<Payment>> {
    const limit = clampPageLimit(page.limit);
    // Both checked before anything else, as on every store: `invalid_cursor`, `validation_error` for an instant.
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const filter = normalizePaymentFilter(requested);
    if (filter === null) return { items: [], nextCursor: null };
    const db = this.#outside();
    let query = db.selectFrom("payments").selectAll();
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === "string" ? [filter.status] : [...filter.status];
      if (statuses.length === 0) return { items: [], nextCursor: null };
      query = query.where("status", "in", statuses);
    }
    if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
    if (filter.owner !== undefined) query = query.where("owner", "=", filter.owner);
    // Instants are canonical UTC here (normalized above): text order is time order on SQLite.
    if (filter.createdFrom !== undefined) query = query.where("created_at", ">=", filter.createdFrom);
    if (filter.createdTo !== undefined) query = query.where("created_at", "<", filter.createdTo);
    if (filter.updatedFrom !== undefined) query = query.where("updated_at", ">=", filter.updatedFrom);
    if (filter.updatedTo !== undefined) query = query.where("updated_at", "<", filter.updatedTo);
    if (filter.customerId !== undefined) query = query.where("customer_id", "=", filter.customerId);
    if (filter.customerEmail !== undefined) query = query.where("customer_email", "=", filter.customerEmail);
    if (filter.currency !== undefined) query = query.where("currency", "=", filter.currency);
    if (filter.amountMin !== undefined) query = query.where("amount", ">=", filter.amountMin);
    if (filter.amountMax !== undefined) query = query.where("amount", "<=", filter.amountMax);
    if (filter.disputed !== undefined) query = query.where("disputed", "=", this.dialect.writeBoolean(filter.disputed) as never);
    const metadata = filter.metadata;
    if (metadata !== undefined) {
      // Any key, bound as a parameter, never spliced into a JSON path (a key like `$.x` or `a"b` would be a path).
      query = query.where(this.dialect.metadataHasEntry(metadata.key, metadata.value));
    }
    if (filter.authorizationExpiresBefore !== undefined) {
      query = query.where("authorization_expires_at", "<", filter.authorizationExpiresBefore);
    }
    const reference = filter.reference;
    if (reference !== undefined) {
      // `id IN (ids holding the reference)`, not a correlated EXISTS: SQLite plans the EXISTS as a walk of every
      // payment by primary key (to avoid sorting) probing the reference for each, O(n) for a rare reference; the IN
      // form reads the few ids from payment_references_lookup and fetches each payment by key, on both engines.
      query = query.where(
        "id",
        "in",
        db.selectFrom("payment_references").select("payment_id").where("key", "=", reference.key).where("value", "=", reference.value),
      );
    }
    // ULIDs sort by creation time, so "id below the cursor" is a stable keyset page, newest first.
    if (after !== undefined) query = query.where("id", "<", after);
    const rows = await query.orderBy("id", "desc").limit(limit + 1).execute();
    const items = rows.slice(0, limit).map((row) => rowToPayment(row, this.dialect));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
  }

  async listHistory(paymentId: string): Promise<HistoryEntry[]> {
    if (!isMatchableText(paymentId)) return [];
    const rows = await this.#outside()
      .selectFrom("payment_history")
      .selectAll()
      .where("payment_id", "=", paymentId)
      .orderBy("seq")
      .execute();
    return rows.map((row) => rowToHistory(row, this.dialect));
  }

  async findRefundByProviderId(provider: string, providerRefundId: string): Promise<Refund | null> {
    if (!isMatchableText(provider) || !isMatchableText(providerRefundId)) return null;
    const row = await this.#outside()
      .selectFrom("refunds")
      .innerJoin("payments", "payments.id", "refunds.payment_id")
      .selectAll("refunds")
      .where("refunds.provider_refund_id", "=", providerRefundId)
      .where("payments.provider", "=", provider)
      .orderBy("refunds.id")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : rowToRefund(row, this.dialect);
  }

  async listRefunds(paymentId: string): Promise<Refund[]> {
    if (!isMatchableText(paymentId)) return [];
    const rows = await this.#outside()
      .selectFrom("refunds")
      .selectAll()
      .where("payment_id", "=", paymentId)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows.map((row) => rowToRefund(row, this.dialect));
  }

  async getDispute(id: string): Promise<Dispute | null> {
    if (!isMatchableText(id)) return null;
    const row = await this.#outside().selectFrom("disputes").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToDispute(row, this.dialect);
  }

  async listPaymentDisputes(paymentId: string): Promise<Dispute[]> {
    if (!isMatchableText(paymentId)) return [];
    // Oldest first: ids sort by creation time. Read through disputes_payment_id_id (payment_id, id), no sort.
    const rows = await this.#outside().selectFrom("disputes").selectAll().where("payment_id", "=", paymentId).orderBy("id").execute();
    return rows.map((row) => rowToDispute(row, this.dialect));
  }

  async listDisputes(requested: DisputeFilter, page: PageRequest): Promise<Page<Dispute>> {
    const limit = clampPageLimit(page.limit);
    // As listPayments: the cursor, then the filter (an unknown field, a bad status or instant), before anything runs.
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const filter = normalizeDisputeFilter(requested);
    if (filter === null) return { items: [], nextCursor: null };
    let query = this.#outside().selectFrom("disputes").selectAll();
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === "string" ? [filter.status] : [...filter.status];
      if (statuses.length === 0) return { items: [], nextCursor: null };
      query = query.where("status", "in", statuses);
    }
    if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
    if (filter.paymentId !== undefined) query = query.where("payment_id", "=", filter.paymentId);
    if (filter.currency !== undefined) query = query.where("currency", "=", filter.currency);
    // Canonical UTC instants (normalized above): text order is time order on SQLite.
    if (filter.openedFrom !== undefined) query = query.where("opened_at", ">=", filter.openedFrom);
    if (filter.openedTo !== undefined) query = query.where("opened_at", "<", filter.openedTo);
    // `<` is false for a null due date on both engines: a dispute without one is never "due before".
    if (filter.evidenceDueBefore !== undefined) query = query.where("evidence_due_by", "<", filter.evidenceDueBefore);
    if (after !== undefined) query = query.where("id", "<", after);
    const rows = await query.orderBy("id", "desc").limit(limit + 1).execute();
    const items = rows.slice(0, limit).map((row) => rowToDispute(row, this.dialect));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
  }

  async getCustomer(id: string): Promise<Customer | null> {
    if (!isMatchableText(id)) return null;
    const row = await this.#outside().selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToCustomer(row, this.dialect);
  }

  async listCustomers(requested: CustomerFilter, page: PageRequest): Promise<Page<Customer>> {
    const limit = clampPageLimit(page.limit);
    // As listPayments: the cursor, then the filter (an unknown field, a `deleted` that is not a boolean), before
    // anything runs; text no customer can hold is an empty page, never sent.
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const filter = normalizeCustomerFilter(requested);
    if (filter === null) return { items: [], nextCursor: null };
    let query = this.#outside().selectFrom("customers").selectAll();
    if (filter.owner !== undefined) query = query.where("owner", "=", filter.owner);
    if (filter.email !== undefined) query = query.where("email", "=", filter.email);
    // `is not null` is the predicate of customers_deleted_id, so `deleted: true` reads that partial index.
    if (filter.deleted !== undefined) query = query.where("deleted_at", filter.deleted ? "is not" : "is", null);
    if (after !== undefined) query = query.where("id", "<", after);
    const rows = await query.orderBy("id", "desc").limit(limit + 1).execute();
    const items = rows.slice(0, limit).map((row) => rowToCustomer(row, this.dialect));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
  }

  async getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null> {
    if (!isMatchableText(id)) return null;
    const row = await this.#outside().selectFrom("saved_payment_methods").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : rowToSavedPaymentMethod(row, this.dialect);
  }

  async listSavedPaymentMethods(customerId: string): Promise<SavedPaymentMethod[]> {
    if (!isMatchableText(customerId)) return [];
    // Oldest first: ids sort by creation time. Read through saved_payment_methods_customer_id_id, no sort.
    const rows = await this.#outside().selectFrom("saved_payment_methods").selectAll().where("customer_id", "=", customerId).orderBy("id").execute();
    return rows.map((row) => rowToSavedPaymentMethod(row, this.dialect));
  }

  async disputeStats(requested: Pick<DisputeFilter, "openedFrom" | "openedTo">): Promise<DisputeStatsRow[]> {
    // The filter rules of the list (an unknown field is refused); only the window applies here.
    const filter = normalizeDisputeFilter(requested);
    if (filter === null) return [];
    // Summed in 32-bit halves and recombined as bigint, as `stats` does: exact however many disputes, on both
    // engines (SQLite's SUM of 64-bit integers throws past 2^63). Disputes are few, so a window reads its range of
    // disputes_opened_at and all time reads the table: no counters to keep, unlike payments.
    let query = this.#outside()
      .selectFrom("disputes")
      .select((eb) => [
        "status",
        "currency",
        eb.fn.countAll().as("count"),
        sql<unknown>`sum(${sql.ref("amount")} >> 32)`.as("amount_high"),
        sql<unknown>`sum(${sql.ref("amount")} & 4294967295)`.as("amount_low"),
      ]);
    if (filter.openedFrom !== undefined) query = query.where("opened_at", ">=", filter.openedFrom);
    if (filter.openedTo !== undefined) query = query.where("opened_at", "<", filter.openedTo);
    const rows = await query.groupBy(["status", "currency"]).execute();
    const stats = rows.map((row) => ({
      status: readEnum(row.status, DISPUTE_STATUSES, "disputeStats.status"),
      currency: readString(row.currency, "disputeStats.currency"),
      count: readInteger(row.count, "disputeStats.count"),
      amount: (readExactSum(row.amount_high, "disputeStats.amount") << 32n) + readExactSum(row.amount_low, "disputeStats.amount"),
    }));
    // Ordered here, by code unit as every store orders them, not by the database's collation (a PostgreSQL locale
    // may ignore the underscores of the statuses). A few groups at most: statuses times currencies.
    const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return stats.sort((a, b) => byCodeUnit(a.status, b.status) || byCodeUnit(a.currency, b.currency));
  }

  async stats(requested: StatsFilter): Promise<StatsRow[]> {
    const filter = normalizePaymentFilter(requested);
    if (filter === null) return [];
    if (filter.createdFrom === undefined && filter.createdTo === undefined) return this.#allTimeStats();
    // Each amount is summed in two halves, SUM(amount >> 32) and SUM(amount & 0xffffffff), recombined exactly as
    // bigint: SQLite's SUM over 64-bit integers throws "integer overflow" past 2^63 (1,024 payments of 2^53 - 1)
    // and TOTAL() is a float, while neither half can overflow before 2^31 rows. PostgreSQL would sum bigint into
    // numeric by itself; one query serves both. Amounts are never negative (the schema checks it), but the split
    // is exact for negative numbers too (arithmetic shift, two's complement).
    const split = (column: "amount" | "amount_captured" | "amount_refunded") =>
      [sql<unknown>`sum(${sql.ref(column)} >> 32)`.as(`${column}_high`), sql<unknown>`sum(${sql.ref(column)} & 4294967295)`.as(`${column}_low`)] as const;
    let query = this.#outside()
      .selectFrom("payments")
      .select((eb) => ["status", "provider", "currency", eb.fn.countAll().as("count"), ...split("amount"), ...split("amount_captured"), ...split("amount_refunded")]);
    if (filter.createdFrom !== undefined) query = query.where("created_at", ">=", filter.createdFrom);
    if (filter.createdTo !== undefined) query = query.where("created_at", "<", filter.createdTo);
    const rows = await query
      .groupBy(["status", "provider", "currency"])
      .orderBy("status")
      .orderBy("provider")
      .orderBy("currency")
      .execute();
    const sum = (row: Record<string, unknown>, column: string) =>
      (readExactSum(row[`${column}_high`], `stats.${column}`) << 32n) + readExactSum(row[`${column}_low`], `stats.${column}`);
    return rows.map((row) => ({
      status: readEnum(row.status, PAYMENT_STATUSES, "stats.status"),
      provider: readString(row.provider, "stats.provider"),
      currency: readString(row.currency, "stats.currency"),
      count: readInteger(row.count, "stats.count"),
      amount: sum(row, "amount"),
      amountCaptured: sum(row, "amount_captured"),
      amountRefunded: sum(row, "amount_refunded"),
    }));
  }

  /**
   * All time, from the counters the triggers keep (migration 0007): a few rows per group whatever the number of
   * payments, so a scrape never scans payments. The halves are summed over the shards, exactly as bigint.
   */
  async #allTimeStats(): Promise<StatsRow[]> {
    const sumOf = (column: (typeof TOTAL_COLUMNS)[number]) => sql<unknown>`sum(${sql.ref(column)})`.as(column);
    const rows = await this.#outside()
      .selectFrom("payment_totals")
      .select(["status", "provider", "currency", ...TOTAL_COLUMNS.map(sumOf)])
      .groupBy(["status", "provider", "currency"])
      .having(sql`sum(${sql.ref("count")})`, ">", 0)
      .orderBy("status")
      .orderBy("provider")
      .orderBy("currency")
      .execute();
    const exact = (row: Record<string, unknown>, column: (typeof TOTAL_COLUMNS)[number]) => readExactSum(row[column], `stats.${column}`);
    return rows.map((row) => ({
      status: readEnum(row.status, PAYMENT_STATUSES, "stats.status"),
      provider: readString(row.provider, "stats.provider"),
      currency: readString(row.currency, "stats.currency"),
      count: readInteger(exact(row, "count"), "stats.count"),
      amount: (exact(row, "amount_high") << 32n) + exact(row, "amount_low"),
      amountCaptured: (exact(row, "captured_high") << 32n) + exact(row, "captured_low"),
      amountRefunded: (exact(row, "refunded_high") << 32n) + exact(row, "refunded_low"),
    }));
  }

  async listPendingIdempotencyRecords(updatedBefore: string, limit: number): Promise<IdempotencyRecord[]> {
    const rows = await this.#outside()
      .selectFrom("idempotency_records")
      .selectAll()
      .where("recovery_point", "=", "gateway_pending")
      .where("updated_at", "<", writeTimestamp(updatedBefore, "updatedBefore"))
      .orderBy("updated_at")
      .orderBy("scope")
      .orderBy("key")
      .limit(writeInteger(limit, "limit"))
      .execute();
    return rows.map((row) => rowToIdempotency(row, this.dialect));
  }

  async deleteExpiredIdempotencyRecords(now: string): Promise<number> {
    const before = writeTimestamp(now, "now");
    // `finished` as a literal: the sweep index is partial on it (SQLite uses a partial index only for a literal).
    return this.#purgeInBatches((db, limit) =>
      db
        .deleteFrom("idempotency_records")
        .where(notIndexed("recovery_point"), "=", sql.lit("finished"))
        .where(notIndexed("expires_at"), "<", before)
        .where((eb) =>
          eb(
            eb.refTuple("scope", "key"),
            "in",
            eb
              .selectFrom("idempotency_records")
              .select(["scope", "key"])
              .where("recovery_point", "=", sql.lit("finished"))
              .where("expires_at", "<", before)
              .limit(limit)
              .$asTuple("scope", "key"),
          ),
        ),
    );
  }

  /**
   * Runs `deleteBatch` (a DELETE of at most `limit` rows) until a batch comes back short: at most `purgeBatchSize` rows per statement, until a batch comes back short.
   * Each batch is its own autocommitted statement: on SQLite it holds the write lock for one batch, and the loop
   * yields between batches so the transactions queued on the one connection (and other processes) get the lock.
   * The DELETE repeats the purge's conditions around the batch's keys: on PostgreSQL a row changed by a concurrent
   * writer after the batch was chosen is re-checked against them and kept if it no longer qualifies.
   * Then the dialect gives the freed pages back (SQLite's incremental vacuum), also in bounded steps.
   */
  async #purgeInBatches(
    deleteBatch: (db: Kysely<Database>, limit: number) => { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> },
  ): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result = await deleteBatch(this.#outside(), this.#purgeBatchSize).executeTakeFirst();
      const count = Number(result.numDeletedRows);
      deleted += count;
      if (count < this.#purgeBatchSize) break;
      await yieldToQueuedWork();
    }
    if (deleted > 0) await this.dialect.reclaimSpace(this.#outside());
    return deleted;
  }

  async claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
    assertStorableText(claim.claimant, "outbox.claimant");
    const now = writeTimestamp(claim.now, "claim.now");
    const leaseUntil = writeTimestamp(claim.leaseUntil, "claim.leaseUntil");
    const limit = Math.max(1, writeInteger(claim.limit, "claim.limit"));
    const db = this.#outside();
    // One statement: pick the claimable events and lease them. Claimable means pending, due, not leased (or the
    // lease ran out), and the oldest event of its payment neither delivered nor skipped: a retrying or dead event
    // holds back its payment's later events only. The candidates are read from `outbox_pending` in sequence order
    // and the walk stops at the limit, each checked with one probe of `outbox_open_by_payment` (migration 0006):
    // O(batch + events passed over), not O(backlog). Statuses are literals so SQLite can use the partial indexes.
    // On PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over rows another claimer is leasing
    // instead of waiting for (and then double-leasing) them; a row leased and committed meanwhile is re-checked
    // against the WHERE and dropped. SQLite runs the statement under its write lock, which excludes any other claimer.
    const open = [sql.lit("pending"), sql.lit("dead")];
    let candidates = db
      .selectFrom("outbox as o")
      .select("o.sequence")
      .where("o.status", "=", sql.lit("pending"))
      .where("o.next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("o.leased_until", "is", null), eb("o.leased_until", "<=", now)]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("outbox as earlier")
              .select(sql.lit(1).as("one"))
              .whereRef("earlier.payment_id", "=", "o.payment_id")
              .where("earlier.status", "in", open)
              .whereRef("earlier.sequence", "<", "o.sequence"),
          ),
        ),
      )
      .orderBy("o.sequence")
      .limit(limit);
    if (this.dialect.rowLocks) candidates = candidates.forUpdate().skipLocked();
    const rows = await db
      .updateTable("outbox")
      .set({ leased_by: claim.claimant, leased_until: leaseUntil })
      .where("sequence", "in", candidates)
      .returningAll()
      .execute();
    return rows.map((row) => rowToOutbox(row, this.dialect)).sort((a, b) => a.sequence - b.sequence);
  }

  async markOutboxDelivered(sequence: number, claimant: string, at: string): Promise<boolean> {
    // A claimant no lease could name holds no lease.
    if (!isMatchableText(claimant)) return false;
    const result = await this.#outside()
      .updateTable("outbox")
      .set({ status: "delivered", delivered_at: writeTimestamp(at, "at"), leased_by: null, leased_until: null })
      .where("sequence", "=", writeInteger(sequence, "sequence"))
      .where("leased_by", "=", claimant)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async markOutboxFailed(
    sequence: number,
    claimant: string,
    failure: { error: string; nextAttemptAt: string; dead: boolean },
  ): Promise<boolean> {
    if (!isMatchableText(claimant)) return false;
    assertStorableText(failure.error, "outbox.lastError", true);
    const result = await this.#outside()
      .updateTable("outbox")
      .set({
        status: failure.dead ? "dead" : "pending",
        attempts: sql<number>`attempts + 1`,
        last_error: failure.error,
        next_attempt_at: writeTimestamp(failure.nextAttemptAt, "nextAttemptAt"),
        leased_by: null,
        leased_until: null,
      })
      .where("sequence", "=", writeInteger(sequence, "sequence"))
      .where("leased_by", "=", claimant)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async listOutbox(filter: {
    status?: OutboxEntry["status"] | undefined;
    paymentId?: string | undefined;
    limit: number;
  }): Promise<OutboxEntry[]> {
    if (![filter.status, filter.paymentId].every((text) => text === undefined || isMatchableText(text))) return [];
    let query = this.#outside().selectFrom("outbox").selectAll();
    if (filter.status !== undefined) {
      // A literal, so that SQLite can walk the partial index `outbox_pending` for the pending ones in order.
      if (!OUTBOX_STATUSES.includes(filter.status)) return [];
      query = query.where("status", "=", sql.lit(filter.status));
    }
    if (filter.paymentId !== undefined) query = query.where("payment_id", "=", filter.paymentId);
    const rows = await query.orderBy("sequence").limit(Math.max(1, writeInteger(filter.limit, "limit"))).execute();
    return rows.map((row) => rowToOutbox(row, this.dialect));
  }

  async purgeDeliveredOutbox(before: string): Promise<number> {
    const cutoff = writeTimestamp(before, "before");
    return this.#purgeInBatches((db, limit) =>
      db
        .deleteFrom("outbox")
        .where(notIndexed("status"), "=", sql.lit("delivered"))
        .where(notIndexed("delivered_at"), "<", cutoff)
        .where(
          "sequence",
          "in",
          db.selectFrom("outbox").select("sequence").where("status", "=", sql.lit("delivered")).where("delivered_at", "<", cutoff).limit(limit),
        ),
    );
  }

  async retryOutboxEvent(sequence: number, at: string): Promise<boolean> {
    // Guarded on status: of concurrent operators only the one whose update still sees `dead` changes the row.
    const result = await this.#outside()
      .updateTable("outbox")
      .set({ status: "pending", next_attempt_at: writeTimestamp(at, "at"), leased_by: null, leased_until: null })
      .where("sequence", "=", writeInteger(sequence, "sequence"))
      .where("status", "=", "dead")
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async skipOutboxEvent(sequence: number, reason: string): Promise<boolean> {
    assertStorableText(reason, "outbox.skipReason", true);
    const result = await this.#outside()
      .updateTable("outbox")
      .set({ status: "skipped", skip_reason: reason, leased_by: null, leased_until: null })
      .where("sequence", "=", writeInteger(sequence, "sequence"))
      .where("status", "=", "dead")
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async listInboxEvents(filter: InboxFilter): Promise<InboxEvent[]> {
    // Text no event can hold matches nothing (as in the memory store), and is never sent to the driver.
    const texts = [filter.paymentId, filter.providerPaymentId, filter.eventId, filter.provider];
    if (!texts.every((text) => text === undefined || isMatchableText(text))) return [];
    let query = this.#outside().selectFrom("webhook_inbox").selectAll();
    if (filter.status !== undefined) {
      const statuses = (typeof filter.status === "string" ? [filter.status] : [...filter.status]).filter((status) => INBOX_STATUSES.includes(status));
      if (statuses.length === 0) return [];
      // As literals (each one of a fixed set): SQLite re-plans a statement on every run when a bound value could
      // decide whether a partial index applies (webhook_inbox_processed is one on status), ~50 µs each time, and
      // this look-up follows every settle.
      query = query.where("status", "in", statuses.map((status) => sql.lit(status)));
    }
    if (filter.paymentId !== undefined) query = query.where("payment_id", "=", filter.paymentId);
    if (filter.providerPaymentId !== undefined) query = query.where("provider_payment_id", "=", filter.providerPaymentId);
    if (filter.forPayment !== undefined) {
      // Either id matches; one that no event can hold just drops out of the OR.
      const { paymentId, providerPaymentId } = filter.forPayment;
      const byPaymentId = isMatchableText(paymentId) ? paymentId : null;
      const byProviderId = providerPaymentId !== null && isMatchableText(providerPaymentId) ? providerPaymentId : null;
      if (byPaymentId === null && byProviderId === null) return [];
      query = query.where((eb) =>
        eb.or([
          ...(byPaymentId === null ? [] : [eb("payment_id", "=", byPaymentId)]),
          ...(byProviderId === null ? [] : [eb("provider_payment_id", "=", byProviderId)]),
        ]),
      );
    }
    if (filter.eventId !== undefined) query = query.where("event_id", "=", filter.eventId);
    if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
    if (filter.receivedBefore !== undefined) query = query.where("received_at", "<", writeTimestamp(filter.receivedBefore, "receivedBefore"));
    const rows = await query
      .orderBy("received_at")
      .orderBy("provider")
      .orderBy("event_id")
      .limit(Math.max(1, writeInteger(filter.limit, "limit")))
      .execute();
    return rows.map((row) => rowToInbox(row, this.dialect));
  }

  async purgeWebhookEvents(before: string): Promise<number> {
    const cutoff = writeTimestamp(before, "before");
    // Only processed events: a held, failed or orphaned one is work still to do, however old.
    return this.#purgeInBatches((db, limit) =>
      db
        .deleteFrom("webhook_inbox")
        .where(notIndexed("status"), "=", sql.lit("processed"))
        .where(notIndexed("processed_at"), "<", cutoff)
        .where((eb) =>
          eb(
            eb.refTuple("provider", "event_id"),
            "in",
            eb
              .selectFrom("webhook_inbox")
              .select(["provider", "event_id"])
              .where("status", "=", sql.lit("processed"))
              .where("processed_at", "<", cutoff)
              .limit(limit)
              .$asTuple("provider", "event_id"),
          ),
        ),
    );
  }

  /**
   * Refreshes the planner's statistics (PostgreSQL: ANALYZE of the store's tables; SQLite: PRAGMA optimize, which
   * analyzes only the tables that grew or were never analyzed, within a bounded sample). Without statistics SQLite
   * answers a time-window list by walking every payment in id order instead of using the window's index. `migrate()`
   * runs it once; a host runs it on a schedule (e.g. hourly, as the CLI's `purge --every` does) while data grows.
   */
  async optimize(): Promise<void> {
    await this.dialect.optimize(this.#outside());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
    await this.#onClose?.();
  }
}

/** Lets the callbacks and I/O queued meanwhile run (a charge waiting for SQLite's one connection) before the next batch. */
function yieldToQueuedWork(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The kysely instance behind a store, or the instance itself: what `migrate(store or db)` accepts. */
export function kyselyOf(storeOrDb: KyselyPaymentStore | Kysely<any>): Kysely<any> {
  return storeOrDb instanceof KyselyPaymentStore ? storeOrDb.db : storeOrDb;
}
