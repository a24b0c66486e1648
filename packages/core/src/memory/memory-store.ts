import { formatReceiptNumber, receiptYear } from "../receipts/receipt-number.js";
import type { PaymentEvent } from "../domain/events.js";
import type { Customer, SavedPaymentMethod } from "../domain/customer.js";
import type { Dispute } from "../domain/dispute.js";
import type { HistoryEntry, Payment, Refund } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type {
  CustomerFilter,
  DisputeFilter,
  DisputeStatsRow,
  IdempotencyRecord,
  InboxEvent,
  InboxFilter,
  OutboxClaim,
  OutboxEntry,
  Page,
  PageRequest,
  PaymentFilter,
  PaymentStore,
  PaymentStoreTx,
  StatsFilter,
  StatsRow,
} from "../ports/payment-store.js";
import { AsyncMutex } from "./async-mutex.js";
import {
  assertStorableCustomerNumbers,
  assertStorableDisputeAmount,
  assertStorablePaymentAmounts,
  assertStorableRefundAmount,
  assertStorableSavedPaymentMethodNumbers,
} from "../validation/storable-amounts.js";
import { matchesDisputeFilter, normalizeDisputeFilter } from "../queries/dispute-filter.js";
import { matchesCustomerFilter, normalizeCustomerFilter } from "../queries/customer-filter.js";
import { decodePageCursor, encodePageCursor } from "../queries/page-cursor.js";
import { clampPageLimit } from "../queries/page-limit.js";
import { matchesFilter, normalizePaymentFilter } from "../queries/payment-filter.js";
import {
  assertStorableCustomer,
  assertStorableDispute,
  assertStorableEvent,
  assertStorableHistory,
  assertStorableIdempotencyRecord,
  assertStorableInboxEvent,
  assertStorablePayment,
  assertStorableRefund,
  assertStorableSavedPaymentMethod,
  assertStorableText,
  isMatchableText,
} from "../validation/storable-text.js";

const clone = <T>(value: T): T => structuredClone(value);

const AMOUNT_FIELDS = ["amount", "amountCaptured", "amountRefunded", "amountRefundReserved"] as const;

/**
 * A stored payment as read: one holding an amount that is not a safe integer is refused with `internal`, as the SQL
 * stores refuse a column value past 2^53 rather than round it. Writes already refuse such amounts, so only a row
 * changed behind the store's back (the contract's corruptStoredAmount) can hold one. The message names the payment
 * and the field, never the value.
 */
function readable(payment: Payment | null | undefined): Payment | null {
  if (!payment) return null;
  for (const field of AMOUNT_FIELDS) {
    if (!Number.isSafeInteger(payment[field])) {
      throw new PaymentError("internal", `stored payment ${payment.id} holds a ${field} that is not a safe integer`, { details: { field: `payment.${field}` } });
    }
  }
  return payment;
}

const pair = (a: string, b: string) => `${a}\u0000${b}`;

/** A lookup by a value no stored row could hold finds nothing, as on the SQL stores (which never send it). */
const findable = (...values: unknown[]) => values.every(isMatchableText);

/**
 * The key of the memory store's internal view of its own rows. Not exported from the package: only core's own
 * contract test reads it (its `readBack` must not go through the port methods under test, and the memory store has
 * no lower layer to read instead).
 * @internal
 */
export const memoryStoreRows = Symbol("memoryStoreRows");

/**
 * What the memory store holds, as held: live views, for reading right away and never keeping. Read-only but for one
 * use: the contract harness's corruptStoredAmount changes a stored payment in place, behind the store's back.
 */
export interface MemoryStoreRows {
  readonly payments: ReadonlyMap<string, Payment>;
  /** History rows by payment id, in the order appended. */
  readonly history: ReadonlyMap<string, readonly HistoryEntry[]>;
  readonly outbox: readonly OutboxEntry[];
  readonly idempotencyRecords: Iterable<IdempotencyRecord>;
  readonly inboxEvents: Iterable<InboxEvent>;
}

/**
 * An in-process `PaymentStore` for tests, demos and prototypes. Transactions run one at a time (serializable by
 * construction) and roll back through an undo log, so it honours every promise of the port; it keeps nothing
 * when the process ends. It refuses the text the SQL stores refuse (`storable-text.ts`), so that code tested on it
 * gets the answers it will get in production.
 */
export class MemoryPaymentStore implements PaymentStore {
  readonly capabilities = { concurrentWriters: false, durable: false } as const;
  readonly #mutex = new AsyncMutex();
  readonly #payments = new Map<string, Payment>();
  readonly #history = new Map<string, HistoryEntry[]>();
  readonly #refunds = new Map<string, Refund>();
  readonly #disputes = new Map<string, Dispute>();
  readonly #customers = new Map<string, Customer>();
  readonly #savedMethods = new Map<string, SavedPaymentMethod>();
  readonly #receiptCounters = new Map<number, number>();
  readonly #receipts = new Map<string, string>();
  readonly #idempotency = new Map<string, IdempotencyRecord>();
  readonly #outbox: OutboxEntry[] = [];
  readonly #inbox = new Map<string, InboxEvent>();
  #sequence = 0;

  transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const undo: Array<() => void> = [];
      try {
        return await work(this.#tx(undo));
      } catch (error) {
        for (const step of undo.reverse()) step();
        throw error;
      }
    });
  }

  /** Empties every collection (tests). */
  reset(): Promise<void> {
    return this.#mutex.run(async () => {
      for (const map of [this.#payments, this.#history, this.#refunds, this.#disputes, this.#customers, this.#savedMethods, this.#receiptCounters, this.#receipts, this.#idempotency, this.#inbox]) {
        map.clear();
      }
      this.#outbox.length = 0;
      this.#sequence = 0;
    });
  }

  /** @internal The rows as held, for the contract test's read-back (see `memoryStoreRows`). */
  [memoryStoreRows](): MemoryStoreRows {
    return {
      payments: this.#payments,
      history: this.#history,
      outbox: this.#outbox,
      idempotencyRecords: this.#idempotency.values(),
      inboxEvents: this.#inbox.values(),
    };
  }

  #set<K, V>(map: Map<K, V>, key: K, value: V, undo: Array<() => void>): void {
    const had = map.has(key);
    const previous = map.get(key);
    map.set(key, value);
    undo.push(() => (had ? map.set(key, previous as V) : map.delete(key)));
  }

  #tx(undo: Array<() => void>): PaymentStoreTx {
    const tx: PaymentStoreTx = {
      getPayment: async (id) => clone(readable(findable(id) ? this.#payments.get(id) : null)),
      // The oldest of several (lowest id, as ids sort by creation time), as the port says — not insertion order.
      findPaymentByProviderId: async (provider, providerPaymentId) =>
        clone(
          readable(
            [...this.#payments.values()]
              .filter((p) => p.provider === provider && p.providerPaymentId === providerPaymentId)
              .reduce<Payment | null>((oldest, p) => (oldest === null || p.id < oldest.id ? p : oldest), null),
          ),
        ),
      insertPayment: async (payment) => {
        assertStorablePayment(payment);
        assertStorablePaymentAmounts(payment);
        if (this.#payments.has(payment.id)) throw new PaymentError("conflict", `payment ${payment.id} already exists`);
        this.#set(this.#payments, payment.id, clone(payment), undo);
      },
      updatePayment: async (next, expectedVersion) => {
        if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "next version must be expected + 1");
        assertStorablePayment(next);
        assertStorablePaymentAmounts(next);
        const current = this.#payments.get(next.id);
        if (!current || current.version !== expectedVersion) return null;
        this.#set(this.#payments, next.id, clone(next), undo);
        return clone(next);
      },
      updatePaymentOrConflict: async (next, expectedVersion) => {
        const stored = await tx.updatePayment(next, expectedVersion);
        if (stored === null) throw new PaymentError("conflict", `payment ${next.id} changed concurrently`);
        return stored;
      },
      appendHistory: async (entries) => {
        for (const entry of entries) assertStorableHistory(entry);
        for (const entry of entries) {
          const list = this.#history.get(entry.paymentId) ?? [];
          this.#set(this.#history, entry.paymentId, [...list, clone(entry)], undo);
        }
      },
      getRefund: async (id) => clone((findable(id) && this.#refunds.get(id)) || null),
      insertRefund: async (refund) => {
        assertStorableRefund(refund);
        assertStorableRefundAmount(refund);
        if (this.#refunds.has(refund.id)) throw new PaymentError("conflict", `refund ${refund.id} already exists`);
        this.#set(this.#refunds, refund.id, clone(refund), undo);
      },
      updateRefund: async (refund) => {
        assertStorableRefund(refund);
        assertStorableRefundAmount(refund);
        if (!this.#refunds.has(refund.id)) throw new PaymentError("not_found", `refund ${refund.id} does not exist`);
        this.#set(this.#refunds, refund.id, clone(refund), undo);
      },
      findDisputeByProviderId: async (provider, providerDisputeId) =>
        clone(
          (findable(provider, providerDisputeId) &&
            [...this.#disputes.values()].find((d) => d.provider === provider && d.providerDisputeId === providerDisputeId)) ||
            null,
        ),
      insertDispute: async (dispute) => {
        assertStorableDispute(dispute);
        assertStorableDisputeAmount(dispute);
        if (this.#disputes.has(dispute.id)) throw new PaymentError("conflict", `dispute ${dispute.id} already exists`);
        // The SQL stores' foreign key: a dispute belongs to a payment the store holds.
        if (!this.#payments.has(dispute.paymentId)) throw new PaymentError("not_found", `no payment ${dispute.paymentId} for dispute ${dispute.id}`);
        for (const other of this.#disputes.values()) {
          if (other.provider === dispute.provider && other.providerDisputeId === dispute.providerDisputeId) {
            throw new PaymentError("conflict", `a dispute for ${dispute.provider} ${dispute.providerDisputeId} already exists`);
          }
        }
        this.#set(this.#disputes, dispute.id, clone(dispute), undo);
      },
      updateDispute: async (next, expectedVersion) => {
        if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "next version must be expected + 1");
        assertStorableDispute(next);
        assertStorableDisputeAmount(next);
        const current = this.#disputes.get(next.id);
        if (!current || current.version !== expectedVersion) return null;
        this.#set(this.#disputes, next.id, clone(next), undo);
        return clone(next);
      },
      getCustomer: async (id) => clone((findable(id) && this.#customers.get(id)) || null),
      insertCustomer: async (customer) => {
        assertStorableCustomer(customer);
        assertStorableCustomerNumbers(customer);
        if (this.#customers.has(customer.id)) throw new PaymentError("conflict", `customer ${customer.id} already exists`);
        this.#set(this.#customers, customer.id, clone(customer), undo);
      },
      updateCustomer: async (next, expectedVersion) => {
        if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "next version must be expected + 1");
        assertStorableCustomer(next);
        assertStorableCustomerNumbers(next);
        const current = this.#customers.get(next.id);
        if (!current || current.version !== expectedVersion) return null;
        this.#set(this.#customers, next.id, clone(next), undo);
        return clone(next);
      },
      getSavedPaymentMethod: async (id) => clone((findable(id) && this.#savedMethods.get(id)) || null),
      insertSavedPaymentMethod: async (method) => {
        assertStorableSavedPaymentMethod(method);
        assertStorableSavedPaymentMethodNumbers(method);
        if (this.#savedMethods.has(method.id)) throw new PaymentError("conflict", `payment method ${method.id} already exists`);
        // The SQL stores' foreign key: a saved method belongs to a customer the store holds.
        if (!this.#customers.has(method.customerId)) throw new PaymentError("not_found", `no customer ${method.customerId} for payment method ${method.id}`);
        this.#set(this.#savedMethods, method.id, clone(method), undo);
      },
      updateSavedPaymentMethod: async (next, expectedVersion) => {
        if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "next version must be expected + 1");
        assertStorableSavedPaymentMethod(next);
        assertStorableSavedPaymentMethodNumbers(next);
        const current = this.#savedMethods.get(next.id);
        if (!current || current.version !== expectedVersion) return null;
        this.#set(this.#savedMethods, next.id, clone(next), undo);
        return clone(next);
      },
      allocateReceiptNumber: async (paymentId, issuedAt) => {
        assertStorableText(paymentId, "receipt.paymentId");
        assertStorableText(issuedAt, "receipt.issuedAt");
        const existing = this.#receipts.get(paymentId);
        if (existing) return existing;
        const year = receiptYear(issuedAt);
        const next = (this.#receiptCounters.get(year) ?? 0) + 1;
        const number = formatReceiptNumber(year, next);
        this.#set(this.#receiptCounters, year, next, undo);
        this.#set(this.#receipts, paymentId, number, undo);
        return number;
      },
      // Nothing is held here: the number itself, taken at once.
      allocateReceiptNumberAtCommit: (paymentId, issuedAt) => tx.allocateReceiptNumber(paymentId, issuedAt),
      getIdempotencyRecord: async (scope, key) => clone((findable(scope, key) && this.#idempotency.get(pair(scope, key))) || null),
      insertIdempotencyRecord: async (record) => {
        assertStorableIdempotencyRecord(record);
        const id = pair(record.scope, record.key);
        if (this.#idempotency.has(id)) return false;
        this.#set(this.#idempotency, id, clone(record), undo);
        return true;
      },
      updateIdempotencyRecord: async (next, expectedLockId) => {
        assertStorableIdempotencyRecord(next);
        const id = pair(next.scope, next.key);
        const current = this.#idempotency.get(id);
        if (!current || current.lockId !== expectedLockId) return false;
        this.#set(this.#idempotency, id, clone(next), undo);
        return true;
      },
      appendOutbox: async (events: readonly PaymentEvent[]) => {
        for (const event of events) assertStorableEvent(event);
        for (const event of events) {
          const entry: OutboxEntry = {
            sequence: ++this.#sequence,
            event: clone(event),
            status: "pending",
            attempts: 0,
            nextAttemptAt: event.occurredAt,
            leasedBy: null,
            leasedUntil: null,
            lastError: null,
            deliveredAt: null,
            skipReason: null,
          };
          this.#outbox.push(entry);
          undo.push(() => {
            const index = this.#outbox.indexOf(entry);
            if (index >= 0) this.#outbox.splice(index, 1);
          });
        }
      },
      insertInboxEvent: async (event) => {
        assertStorableInboxEvent(event);
        const id = pair(event.provider, event.eventId);
        if (this.#inbox.has(id)) return false;
        this.#set(this.#inbox, id, clone(event), undo);
        return true;
      },
      getInboxEvent: async (provider, eventId) => clone((findable(provider, eventId) && this.#inbox.get(pair(provider, eventId))) || null),
      updateInboxEvent: async (next, expected) => {
        assertStorableInboxEvent(next);
        const id = pair(next.provider, next.eventId);
        const current = this.#inbox.get(id);
        if (!current || current.status !== expected.status || current.attempts !== expected.attempts) return false;
        this.#set(this.#inbox, id, clone(next), undo);
        return true;
      },
    };
    return tx;
  }

  #read<T>(work: () => T): Promise<T> {
    return this.#mutex.run(async () => clone(work()));
  }

  getPayment(id: string): Promise<Payment | null> {
    return this.#read(() => readable(findable(id) ? this.#payments.get(id) : null));
  }

  async listPayments(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>> {
    // Checked before the read, as the SQL stores do before their query: a bad cursor or instant is refused even
    // when the store is empty.
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const normalized = normalizePaymentFilter(filter);
    return this.#read(() => {
      if (normalized === null) return { items: [], nextCursor: null };
      const limit = clampPageLimit(page.limit);
      const matching = [...this.#payments.values()]
        .filter((p) => matchesFilter(p, normalized) && (after === undefined || p.id < after))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const items = matching.slice(0, limit).map((p) => readable(p)!);
      const last = items[items.length - 1];
      return { items, nextCursor: matching.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
    });
  }

  listHistory(paymentId: string): Promise<HistoryEntry[]> {
    return this.#read(() => (findable(paymentId) && this.#history.get(paymentId)) || []);
  }

  findRefundByProviderId(provider: string, providerRefundId: string): Promise<Refund | null> {
    return this.#read(() =>
      [...this.#refunds.values()]
        .filter((r) => r.providerRefundId === providerRefundId && this.#payments.get(r.paymentId)?.provider === provider)
        .reduce<Refund | null>((oldest, r) => (oldest === null || r.id < oldest.id ? r : oldest), null),
    );
  }

  listRefunds(paymentId: string): Promise<Refund[]> {
    return this.#read(() =>
      [...this.#refunds.values()].filter((r) => r.paymentId === paymentId).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  }

  getCustomer(id: string): Promise<Customer | null> {
    return this.#read(() => (findable(id) && this.#customers.get(id)) || null);
  }

  async listCustomers(filter: CustomerFilter, page: PageRequest): Promise<Page<Customer>> {
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const normalized = normalizeCustomerFilter(filter);
    return this.#read(() => {
      if (normalized === null) return { items: [], nextCursor: null };
      const limit = clampPageLimit(page.limit);
      const matching = [...this.#customers.values()]
        .filter((c) => matchesCustomerFilter(c, normalized) && (after === undefined || c.id < after))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const items = matching.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: matching.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
    });
  }

  getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null> {
    return this.#read(() => (findable(id) && this.#savedMethods.get(id)) || null);
  }

  listSavedPaymentMethods(customerId: string): Promise<SavedPaymentMethod[]> {
    return this.#read(() => [...this.#savedMethods.values()].filter((m) => m.customerId === customerId).sort((a, b) => (a.id < b.id ? -1 : 1)));
  }

  getDispute(id: string): Promise<Dispute | null> {
    return this.#read(() => (findable(id) && this.#disputes.get(id)) || null);
  }

  listPaymentDisputes(paymentId: string): Promise<Dispute[]> {
    return this.#read(() => [...this.#disputes.values()].filter((d) => d.paymentId === paymentId).sort((a, b) => (a.id < b.id ? -1 : 1)));
  }

  async listDisputes(filter: DisputeFilter, page: PageRequest): Promise<Page<Dispute>> {
    const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
    const normalized = normalizeDisputeFilter(filter);
    return this.#read(() => {
      if (normalized === null) return { items: [], nextCursor: null };
      const limit = clampPageLimit(page.limit);
      const matching = [...this.#disputes.values()]
        .filter((d) => matchesDisputeFilter(d, normalized) && (after === undefined || d.id < after))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const items = matching.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: matching.length > limit && last !== undefined ? encodePageCursor(last.id) : null };
    });
  }

  async disputeStats(filter: Pick<DisputeFilter, "openedFrom" | "openedTo">): Promise<DisputeStatsRow[]> {
    const normalized = normalizeDisputeFilter(filter);
    return this.#read(() => {
      if (normalized === null) return [];
      const groups = new Map<string, DisputeStatsRow>();
      for (const d of this.#disputes.values()) {
        if (!matchesDisputeFilter(d, normalized)) continue;
        const id = pair(d.status, d.currency);
        const row = groups.get(id) ?? { status: d.status, currency: d.currency, count: 0, amount: 0n };
        row.count++;
        row.amount += BigInt(d.amount);
        groups.set(id, row);
      }
      return [...groups.values()].sort((a, b) => (pair(a.status, a.currency) < pair(b.status, b.currency) ? -1 : 1));
    });
  }

  async stats(filter: StatsFilter): Promise<StatsRow[]> {
    const normalized = normalizePaymentFilter(filter);
    return this.#read(() => {
      if (normalized === null) return [];
      const groups = new Map<string, StatsRow>();
      for (const p of this.#payments.values()) {
        if (!matchesFilter(p, normalized)) continue;
        const id = [p.status, p.provider, p.currency].join("\u0000");
        const row = groups.get(id) ?? { status: p.status, provider: p.provider, currency: p.currency, count: 0, amount: 0n, amountCaptured: 0n, amountRefunded: 0n };
        row.count++;
        // Exact however many rows: a sum of safe integers is not one.
        row.amount += BigInt(p.amount);
        row.amountCaptured += BigInt(p.amountCaptured);
        row.amountRefunded += BigInt(p.amountRefunded);
        groups.set(id, row);
      }
      const order = (r: StatsRow) => pair(pair(r.status, r.provider), r.currency);
      return [...groups.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
    });
  }

  listPendingIdempotencyRecords(updatedBefore: string, limit: number): Promise<IdempotencyRecord[]> {
    return this.#read(() =>
      [...this.#idempotency.values()]
        .filter((r) => r.recoveryPoint === "gateway_pending" && r.updatedAt < updatedBefore)
        .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1))
        .slice(0, limit),
    );
  }

  deleteExpiredIdempotencyRecords(now: string): Promise<number> {
    return this.#mutex.run(async () => {
      let count = 0;
      for (const [id, record] of this.#idempotency) {
        if (record.recoveryPoint === "finished" && record.expiresAt < now) {
          this.#idempotency.delete(id);
          count++;
        }
      }
      return count;
    });
  }

  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
    return this.#mutex.run(async () => {
      assertStorableText(claim.claimant, "outbox.claimant");
      const heads = new Map<string, OutboxEntry>();
      for (const entry of this.#outbox) {
        if (entry.status !== "delivered" && entry.status !== "skipped" && !heads.has(entry.event.paymentId)) {
          heads.set(entry.event.paymentId, entry);
        }
      }
      const claimed: OutboxEntry[] = [];
      for (const entry of [...heads.values()].sort((a, b) => a.sequence - b.sequence)) {
        if (claimed.length >= claim.limit) break;
        if (entry.status !== "pending" || entry.nextAttemptAt > claim.now) continue;
        if (entry.leasedUntil !== null && entry.leasedUntil > claim.now) continue;
        entry.leasedBy = claim.claimant;
        entry.leasedUntil = claim.leaseUntil;
        claimed.push(clone(entry));
      }
      return claimed;
    });
  }

  #leased(sequence: number, claimant: string): OutboxEntry | null {
    const entry = this.#outbox.find((e) => e.sequence === sequence);
    return entry && entry.leasedBy === claimant && entry.status === "pending" ? entry : null;
  }

  markOutboxDelivered(sequence: number, claimant: string, at: string): Promise<boolean> {
    return this.#mutex.run(async () => {
      const entry = this.#leased(sequence, claimant);
      if (!entry) return false;
      Object.assign(entry, { status: "delivered", deliveredAt: at, leasedBy: null, leasedUntil: null, attempts: entry.attempts + 1 });
      return true;
    });
  }

  markOutboxFailed(sequence: number, claimant: string, failure: { error: string; nextAttemptAt: string; dead: boolean }): Promise<boolean> {
    return this.#mutex.run(async () => {
      assertStorableText(failure.error, "outbox.lastError", true);
      const entry = this.#leased(sequence, claimant);
      if (!entry) return false;
      Object.assign(entry, {
        status: failure.dead ? "dead" : "pending",
        attempts: entry.attempts + 1,
        lastError: failure.error,
        nextAttemptAt: failure.nextAttemptAt,
        leasedBy: null,
        leasedUntil: null,
      });
      return true;
    });
  }

  listOutbox(filter: { status?: OutboxEntry["status"] | undefined; paymentId?: string | undefined; limit: number }): Promise<OutboxEntry[]> {
    return this.#read(() =>
      this.#outbox
        .filter((e) => (filter.status === undefined || e.status === filter.status) && (filter.paymentId === undefined || e.event.paymentId === filter.paymentId))
        .slice(0, filter.limit),
    );
  }

  purgeDeliveredOutbox(before: string): Promise<number> {
    return this.#mutex.run(async () => {
      const keep = this.#outbox.filter((e) => !(e.status === "delivered" && e.deliveredAt !== null && e.deliveredAt < before));
      const removed = this.#outbox.length - keep.length;
      this.#outbox.splice(0, this.#outbox.length, ...keep);
      return removed;
    });
  }

  retryOutboxEvent(sequence: number, at: string): Promise<boolean> {
    return this.#mutex.run(async () => {
      const entry = this.#outbox.find((e) => e.sequence === sequence);
      if (!entry || entry.status !== "dead") return false;
      Object.assign(entry, { status: "pending", nextAttemptAt: at, leasedBy: null, leasedUntil: null });
      return true;
    });
  }

  skipOutboxEvent(sequence: number, reason: string): Promise<boolean> {
    return this.#mutex.run(async () => {
      assertStorableText(reason, "outbox.skipReason", true);
      const entry = this.#outbox.find((e) => e.sequence === sequence);
      if (!entry || entry.status !== "dead") return false;
      Object.assign(entry, { status: "skipped", skipReason: reason, leasedBy: null, leasedUntil: null });
      return true;
    });
  }

  listInboxEvents(filter: InboxFilter): Promise<InboxEvent[]> {
    const statuses = filter.status === undefined ? undefined : typeof filter.status === "string" ? [filter.status] : filter.status;
    return this.#read(() =>
      [...this.#inbox.values()]
        .filter(
          (e) =>
            (statuses === undefined || statuses.includes(e.status)) &&
            (filter.paymentId === undefined || e.paymentId === filter.paymentId) &&
            (filter.providerPaymentId === undefined || e.providerPaymentId === filter.providerPaymentId) &&
            (filter.forPayment === undefined ||
              e.paymentId === filter.forPayment.paymentId ||
              (filter.forPayment.providerPaymentId !== null && e.providerPaymentId === filter.forPayment.providerPaymentId)) &&
            (filter.eventId === undefined || e.eventId === filter.eventId) &&
            (filter.provider === undefined || e.provider === filter.provider) &&
            (filter.receivedBefore === undefined || e.receivedAt < filter.receivedBefore),
        )
        .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : pair(a.provider, a.eventId) < pair(b.provider, b.eventId) ? -1 : 1))
        .slice(0, Math.max(1, filter.limit)),
    );
  }

  purgeWebhookEvents(before: string): Promise<number> {
    return this.#mutex.run(async () => {
      let count = 0;
      for (const [id, event] of this.#inbox) {
        if (event.status === "processed" && event.processedAt !== null && event.processedAt < before) {
          this.#inbox.delete(id);
          count++;
        }
      }
      return count;
    });
  }

  async close(): Promise<void> {}
}

export function createMemoryStore(): MemoryPaymentStore {
  return new MemoryPaymentStore();
}
