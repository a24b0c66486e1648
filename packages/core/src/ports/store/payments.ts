import type { HistoryEntry, Payment } from "../../domain/payment.js";

/** Payments and their history, inside one transaction. */
export interface PaymentsTx {
  getPayment(id: string): Promise<Payment | null>;
  /**
   * The payment that names this provider object. Nothing in the schema makes the pair unique (a second charge
   * attempt can name the same object), so when several do, the answer is the oldest: the lowest id, as ids sort by
   * creation time — the first payment that claimed the object. Every store answers the same whatever the insertion
   * order; webhooks apply to that payment, and reconcile reports any other as a second attempt.
   */
  findPaymentByProviderId(provider: string, providerPaymentId: string): Promise<Payment | null>;
  /**
   * Inserts a new payment (version 1). A duplicate id is refused with `conflict` and changes nothing: the code
   * of every lost race on this port, so the loser of concurrent inserts can re-read the payment the winner stored.
   */
  insertPayment(payment: Payment): Promise<void>;
  // Every write refuses, with a PaymentError and nothing stored, an amount that is not a safe integer (the SQL stores
  // and the memory store answer `internal`: the core never produces one, so one arriving is a bug), and text no store
  // can hold (`validation_error` naming the field). A read refuses a stored amount past 2^53 rather than round it.
  /**
   * Compare-and-set on `version`: stores `next` (whose version must be `expectedVersion + 1`) only if the stored
   * version is still `expectedVersion`. Under concurrent calls for the same payment exactly one caller gets the
   * stored payment; the others get null and change nothing.
   */
  updatePayment(next: Payment, expectedVersion: number): Promise<Payment | null>;
  /**
   * Optional. The same compare-and-set, for a caller that gives up its whole transaction when it loses the race (the
   * core always does): stores `next`, or makes the transaction fail with `conflict` and keep nothing it wrote. The
   * loss may surface at once, at a later call of the transaction or at its commit — a store that sends a phase's
   * writes in one batch (the PostgreSQL adapter) learns it there — so the caller must not act on the returned
   * payment outside the transaction before it commits. The core uses it when present, else `updatePayment`.
   */
  updatePaymentOrConflict?(next: Payment, expectedVersion: number): Promise<Payment>;
  /** Appends history rows; they read back in the order appended, also when their timestamps are equal. */
  appendHistory(entries: readonly HistoryEntry[]): Promise<void>;
}

/** Reads of payments and their history outside a transaction. */
export interface PaymentReads {
  getPayment(id: string): Promise<Payment | null>;
  /** Every history row of the payment, in the order appended. */
  listHistory(paymentId: string): Promise<HistoryEntry[]>;
}
