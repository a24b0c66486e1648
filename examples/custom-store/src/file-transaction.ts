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
  assertStorablePaymentAmounts,
  assertStorableRefund,
  assertStorableRefundAmount,
  assertStorableSavedPaymentMethod,
  assertStorableSavedPaymentMethodNumbers,
  assertStorableText,
  formatReceiptNumber,
  receiptYear,
} from "@org/payments-core";
import type { Payment, PaymentStoreTx } from "@org/payments-core";
import { getCustomer, getSavedPaymentMethod } from "./customer-queries.js";
import { exactDispute, exactPayment } from "./exact-amounts.js";
import type { StoreFile } from "./store-file.js";

/** Copies in and out, so a caller that changes an object later changes neither the working copy nor the file. */
const copy = <T>(value: T): T => structuredClone(value);

/** The oldest of several payments is the one with the lowest id: ids sort by creation time. */
const oldest = (payments: Payment[]): Payment | null => payments.reduce<Payment | null>((a, b) => (a === null || b.id < a.id ? b : a), null);

/**
 * The reads and writes of one transaction, over `data`: the file as it was when the transaction began, parsed into
 * memory. Writes change only this working copy; the store writes it back to disk if the work returns, and simply
 * drops it if the work throws — that is the whole of rollback. `markChanged` tells the store a write happened, so a
 * read-only transaction leaves the file alone.
 *
 * Every write checks its text with core's `assertStorable*` first, the same rule every store applies, so a refused
 * write changes nothing even inside a larger transaction (the transaction then fails and is dropped whole).
 */
export function fileTransaction(data: StoreFile, markChanged: () => void): PaymentStoreTx {
  return {
    getPayment: async (id) => {
      const payment = data.payments.find((p) => p.id === id);
      return payment ? copy(exactPayment(payment)) : null;
    },
    findPaymentByProviderId: async (provider, providerPaymentId) => {
      const found = oldest(data.payments.filter((p) => p.provider === provider && p.providerPaymentId === providerPaymentId));
      return found ? copy(exactPayment(found)) : null;
    },
    insertPayment: async (payment) => {
      assertStorablePayment(payment);
      assertStorablePaymentAmounts(payment);
      if (data.payments.some((p) => p.id === payment.id)) throw new PaymentError("conflict", "a payment with this id already exists");
      data.payments.push(copy(payment));
      markChanged();
    },
    updatePayment: async (next, expectedVersion) => {
      if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "the next version must be the expected version + 1");
      assertStorablePayment(next);
      assertStorablePaymentAmounts(next);
      const index = data.payments.findIndex((p) => p.id === next.id);
      if (index < 0 || data.payments[index]!.version !== expectedVersion) return null;
      data.payments[index] = copy(next);
      markChanged();
      return copy(next);
    },
    appendHistory: async (entries) => {
      for (const entry of entries) assertStorableHistory(entry);
      data.history.push(...copy(entries));
      markChanged();
    },

    getRefund: async (id) => copy(data.refunds.find((r) => r.id === id) ?? null),
    insertRefund: async (refund) => {
      assertStorableRefund(refund);
      assertStorableRefundAmount(refund);
      if (data.refunds.some((r) => r.id === refund.id)) throw new PaymentError("conflict", "a refund with this id already exists");
      data.refunds.push(copy(refund));
      markChanged();
    },
    updateRefund: async (refund) => {
      assertStorableRefund(refund);
      assertStorableRefundAmount(refund);
      const index = data.refunds.findIndex((r) => r.id === refund.id);
      if (index < 0) throw new PaymentError("not_found", "no refund with this id exists");
      data.refunds[index] = copy(refund);
      markChanged();
    },

    // One dispute per provider dispute id: the loser of two racing deliveries of the same dispute gets `conflict`
    // here and re-reads, so a dispute is never recorded twice.
    findDisputeByProviderId: async (provider, providerDisputeId) => {
      const found = data.disputes.find((d) => d.provider === provider && d.providerDisputeId === providerDisputeId);
      return found ? copy(exactDispute(found)) : null;
    },
    insertDispute: async (dispute) => {
      assertStorableDispute(dispute);
      assertStorableDisputeAmount(dispute);
      if (data.disputes.some((d) => d.id === dispute.id)) throw new PaymentError("conflict", "a dispute with this id already exists");
      if (data.disputes.some((d) => d.provider === dispute.provider && d.providerDisputeId === dispute.providerDisputeId)) {
        throw new PaymentError("conflict", "a dispute with this provider dispute id already exists");
      }
      // As the SQL stores' foreign key: a dispute belongs to a payment the store holds.
      if (!data.payments.some((p) => p.id === dispute.paymentId)) throw new PaymentError("not_found", "no payment with this id exists");
      data.disputes.push(copy(dispute));
      markChanged();
    },
    updateDispute: async (next, expectedVersion) => {
      if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "the next version must be the expected version + 1");
      assertStorableDispute(next);
      assertStorableDisputeAmount(next);
      const index = data.disputes.findIndex((d) => d.id === next.id);
      if (index < 0 || data.disputes[index]!.version !== expectedVersion) return null;
      data.disputes[index] = copy(next);
      markChanged();
      return copy(next);
    },

    getCustomer: async (id) => copy(getCustomer(data, id)),
    insertCustomer: async (customer) => {
      assertStorableCustomer(customer);
      assertStorableCustomerNumbers(customer);
      if (data.customers.some((c) => c.id === customer.id)) throw new PaymentError("conflict", "a customer with this id already exists");
      data.customers.push(copy(customer));
      markChanged();
    },
    updateCustomer: async (next, expectedVersion) => {
      if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "the next version must be the expected version + 1");
      assertStorableCustomer(next);
      assertStorableCustomerNumbers(next);
      const index = data.customers.findIndex((c) => c.id === next.id);
      if (index < 0 || data.customers[index]!.version !== expectedVersion) return null;
      data.customers[index] = copy(next);
      markChanged();
      return copy(next);
    },
    getSavedPaymentMethod: async (id) => copy(getSavedPaymentMethod(data, id)),
    insertSavedPaymentMethod: async (method) => {
      assertStorableSavedPaymentMethod(method);
      assertStorableSavedPaymentMethodNumbers(method);
      if (data.savedPaymentMethods.some((m) => m.id === method.id)) throw new PaymentError("conflict", "a payment method with this id already exists");
      // As the SQL stores' foreign key: a saved method belongs to a customer the store holds.
      if (!data.customers.some((c) => c.id === method.customerId)) throw new PaymentError("not_found", "no customer with this id exists");
      data.savedPaymentMethods.push(copy(method));
      markChanged();
    },
    updateSavedPaymentMethod: async (next, expectedVersion) => {
      if (next.version !== expectedVersion + 1) throw new PaymentError("internal", "the next version must be the expected version + 1");
      assertStorableSavedPaymentMethod(next);
      assertStorableSavedPaymentMethodNumbers(next);
      const index = data.savedPaymentMethods.findIndex((m) => m.id === next.id);
      if (index < 0 || data.savedPaymentMethods[index]!.version !== expectedVersion) return null;
      data.savedPaymentMethods[index] = copy(next);
      markChanged();
      return copy(next);
    },

    allocateReceiptNumber: async (paymentId, issuedAt) => {
      assertStorableText(paymentId, "receipt.paymentId");
      assertStorableText(issuedAt, "receipt.issuedAt");
      const existing = data.receipts.find((r) => r.paymentId === paymentId);
      if (existing) return existing.number;
      const year = receiptYear(issuedAt);
      // Gap-free by construction: numbers are never deleted, and transactions run one at a time.
      const number = formatReceiptNumber(year, data.receipts.filter((r) => r.year === year).length + 1);
      data.receipts.push({ paymentId, year, number });
      markChanged();
      return number;
    },

    getIdempotencyRecord: async (scope, key) => copy(data.idempotency.find((r) => r.scope === scope && r.key === key) ?? null),
    insertIdempotencyRecord: async (record) => {
      assertStorableIdempotencyRecord(record);
      if (data.idempotency.some((r) => r.scope === record.scope && r.key === record.key)) return false;
      data.idempotency.push(copy(record));
      markChanged();
      return true;
    },
    updateIdempotencyRecord: async (next, expectedLockId) => {
      assertStorableIdempotencyRecord(next);
      const index = data.idempotency.findIndex((r) => r.scope === next.scope && r.key === next.key);
      if (index < 0 || data.idempotency[index]!.lockId !== expectedLockId) return false;
      data.idempotency[index] = copy(next);
      markChanged();
      return true;
    },

    appendOutbox: async (events) => {
      for (const event of events) assertStorableEvent(event);
      for (const event of events) {
        data.outbox.push({
          sequence: ++data.outboxSequence,
          event: copy(event),
          status: "pending",
          attempts: 0,
          nextAttemptAt: event.occurredAt,
          leasedBy: null,
          leasedUntil: null,
          lastError: null,
          deliveredAt: null,
          skipReason: null,
        });
      }
      markChanged();
    },

    insertInboxEvent: async (event) => {
      assertStorableInboxEvent(event);
      if (data.inbox.some((e) => e.provider === event.provider && e.eventId === event.eventId)) return false;
      data.inbox.push(copy(event));
      markChanged();
      return true;
    },
    getInboxEvent: async (provider, eventId) => copy(data.inbox.find((e) => e.provider === provider && e.eventId === eventId) ?? null),
    updateInboxEvent: async (next, expected) => {
      assertStorableInboxEvent(next);
      const index = data.inbox.findIndex((e) => e.provider === next.provider && e.eventId === next.eventId);
      const current = data.inbox[index];
      if (!current || current.status !== expected.status || current.attempts !== expected.attempts) return false;
      data.inbox[index] = copy(next);
      markChanged();
      return true;
    },
  };
}
