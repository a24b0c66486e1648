import { decorateStore } from "../src/decorate/index.js";
import { forwardTo } from "../src/decorate/forward-to.js";
import { isPaymentError } from "../src/errors/index.js";
import type { MemoryPaymentStore } from "../src/memory/memory-store.js";
import type { Payment } from "../src/domain/payment.js";
import type { CustomerFilter, DisputeFilter, InboxFilter, OutboxEntry, PaymentFilter, PaymentStore, PaymentStoreTx, StatsFilter, StatsRow } from "../src/ports/payment-store.js";
import { PAYMENT_FILTER_FIELDS, normalizePaymentFilter } from "../src/queries/payment-filter.js";
import { encodePageCursor } from "../src/queries/page-cursor.js";
import { DISPUTE_FILTER_FIELDS, normalizeDisputeFilter } from "../src/queries/dispute-filter.js";
import { CUSTOMER_FILTER_FIELDS, normalizeCustomerFilter } from "../src/queries/customer-filter.js";
import type { StoreMutant } from "./mutant.js";

/** Later than any instant a case uses: a mutant that passes it has stopped looking at the time it was given. */
const FAR_FUTURE = "9999-12-31T23:59:59.999Z";
const EVERYTHING = 10_000;

/**
 * `listPayments` that answers as if `filter` lacked `field`, while every check the store makes of the filter (a bad
 * instant, text no row can hold, a bad cursor) still happens: only the matching is broken.
 */
function listIgnoring(inner: PaymentStore, field: keyof PaymentFilter): PaymentStore["listPayments"] {
  return async (filter, page) => {
    const honest = await inner.listPayments(filter, page);
    if (normalizePaymentFilter(filter) === null) return honest;
    const { [field]: _ignored, ...rest } = filter;
    return inner.listPayments(rest, page);
  };
}

/** `stats` that ignores `field` of its window, after the store checked it. */
function statsIgnoring(inner: PaymentStore, field: keyof StatsFilter): PaymentStore["stats"] {
  return async (filter) => {
    await inner.stats(filter);
    const { [field]: _ignored, ...rest } = filter;
    return inner.stats(rest);
  };
}

/** `listPayments` with one instant of the filter rewritten (after the store checked the original). */
function listShifting(inner: PaymentStore, shift: (filter: PaymentFilter) => PaymentFilter): PaymentStore["listPayments"] {
  return async (filter, page) => {
    const honest = await inner.listPayments(filter, page);
    const normalized = normalizePaymentFilter(filter);
    return normalized === null ? honest : inner.listPayments(shift(normalized), page);
  };
}

const plusOneMs = (instant: string) => new Date(Date.parse(instant) + 1).toISOString();

const filterMutant = (field: keyof PaymentFilter, mustFail: StoreMutant["mustFail"]): StoreMutant => ({
  id: `filter-ignores-${field}`,
  breaks: `listPayments ignores filter.${field}`,
  mustFail,
  mutate: (inner) => decorateStore(inner, { store: (store) => ({ listPayments: listIgnoring(store, field) }) }),
});

const inboxFilterMutant = (field: Exclude<keyof InboxFilter, "limit">): StoreMutant => ({
  id: `inbox-filter-ignores-${field}`,
  breaks: `listInboxEvents ignores filter.${field}`,
  mustFail: ["inboxList", "inboxFilterFields"],
  mutate: (inner) =>
    decorateStore(inner, {
      store: (store) => ({
        listInboxEvents: (filter) => {
          const { [field]: _ignored, ...rest } = filter;
          return store.listInboxEvents(rest);
        },
      }),
    }),
});

/** A transaction whose every call runs (and commits) as its own transaction: nothing rolls back together. */
function autoCommitting(inner: MemoryPaymentStore): PaymentStoreTx {
  return new Proxy({} as PaymentStoreTx, {
    get: (_target, member) =>
      (...args: unknown[]) =>
        inner.transaction((tx) => (Reflect.get(tx, member) as (...a: unknown[]) => Promise<unknown>).apply(tx, args)),
  });
}

/** C0 controls but TAB/LF/CR, and DEL: what a store that "cleans" text instead of refusing it would drop. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** A surrogate without its partner. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** What a PostgreSQL driver does to a lone surrogate on the way in: U+FFFD in its place. */
const wellFormed = (text: string) => text.replace(LONE_SURROGATE, "\ufffd");

/** `value` with every string in it (keys too) cleaned by `clean`: a store that scrubs what it was given. */
function scrubbed<T>(value: T, clean: (text: string) => string): T {
  if (typeof value === "string") return clean(value) as T;
  if (Array.isArray(value)) return value.map((item) => scrubbed(item, clean)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [clean(key), scrubbed(item, clean)])) as T;
  }
  return value;
}

/** `listOutbox` that answers as if `filter` lacked `field`, still at most the limit. */
function outboxListIgnoring(inner: PaymentStore, field: "status" | "paymentId"): PaymentStore["listOutbox"] {
  return (filter) => {
    const { [field]: _ignored, ...rest } = filter;
    return inner.listOutbox(rest);
  };
}

/** The store mutants: each is the memory store with exactly one rule of the port broken. */
/**
 * A store whose `findPaymentByProviderId` answers from the payments this store inserted that `matches` admits, the
 * lowest or highest id as `prefer` says (`fallBack`: the honest answer when none matches): one wrong rule of the
 * lookup at a time, everything else the real store's.
 */
function lookingUpAmongInserted(
  inner: MemoryPaymentStore,
  rule: { matches: (payment: Payment, provider: string, providerPaymentId: string) => boolean; prefer: "oldest" | "newest"; fallBack: boolean },
): { store: PaymentStore; reset(): void } {
  const inserted = new Set<string>();
  const store = decorateStore(inner, {
    tx: (tx) => ({
      insertPayment: async (payment) => {
        await tx.insertPayment(payment);
        inserted.add(payment.id);
      },
      findPaymentByProviderId: async (provider, providerPaymentId) => {
        const honest = await tx.findPaymentByProviderId(provider, providerPaymentId);
        let chosen: Payment | null = null;
        for (const id of inserted) {
          const payment = await tx.getPayment(id);
          if (payment === null || !rule.matches(payment, provider, providerPaymentId)) continue;
          if (chosen === null || (rule.prefer === "oldest" ? payment.id < chosen.id : payment.id > chosen.id)) chosen = payment;
        }
        return chosen ?? (rule.fallBack ? honest : null);
      },
    }),
  });
  return { store, reset: () => inserted.clear() };
}


/** `listDisputes` that answers as if `filter` lacked `field`, after the store checked the whole filter. */
function disputeListIgnoring(inner: PaymentStore, field: keyof DisputeFilter): PaymentStore["listDisputes"] {
  return async (filter, page) => {
    const honest = await inner.listDisputes(filter, page);
    if (normalizeDisputeFilter(filter) === null) return honest;
    const { [field]: _ignored, ...rest } = filter;
    return inner.listDisputes(rest, page);
  };
}

const disputeFilterMutant = (field: keyof DisputeFilter): StoreMutant => ({
  id: `dispute-filter-ignores-${field}`,
  breaks: `listDisputes ignores filter.${field}`,
  mustFail: ["disputeListFilters"],
  mutate: (inner) => decorateStore(inner, { store: (store) => ({ listDisputes: disputeListIgnoring(store, field) }) }),
});

/** The dispute mutants: one rule of ports/store/disputes.ts broken each. */
const DISPUTE_MUTANTS: readonly StoreMutant[] = [
  ...DISPUTE_FILTER_FIELDS.map(disputeFilterMutant),
  {
    id: "dispute-filter-ignores-unknown-keys",
    breaks: "listDisputes drops a key that is no dispute filter field instead of refusing it",
    mustFail: ["disputeListRefusals"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listDisputes: (filter, page) =>
            store.listDisputes(Object.fromEntries(Object.entries(filter).filter(([key]) => (DISPUTE_FILTER_FIELDS as readonly string[]).includes(key))), page),
        }),
      }),
  },
  {
    id: "dispute-insert-allows-provider-twin",
    breaks: "insertDispute accepts (and drops) a second dispute with the same provider dispute id instead of refusing it",
    mustFail: ["disputeDuplicates", "disputeInsertRace"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          insertDispute: async (dispute) => {
            if (await tx.findDisputeByProviderId(dispute.provider, dispute.providerDisputeId)) return;
            await tx.insertDispute(dispute);
          },
        }),
      }),
  },
  {
    id: "dispute-update-ignores-version",
    breaks: "updateDispute stores whatever version is stored now (last writer wins)",
    mustFail: ["disputeUpdateGuard", "disputeUpdateRace"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateDispute: async (next) => {
            const current = await tx.findDisputeByProviderId(next.provider, next.providerDisputeId);
            if (!current) return null;
            return tx.updateDispute({ ...next, version: current.version + 1 }, current.version);
          },
        }),
      }),
  },
  {
    id: "dispute-lookup-ignores-provider",
    breaks: "findDisputeByProviderId answers another provider's dispute with the same id",
    mustFail: ["disputeDuplicates"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          findDisputeByProviderId: async (provider, providerDisputeId) => {
            for (const name of ["paypal", "stripe", "simulated"]) {
              const found = await tx.findDisputeByProviderId(name, providerDisputeId);
              if (found) return found;
            }
            return tx.findDisputeByProviderId(provider, providerDisputeId);
          },
        }),
      }),
  },
  {
    id: "dispute-history-keeps-first-only",
    breaks: "a stored dispute keeps only the first step of its status history",
    mustFail: ["disputeRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({ insertDispute: (dispute) => tx.insertDispute({ ...dispute, statusHistory: dispute.statusHistory.slice(0, 1) }) }),
      }),
  },
  {
    id: "payment-disputes-newest-first",
    breaks: "listPaymentDisputes answers newest first instead of oldest first",
    mustFail: ["disputeRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({ listPaymentDisputes: async (paymentId) => (await store.listPaymentDisputes(paymentId)).reverse() }),
      }),
  },
  {
    id: "dispute-stats-ignores-window",
    breaks: "disputeStats ignores openedFrom",
    mustFail: ["disputeStats"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          disputeStats: async (filter) => {
            await store.disputeStats(filter);
            const { openedFrom: _ignored, ...rest } = filter;
            return store.disputeStats(rest);
          },
        }),
      }),
  },
  {
    id: "dispute-stats-sums-as-numbers",
    breaks: "disputeStats sums through a float, rounding past 2^53",
    mustFail: ["disputeStats"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          disputeStats: async (filter) =>
            (await store.disputeStats(filter)).map((row) => ({ ...row, amount: BigInt(Number(row.amount)) })),
        }),
      }),
  },
];

const customerFilterMutant = (field: keyof CustomerFilter): StoreMutant => ({
  id: `customer-filter-ignores-${field}`,
  breaks: `listCustomers ignores filter.${field}`,
  mustFail: ["customerListFilters"],
  mutate: (inner) =>
    decorateStore(inner, {
      store: (store) => ({
        listCustomers: async (filter, page) => {
          const honest = await store.listCustomers(filter, page);
          if (normalizeCustomerFilter(filter) === null) return honest;
          const { [field]: _ignored, ...rest } = filter;
          return store.listCustomers(rest, page);
        },
      }),
    }),
});

/** The customer mutants: one rule of ports/store/customers.ts broken each. */
const CUSTOMER_MUTANTS: readonly StoreMutant[] = [
  ...CUSTOMER_FILTER_FIELDS.map(customerFilterMutant),
  {
    id: "customer-filter-ignores-unknown-keys",
    breaks: "listCustomers drops a key that is no customer filter field instead of refusing it",
    mustFail: ["customerListFilters"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listCustomers: (filter, page) =>
            store.listCustomers(Object.fromEntries(Object.entries(filter).filter(([key]) => (CUSTOMER_FILTER_FIELDS as readonly string[]).includes(key))), page),
        }),
      }),
  },
  {
    id: "customer-update-ignores-version",
    breaks: "updateCustomer stores whatever version is stored now (last writer wins)",
    mustFail: ["customerUpdateGuard"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateCustomer: async (next) => {
            const current = await tx.getCustomer(next.id);
            return current ? tx.updateCustomer({ ...next, version: current.version + 1 }, current.version) : null;
          },
        }),
      }),
  },
  {
    id: "saved-method-update-ignores-version",
    breaks: "updateSavedPaymentMethod stores whatever version is stored now",
    mustFail: ["savedMethodUpdateGuard"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateSavedPaymentMethod: async (next) => {
            const current = await tx.getSavedPaymentMethod(next.id);
            return current ? tx.updateSavedPaymentMethod({ ...next, version: current.version + 1 }, current.version) : null;
          },
        }),
      }),
  },
  {
    id: "saved-methods-newest-first",
    breaks: "listSavedPaymentMethods answers newest first instead of oldest first",
    mustFail: ["savedMethodRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, { store: (store) => ({ listSavedPaymentMethods: async (id) => (await store.listSavedPaymentMethods(id)).reverse() }) }),
  },
  {
    id: "customer-drops-provider-ids",
    breaks: "a stored customer loses its provider customer ids",
    mustFail: ["customerRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, { tx: (tx) => ({ insertCustomer: (customer) => tx.insertCustomer({ ...customer, providerCustomerIds: {} }) }) }),
  },
];

export const STORE_MUTANTS: readonly StoreMutant[] = [
  ...DISPUTE_MUTANTS,
  ...CUSTOMER_MUTANTS,
  // ------------------------------------------------------------ payments and their compare-and-set
  {
    id: "payment-version-cas-ignored",
    breaks: "updatePayment ignores expectedVersion: it writes over whatever version is stored",
    mustFail: ["paymentCompareAndSet", "stalePaymentUpdate"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updatePayment: async (next) => {
            const current = await tx.getPayment(next.id);
            return current && tx.updatePayment({ ...next, version: current.version + 1 }, current.version);
          },
        }),
      }),
  },
  {
    id: "guarded-update-ignores-version",
    breaks: "updatePaymentOrConflict ignores expectedVersion: every racer's update is stored over the last",
    mustFail: ["guardedUpdateConflict"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updatePaymentOrConflict: async (next) => {
            const current = await tx.getPayment(next.id);
            if (current === null) throw new Error(`no payment ${next.id}`);
            return tx.updatePaymentOrConflict!({ ...next, version: current.version + 1 }, current.version);
          },
        }),
      }),
  },
  {
    id: "guarded-update-silent-loss",
    breaks: "updatePaymentOrConflict loses a race silently: nothing stored, yet the transaction commits the rest",
    mustFail: ["guardedUpdateConflict"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updatePaymentOrConflict: async (next, expectedVersion) => (await tx.updatePayment(next, expectedVersion)) ?? next,
        }),
      }),
  },
  {
    id: "refund-reservation-lost",
    breaks: "updatePayment drops amountRefundReserved (the stored reservation is kept, the new one lost)",
    mustFail: ["refundReservationRace", "paymentRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updatePayment: async (next, expectedVersion) => {
            const current = await tx.getPayment(next.id);
            return tx.updatePayment({ ...next, amountRefundReserved: current?.amountRefundReserved ?? 0 }, expectedVersion);
          },
        }),
      }),
  },
  {
    id: "update-drops-amount-captured",
    breaks: "updatePayment drops amountCaptured (a capture is recorded in status only)",
    mustFail: ["paymentRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updatePayment: async (next, expectedVersion) => {
            const current = await tx.getPayment(next.id);
            return tx.updatePayment({ ...next, amountCaptured: current?.amountCaptured ?? 0 }, expectedVersion);
          },
        }),
      }),
  },
  {
    id: "payment-amount-32-bit",
    breaks: "insertPayment keeps the amount in 32 bits (an INT column): 2^53 - 1 is stored as 2^32 - 1",
    mustFail: ["paymentRoundTrip", "storedAmountPastSafe"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          insertPayment: (payment) => tx.insertPayment({ ...payment, amount: Number(BigInt.asUintN(32, BigInt(payment.amount))) }),
        }),
      }),
  },
  {
    id: "fractional-amount-rounded",
    breaks: "insertPayment rounds an amount that is not a whole number of minor units instead of refusing it",
    mustFail: ["unsafeIntegerWrites"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({ insertPayment: (payment) => tx.insertPayment(Number.isFinite(payment.amount) ? { ...payment, amount: Math.round(payment.amount) } : payment) }),
      }),
  },
  {
    id: "transaction-not-atomic",
    breaks: "each call of a transaction commits on its own: a transaction that throws keeps what it wrote",
    mustFail: ["transactionRollback", "receiptRollbackNoGap"],
    // decorateStore keeps the inner transaction on purpose (its atomicity is the point), so this one mutant
    // replaces `transaction` itself through the same forwarding decorateStore uses.
    mutate: (inner) => forwardTo<PaymentStore>(inner, { transaction: (work) => work(autoCommitting(inner)) }),
  },
  {
    id: "duplicate-payment-overwrites",
    breaks: "insertPayment of an existing id overwrites it instead of refusing with conflict",
    mustFail: ["duplicatePaymentId"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          insertPayment: async (payment) => {
            const current = await tx.getPayment(payment.id);
            if (!current) return tx.insertPayment(payment);
            await tx.updatePayment({ ...payment, version: current.version + 1 }, current.version);
          },
        }),
      }),
  },
  {
    id: "provider-lookup-newest",
    breaks: "findPaymentByProviderId answers the newest of several payments naming the provider id, not the oldest",
    mustFail: ["providerLookupOldest"],
    mutate: (inner) =>
      lookingUpAmongInserted(inner, {
        matches: (payment, provider, providerPaymentId) => payment.provider === provider && payment.providerPaymentId === providerPaymentId,
        prefer: "newest",
        fallBack: false,
      }),
  },
  {
    id: "provider-lookup-ignores-provider-payment-id",
    breaks: "findPaymentByProviderId matches the provider alone: a provider payment id it never saw finds the provider's oldest payment",
    mustFail: ["providerLookup"],
    mutate: (inner) => lookingUpAmongInserted(inner, { matches: (payment, provider) => payment.provider === provider, prefer: "oldest", fallBack: true }),
  },
  {
    id: "provider-lookup-ignores-provider",
    breaks: "findPaymentByProviderId matches the provider payment id alone: another provider's payment with that id is found",
    mustFail: ["providerLookup"],
    mutate: (inner) =>
      lookingUpAmongInserted(inner, {
        matches: (payment, _provider, providerPaymentId) => payment.providerPaymentId === providerPaymentId,
        prefer: "oldest",
        fallBack: true,
      }),
  },
  {
    id: "history-order-lost",
    breaks: "listHistory answers newest first instead of in insertion order",
    mustFail: ["historyOrder", "historyAndRefunds"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ listHistory: async (id) => (await store.listHistory(id)).reverse() }) }),
  },

  // ------------------------------------------------------------ refunds
  {
    id: "update-refund-creates-missing",
    breaks: "updateRefund of a refund that does not exist creates it instead of refusing with not_found",
    mustFail: ["missingRefundUpdate"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({ updateRefund: async (refund) => ((await tx.getRefund(refund.id)) ? tx.updateRefund(refund) : tx.insertRefund(refund)) }),
      }),
  },
  {
    id: "refund-update-lost",
    breaks: "updateRefund stores nothing: a refund's settlement is lost",
    mustFail: ["refundRoundTrip", "historyAndRefunds"],
    mutate: (inner) => decorateStore(inner, { tx: (tx) => ({ updateRefund: async (refund) => void (await tx.getRefund(refund.id)) }) }),
  },

  // ------------------------------------------------------------ receipts
  {
    id: "receipt-numbers-gapped",
    breaks: "receipt numbers are unique and stable but not gap-free (every other number is skipped)",
    mustFail: ["receiptNumbersGapFree", "receiptYearRollover"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          allocateReceiptNumber: async (paymentId, issuedAt) =>
            (await tx.allocateReceiptNumber(paymentId, issuedAt)).replace(/\d+$/, (n) => String(Number(n) * 2 - 1).padStart(n.length, "0")),
        }),
      }),
  },
  {
    id: "receipt-counter-spans-years",
    breaks: "one receipt counter runs across years: a new year goes on from the last year's number instead of 000001",
    mustFail: ["receiptYearRollover"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          allocateReceiptNumber: async (paymentId, issuedAt) => {
            const number = await tx.allocateReceiptNumber(paymentId, "2000-06-01T00:00:00.000Z");
            return number.replace("R-2000-", `R-${String(new Date(issuedAt).getUTCFullYear()).padStart(4, "0")}-`);
          },
        }),
      }),
  },
  {
    id: "receipt-number-per-call",
    breaks: "allocateReceiptNumber gives a payment that has a number a second one",
    mustFail: ["receiptNumbers", "receiptNumbersGapFree"],
    mutate: (inner) => {
      let calls = 0;
      return decorateStore(inner, {
        tx: (tx) => ({ allocateReceiptNumber: (paymentId, issuedAt) => tx.allocateReceiptNumber(`${paymentId}~${++calls}`, issuedAt) }),
      });
    },
  },

  {
    id: "receipt-at-commit-stand-in-left",
    breaks: "allocateReceiptNumberAtCommit answers a stand-in the store never replaces: the payment, its key and the result keep it",
    mustFail: ["receiptAtCommitInPlace", "receiptAtCommitGapFree", "receiptAtCommitRollbackNoGap"],
    mutate: (inner) =>
      decorateStore(inner, { tx: () => ({ allocateReceiptNumberAtCommit: async (paymentId) => `unnumbered-receipt-${paymentId}` }) }),
  },
  {
    id: "receipt-at-commit-ignores-kept-number",
    breaks: "allocateReceiptNumberAtCommit takes a new number for a payment that has one",
    mustFail: ["receiptAtCommitGapFree", "receiptAtCommitRollbackNoGap"],
    mutate: (inner) => {
      let calls = 0;
      return decorateStore(inner, {
        tx: (tx) => ({ allocateReceiptNumberAtCommit: (paymentId, issuedAt) => tx.allocateReceiptNumber(`${paymentId}~${++calls}`, issuedAt) }),
      });
    },
  },

  // ------------------------------------------------------------ idempotency records
  {
    id: "idempotency-update-keeps-old-outcome",
    breaks: "updateIdempotencyRecord does not write the outcome (its UPDATE lacks the column): a finished operation replays no answer",
    mustFail: ["idempotencyRoundTrip"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateIdempotencyRecord: async (next, expectedLockId) => {
            const current = await tx.getIdempotencyRecord(next.scope, next.key);
            return tx.updateIdempotencyRecord({ ...next, outcome: current?.outcome ?? null }, expectedLockId);
          },
        }),
      }),
  },
  {
    id: "idempotency-insert-always-wins",
    breaks: "insertIdempotencyRecord of a key already stored overwrites it and answers true",
    mustFail: ["idempotencyInsertRace"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          insertIdempotencyRecord: async (record) => {
            if (await tx.insertIdempotencyRecord(record)) return true;
            const current = await tx.getIdempotencyRecord(record.scope, record.key);
            return tx.updateIdempotencyRecord(record, current?.lockId ?? null);
          },
        }),
      }),
  },
  {
    id: "idempotency-lock-cas-ignored",
    breaks: "updateIdempotencyRecord ignores the expected lock: any caller takes the record over",
    mustFail: ["idempotencyLockRace"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateIdempotencyRecord: async (next) => {
            const current = await tx.getIdempotencyRecord(next.scope, next.key);
            return current !== null && tx.updateIdempotencyRecord(next, current.lockId);
          },
        }),
      }),
  },
  {
    id: "pending-records-ignore-updated-before",
    breaks: "listPendingIdempotencyRecords ignores updatedBefore: a call still in flight is offered to recovery",
    mustFail: ["pendingAndExpiredRecords", "pendingRecordsQuery"],
    mutate: (inner) =>
      decorateStore(inner, { store: (store) => ({ listPendingIdempotencyRecords: (_updatedBefore, limit) => store.listPendingIdempotencyRecords(FAR_FUTURE, limit) }) }),
  },
  {
    id: "pending-records-updated-before-inclusive",
    breaks: "listPendingIdempotencyRecords takes updatedBefore as inclusive (a record touched at the instant is offered)",
    mustFail: ["pendingRecordsQuery"],
    mutate: (inner) =>
      decorateStore(inner, { store: (store) => ({ listPendingIdempotencyRecords: (updatedBefore, limit) => store.listPendingIdempotencyRecords(plusOneMs(updatedBefore), limit) }) }),
  },
  {
    id: "expired-records-sweep-inclusive",
    breaks: "deleteExpiredIdempotencyRecords deletes a record expiring at now exactly (still valid)",
    mustFail: ["expiredRecordsBoundary"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ deleteExpiredIdempotencyRecords: (now) => store.deleteExpiredIdempotencyRecords(plusOneMs(now)) }) }),
  },
  {
    id: "expired-records-sweep-ignores-expiry",
    breaks: "deleteExpiredIdempotencyRecords deletes finished records that have not expired",
    mustFail: ["pendingAndExpiredRecords", "expiredRecordsBoundary"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ deleteExpiredIdempotencyRecords: () => store.deleteExpiredIdempotencyRecords(FAR_FUTURE) }) }),
  },
  {
    id: "expired-records-sweep-deletes-unfinished",
    breaks: "deleteExpiredIdempotencyRecords deletes an expired record left at gateway_pending (its outcome is still unknown)",
    mustFail: ["pendingAndExpiredRecords", "expiredRecordsBoundary"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          deleteExpiredIdempotencyRecords: async (now) => {
            for (const record of await store.listPendingIdempotencyRecords(FAR_FUTURE, 500)) {
              if (record.expiresAt >= now) continue;
              await store.transaction((tx) => tx.updateIdempotencyRecord({ ...record, recoveryPoint: "finished" }, record.lockId));
            }
            return store.deleteExpiredIdempotencyRecords(now);
          },
        }),
      }),
  },

  // ------------------------------------------------------------ webhook inbox
  {
    id: "inbox-insert-always-wins",
    breaks: "insertInboxEvent of an event already stored overwrites it and answers true (a redelivery applies twice)",
    mustFail: ["inboxFirstSeen"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          insertInboxEvent: async (event) => {
            if (await tx.insertInboxEvent(event)) return true;
            const current = await tx.getInboxEvent(event.provider, event.eventId);
            return current !== null && tx.updateInboxEvent(event, { status: current.status, attempts: current.attempts });
          },
        }),
      }),
  },
  {
    id: "inbox-cas-ignored",
    breaks: "updateInboxEvent ignores the expected (status, attempts): two appliers both win",
    mustFail: ["inboxCompareAndSet"],
    mutate: (inner) =>
      decorateStore(inner, {
        tx: (tx) => ({
          updateInboxEvent: async (next) => {
            const current = await tx.getInboxEvent(next.provider, next.eventId);
            return current !== null && tx.updateInboxEvent(next, { status: current.status, attempts: current.attempts });
          },
        }),
      }),
  },
  inboxFilterMutant("status"),
  inboxFilterMutant("paymentId"),
  inboxFilterMutant("providerPaymentId"),
  inboxFilterMutant("forPayment"),
  inboxFilterMutant("eventId"),
  inboxFilterMutant("provider"),
  inboxFilterMutant("receivedBefore"),
  {
    id: "inbox-filter-received-before-inclusive",
    breaks: "listInboxEvents takes receivedBefore as inclusive",
    mustFail: ["inboxFilterFields"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listInboxEvents: (filter) => store.listInboxEvents(filter.receivedBefore === undefined ? filter : { ...filter, receivedBefore: plusOneMs(filter.receivedBefore) }),
        }),
      }),
  },
  {
    id: "inbox-purge-by-received-at",
    breaks: "purgeWebhookEvents ages events by when they were received, not processed (one processed a moment ago goes)",
    mustFail: ["inboxPurgeBoundary"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          purgeWebhookEvents: async (before) => {
            for (const event of await store.listInboxEvents({ status: "processed", receivedBefore: before, limit: EVERYTHING })) {
              const aged = { ...event, processedAt: event.receivedAt };
              await store.transaction((tx) => tx.updateInboxEvent(aged, { status: event.status, attempts: event.attempts }));
            }
            return store.purgeWebhookEvents(before);
          },
        }),
      }),
  },
  {
    id: "inbox-purge-unprocessed",
    breaks: "purgeWebhookEvents deletes old events that were never processed (held, failed, orphaned)",
    mustFail: ["purge", "inboxPurgeBoundary"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          purgeWebhookEvents: async (before) => {
            for (const event of await store.listInboxEvents({ receivedBefore: before, limit: EVERYTHING })) {
              if (event.status === "processed") continue;
              const processed = { ...event, status: "processed" as const, processedAt: event.receivedAt };
              await store.transaction((tx) => tx.updateInboxEvent(processed, { status: event.status, attempts: event.attempts }));
            }
            return store.purgeWebhookEvents(before);
          },
        }),
      }),
  },
  {
    id: "inbox-purge-ignores-cutoff",
    breaks: "purgeWebhookEvents deletes processed events however recent (a provider's redelivery is then applied again)",
    mustFail: ["purge", "inboxPurgeBoundary"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ purgeWebhookEvents: () => store.purgeWebhookEvents(FAR_FUTURE) }) }),
  },

  // ------------------------------------------------------------ outbox
  {
    id: "outbox-retry-wait-holds-back-everyone",
    breaks: "claimOutbox stops at the first event waiting for its retry: every other payment's events wait with it",
    mustFail: ["outboxOthersFlow"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          claimOutbox: async (claim) => {
            const pending = await store.listOutbox({ status: "pending", limit: EVERYTHING });
            const waiting = pending.some((entry) => entry.attempts > 0 && entry.nextAttemptAt > claim.now);
            return waiting ? [] : store.claimOutbox(claim);
          },
        }),
      }),
  },
  {
    id: "outbox-skip-ignores-dead",
    breaks: "skipOutboxEvent of an event already skipped answers true (its UPDATE does not require status dead): every racer is told it won",
    mustFail: ["outboxSkipDead"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          skipOutboxEvent: async (sequence, reason) => {
            if (await store.skipOutboxEvent(sequence, reason)) return true;
            const [entry] = (await store.listOutbox({ status: "skipped", limit: EVERYTHING })).filter((e) => e.sequence === sequence);
            return entry !== undefined;
          },
        }),
      }),
  },
  {
    id: "outbox-list-ignores-status",
    breaks: "listOutbox ignores filter.status",
    mustFail: ["outboxListFilter"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ listOutbox: outboxListIgnoring(store, "status") }) }),
  },
  {
    id: "outbox-list-ignores-payment",
    breaks: "listOutbox ignores filter.paymentId",
    mustFail: ["outboxListFilter"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ listOutbox: outboxListIgnoring(store, "paymentId") }) }),
  },
  {
    id: "outbox-later-event-first",
    breaks: "claimOutbox offers a payment's later events before its earlier one is delivered (newest first)",
    mustFail: ["outboxOrderPerPayment"],
    mutate: (inner) => {
      // The inner store offers only a payment's oldest event; marking each one delivered as soon as it is leased
      // lets the same claim reach the next. The mutant then answers the caller's own marks for those itself.
      const deliveredEarly = new Set<number>();
      const store = decorateStore(inner, {
        store: (store) => ({
          claimOutbox: async (claim) => {
            const offered: OutboxEntry[] = [];
            while (offered.length < claim.limit) {
              const batch = await store.claimOutbox({ ...claim, limit: claim.limit - offered.length });
              if (batch.length === 0) break;
              offered.push(...batch);
              for (const entry of batch) {
                if (await store.markOutboxDelivered(entry.sequence, claim.claimant, claim.now)) deliveredEarly.add(entry.sequence);
              }
            }
            return offered.sort((a, b) => b.sequence - a.sequence);
          },
          markOutboxDelivered: async (sequence, claimant, at) => deliveredEarly.delete(sequence) || store.markOutboxDelivered(sequence, claimant, at),
          markOutboxFailed: async (sequence, claimant, failure) => deliveredEarly.delete(sequence) || store.markOutboxFailed(sequence, claimant, failure),
        }),
      });
      return { store, reset: () => deliveredEarly.clear() };
    },
  },
  {
    id: "outbox-lease-given-twice",
    breaks: "claimOutbox leases an event another claimant still holds",
    // outboxClaimersAcrossStores races one store here (the memory harness opens no second): it catches the double
    // lease, not a store whose second connection sees stale leases.
    mustFail: ["outboxLeaseRace", "outboxLeaseHolder", "outboxClaimersAcrossStores"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          claimOutbox: async (claim) => {
            const fresh = await store.claimOutbox(claim);
            const heldByOthers = (await store.listOutbox({ status: "pending", limit: EVERYTHING })).filter(
              (e) => e.leasedBy !== null && e.leasedBy !== claim.claimant && e.leasedUntil !== null && e.leasedUntil > claim.now && e.nextAttemptAt <= claim.now,
            );
            const again = heldByOthers.map((e) => ({ ...e, leasedBy: claim.claimant, leasedUntil: claim.leaseUntil }));
            return [...fresh, ...again].slice(0, claim.limit);
          },
        }),
      }),
  },
  {
    id: "outbox-delivered-ignores-claimant",
    breaks: "markOutboxDelivered ignores the claimant: one who does not hold the lease marks the event delivered",
    mustFail: ["outboxLeaseRace", "outboxLeaseHolder", "outboxLeaseExpiry"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          markOutboxDelivered: async (sequence, claimant, at) => {
            const entry = (await store.listOutbox({ status: "pending", limit: EVERYTHING })).find((e) => e.sequence === sequence);
            return store.markOutboxDelivered(sequence, entry?.leasedBy ?? claimant, at);
          },
        }),
      }),
  },
  {
    id: "outbox-failed-ignores-claimant",
    breaks: "markOutboxFailed ignores the claimant: one who does not hold the lease records a failure",
    mustFail: ["outboxLeaseHolder", "outboxLeaseExpiry"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          markOutboxFailed: async (sequence, claimant, failure) => {
            const entry = (await store.listOutbox({ status: "pending", limit: EVERYTHING })).find((e) => e.sequence === sequence);
            return store.markOutboxFailed(sequence, entry?.leasedBy ?? claimant, failure);
          },
        }),
      }),
  },
  {
    id: "outbox-claim-ignores-retry-time",
    breaks: "claimOutbox offers an event before its nextAttemptAt (it reads the clock as the far future)",
    mustFail: ["outboxRetryHoldsBack", "outboxRetryDead"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ claimOutbox: (claim) => store.claimOutbox({ ...claim, now: FAR_FUTURE }) }) }),
  },
  {
    id: "outbox-lease-held-at-lease-until",
    breaks: "claimOutbox still counts a lease as held at leaseUntil exactly (and an event due exactly now as not yet due)",
    mustFail: ["outboxLeaseExpiry"],
    mutate: (inner) =>
      decorateStore(inner, { store: (store) => ({ claimOutbox: (claim) => store.claimOutbox({ ...claim, now: new Date(Date.parse(claim.now) - 1).toISOString() }) }) }),
  },
  {
    id: "outbox-purge-inclusive",
    breaks: "purgeDeliveredOutbox deletes an event delivered at the instant exactly",
    mustFail: ["outboxPurgeBoundary"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ purgeDeliveredOutbox: (before) => store.purgeDeliveredOutbox(plusOneMs(before)) }) }),
  },
  {
    id: "outbox-purge-undelivered",
    breaks: "purgeDeliveredOutbox deletes old events that were never delivered",
    mustFail: ["outboxPurgeBoundary"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          purgeDeliveredOutbox: async (before) => {
            for (;;) {
              const due = await store.claimOutbox({ claimant: "mutant-purge", now: before, leaseUntil: before, limit: 500 });
              if (due.length === 0) break;
              for (const entry of due) await store.markOutboxDelivered(entry.sequence, "mutant-purge", entry.event.occurredAt);
            }
            return store.purgeDeliveredOutbox(before);
          },
        }),
      }),
  },
  {
    id: "outbox-purge-ignores-cutoff",
    breaks: "purgeDeliveredOutbox deletes delivered events however recent",
    mustFail: ["outboxPurgeBoundary"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ purgeDeliveredOutbox: () => store.purgeDeliveredOutbox(FAR_FUTURE) }) }),
  },

  // ------------------------------------------------------------ text
  // The memory store refuses hostile text itself (storable-text.ts), before any decorator could let it through; so
  // these mutants do what a real store gets wrong around that check: clean the text instead of refusing it, change
  // the text it keeps, or let a driver's replacement character make a lookup find a row.
  {
    id: "hostile-text-scrubbed",
    breaks: "writes drop controls and replace lone surrogates with U+FFFD instead of refusing them with validation_error",
    mustFail: ["hostileTextWrites"],
    mutate: (inner) => {
      const clean = (text: string) => wellFormed(text.replace(CONTROLS, ""));
      return decorateStore(inner, {
        tx: (tx) => ({
          insertPayment: (payment) => tx.insertPayment(scrubbed(payment, clean)),
          updatePayment: (next, expectedVersion) => tx.updatePayment(scrubbed(next, clean), expectedVersion),
          insertRefund: (refund) => tx.insertRefund(scrubbed(refund, clean)),
          appendHistory: (entries) => tx.appendHistory(scrubbed(entries, clean)),
          insertIdempotencyRecord: (record) => tx.insertIdempotencyRecord(scrubbed(record, clean)),
          insertInboxEvent: (event) => tx.insertInboxEvent(scrubbed(event, clean)),
          appendOutbox: (events) => tx.appendOutbox(scrubbed(events, clean)),
        }),
      });
    },
  },
  {
    id: "line-breaks-normalized",
    breaks: "descriptions and refund reasons are kept with every line break turned into \\n (CR and CRLF lost)",
    mustFail: ["freeTextLineBreaks"],
    mutate: (inner) => {
      const unix = (text: string) => text.replace(/\r\n?/g, "\n");
      return decorateStore(inner, {
        tx: (tx) => ({
          insertPayment: (payment) => tx.insertPayment(typeof payment.description === "string" ? { ...payment, description: unix(payment.description) } : payment),
          insertRefund: (refund) => tx.insertRefund(typeof refund.reason === "string" ? { ...refund, reason: unix(refund.reason) } : refund),
        }),
      });
    },
  },
  {
    id: "lookup-text-made-well-formed",
    breaks: "a lookup's lone surrogate is replaced with U+FFFD (as a driver does) instead of matching nothing: it finds a row holding U+FFFD",
    mustFail: ["hostileTextLookups"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({ listPayments: (filter, page) => store.listPayments(scrubbed(filter, wellFormed), page) }),
        tx: (tx) => ({ findPaymentByProviderId: (provider, providerPaymentId) => tx.findPaymentByProviderId(wellFormed(provider), wellFormed(providerPaymentId)) }),
      }),
  },

  // ------------------------------------------------------------ queries
  filterMutant("status", ["filterStatus", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("provider", ["filterProvider", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("owner", ["filterOwner", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("createdFrom", ["filterCreatedFrom", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("createdTo", ["filterCreatedTo", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("updatedFrom", ["updatedFromFilter"]),
  filterMutant("reference", ["filterReference", "filtersCombine", "listFiltersAndCursor"]),
  filterMutant("authorizationExpiresBefore", ["filterAuthorizationExpiresBefore"]),
  filterMutant("updatedTo", ["filterUpdatedTo", "searchFiltersCombine"]),
  filterMutant("customerId", ["filterCustomerId", "searchFiltersCombine"]),
  filterMutant("customerEmail", ["filterCustomerEmail", "searchFiltersCombine"]),
  filterMutant("metadata", ["filterMetadata", "searchFiltersCombine"]),
  filterMutant("currency", ["filterCurrency", "searchFiltersCombine"]),
  filterMutant("amountMin", ["filterAmountMin", "searchFiltersCombine"]),
  filterMutant("amountMax", ["filterAmountMax", "searchFiltersCombine"]),
  filterMutant("disputed", ["filterDisputed", "searchFiltersCombine"]),
  {
    id: "refund-lookup-ignores-provider",
    breaks: "findRefundByProviderId answers a refund of another provider's payment that has the same id",
    mustFail: ["refundByProviderId"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          findRefundByProviderId: async (provider, providerRefundId) => {
            const honest = await store.findRefundByProviderId(provider, providerRefundId);
            if (honest !== null) return honest;
            for (const other of ["stripe", "paypal", "simulated"].filter((name) => name !== provider)) {
              const found = await store.findRefundByProviderId(other, providerRefundId);
              if (found !== null) return found;
            }
            return null;
          },
        }),
      }),
  },
  {
    id: "filter-ignores-unknown-keys",
    breaks: "listPayments drops a key that is no filter field instead of refusing it",
    mustFail: ["filterRefusesUnknownAndMalformed"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listPayments: (filter, page) => {
            const known = Object.fromEntries(Object.entries(filter).filter(([key]) => (PAYMENT_FILTER_FIELDS as readonly string[]).includes(key)));
            return store.listPayments(known, page);
          },
        }),
      }),
  },
  {
    id: "filter-created-to-inclusive",
    breaks: "listPayments takes createdTo as inclusive (a payment created at the bound is in two windows)",
    mustFail: ["filterCreatedTo", "listFiltersAndCursor"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({ listPayments: listShifting(store, (f) => (f.createdTo === undefined ? f : { ...f, createdTo: plusOneMs(f.createdTo) })) }),
      }),
  },
  {
    id: "filter-created-from-exclusive",
    breaks: "listPayments takes createdFrom as exclusive (a payment created at the bound is in no window)",
    mustFail: ["filterCreatedFrom"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({ listPayments: listShifting(store, (f) => (f.createdFrom === undefined ? f : { ...f, createdFrom: plusOneMs(f.createdFrom) })) }),
      }),
  },
  {
    id: "filter-authorization-expires-before-inclusive",
    breaks: "listPayments takes authorizationExpiresBefore as inclusive (the expiry sweep cancels an authorization still valid)",
    mustFail: ["filterAuthorizationExpiresBefore"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listPayments: listShifting(store, (f) => (f.authorizationExpiresBefore === undefined ? f : { ...f, authorizationExpiresBefore: plusOneMs(f.authorizationExpiresBefore) })),
        }),
      }),
  },
  {
    id: "filter-updated-from-exclusive",
    breaks: "listPayments takes updatedFrom as exclusive (activity at the bound is missed)",
    mustFail: ["updatedFromFilter"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({ listPayments: listShifting(store, (f) => (f.updatedFrom === undefined ? f : { ...f, updatedFrom: plusOneMs(f.updatedFrom) })) }),
      }),
  },
  {
    id: "filter-instant-zone-ignored",
    breaks: "listPayments reads a filter instant's UTC offset as Z (11:00+01:00 taken as 11:00Z)",
    mustFail: ["filterInstants"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listPayments: async (filter, page) => {
            const honest = await store.listPayments(filter, page);
            if (normalizePaymentFilter(filter) === null) return honest;
            const asUtc = (instant: string | undefined) => instant?.replace(/(?:[+-]\d\d:\d\d|Z)$/, "Z");
            return store.listPayments({ ...filter, createdFrom: asUtc(filter.createdFrom), createdTo: asUtc(filter.createdTo) }, page);
          },
        }),
      }),
  },
  {
    id: "full-page-always-has-cursor",
    breaks: "listPayments gives a cursor whenever a page is full, also when it ends at the last payment (it fetched limit rows, not limit + 1)",
    mustFail: ["listNewestFirstPaging"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listPayments: async (filter, page) => {
            const honest = await store.listPayments(filter, page);
            const last = honest.items[honest.items.length - 1];
            return honest.nextCursor === null && last !== undefined && honest.items.length === page.limit ? { ...honest, nextCursor: encodePageCursor(last.id) } : honest;
          },
        }),
      }),
  },
  {
    id: "invalid-cursor-empty-page",
    breaks: "listPayments answers a cursor it did not issue with an empty page instead of invalid_cursor",
    mustFail: ["invalidCursor"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          listPayments: async (filter, page) => {
            try {
              return await store.listPayments(filter, page);
            } catch (error) {
              if (isPaymentError(error, "invalid_cursor")) return { items: [], nextCursor: null };
              throw error;
            }
          },
        }),
      }),
  },
  {
    id: "all-time-stats-count-inserts-only",
    breaks: "all-time stats come from counters kept on insert alone: a status move or an amount change never reaches them",
    mustFail: ["statsFollowWrites"],
    mutate: (inner) => {
      const inserted: Payment[] = [];
      return decorateStore(inner, {
        tx: (tx) => ({
          insertPayment: async (payment) => {
            await tx.insertPayment(payment);
            inserted.push(payment);
          },
        }),
        store: (store) => ({
          stats: async (filter) => {
            const rows = await store.stats(filter);
            if (filter.createdFrom !== undefined || filter.createdTo !== undefined) return rows;
            const groups = new Map<string, StatsRow>();
            for (const p of inserted) {
              const key = `${p.status}\u0000${p.provider}\u0000${p.currency}`;
              const group = groups.get(key) ?? { status: p.status, provider: p.provider, currency: p.currency, count: 0, amount: 0n, amountCaptured: 0n, amountRefunded: 0n };
              groups.set(key, { ...group, count: group.count + 1, amount: group.amount + BigInt(p.amount), amountCaptured: group.amountCaptured + BigInt(p.amountCaptured), amountRefunded: group.amountRefunded + BigInt(p.amountRefunded) });
            }
            return [...groups.values()].sort((x, y) => (`${x.status}\u0000${x.provider}\u0000${x.currency}` < `${y.status}\u0000${y.provider}\u0000${y.currency}` ? -1 : 1));
          },
        }),
      });
    },
  },
  {
    id: "stats-ignores-created-from",
    breaks: "stats ignores createdFrom",
    mustFail: ["stats", "statsWindow"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ stats: statsIgnoring(store, "createdFrom") }) }),
  },
  {
    id: "stats-ignores-created-to",
    breaks: "stats ignores createdTo",
    mustFail: ["statsWindow", "filterInstants"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ stats: statsIgnoring(store, "createdTo") }) }),
  },
  {
    id: "stats-created-to-inclusive",
    breaks: "stats takes createdTo as inclusive (a payment at the bound counts in two windows)",
    mustFail: ["statsWindow"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          stats: async (filter) => {
            await store.stats(filter);
            const normalized = normalizePaymentFilter(filter);
            return store.stats(normalized?.createdTo === undefined ? filter : { ...filter, createdTo: plusOneMs(normalized.createdTo) });
          },
        }),
      }),
  },
  {
    id: "stats-order-lost",
    breaks: "stats answers its groups in no particular order (here: reversed)",
    mustFail: ["statsGroupingOrder"],
    mutate: (inner) => decorateStore(inner, { store: (store) => ({ stats: async (filter) => (await store.stats(filter)).reverse() }) }),
  },
  {
    id: "stats-sums-as-float",
    breaks: "stats sums through a double: sums past 2^53 lose their last units",
    mustFail: ["statsExactPastInt64"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          stats: async (filter) => {
            const viaDouble = (sum: bigint) => BigInt(Number(sum));
            return (await store.stats(filter)).map((r) => ({ ...r, amount: viaDouble(r.amount), amountCaptured: viaDouble(r.amountCaptured), amountRefunded: viaDouble(r.amountRefunded) }));
          },
        }),
      }),
  },
  {
    id: "stats-merges-currencies",
    breaks: "stats groups by status and provider only: amounts in different currencies are added together",
    mustFail: ["stats", "statsGroupingOrder"],
    mutate: (inner) =>
      decorateStore(inner, {
        store: (store) => ({
          stats: async (filter) => {
            const merged = new Map<string, StatsRow>();
            for (const row of await store.stats(filter)) {
              const key = `${row.status}\u0000${row.provider}`;
              const into = merged.get(key);
              if (!into) merged.set(key, { ...row });
              else Object.assign(into, { count: into.count + row.count, amount: into.amount + row.amount, amountCaptured: into.amountCaptured + row.amountCaptured, amountRefunded: into.amountRefunded + row.amountRefunded });
            }
            return [...merged.values()];
          },
        }),
      }),
  },
];
