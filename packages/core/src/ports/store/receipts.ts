/** Receipt numbers inside one transaction. */
export interface ReceiptsTx {
  /**
   * Allocates the next receipt number of `issuedAt`'s year (`R-2026-000001`, …) and records it for the payment.
   * Numbers are unique and gap-free per store and year even under concurrent callers (N allocations in a year are
   * exactly 1…N); one payment never gets two: a second call returns the number it already has.
   */
  allocateReceiptNumber(paymentId: string, issuedAt: string): Promise<string>;
  /**
   * Optional. The same allocation, taken as late as the store can: at the transaction's commit, so that the year's
   * counter, which every settling payment queues for, is held for the commit alone. It answers at once with a
   * stand-in, a text no stored value contains, and the store writes the real number wherever the stand-in stands
   * in what the transaction writes (and in the value `transaction(work)` returns): a caller may put it in the
   * payment, its events and its stored outcome, and must not let it escape the transaction any other way. The
   * numbers keep every promise of `allocateReceiptNumber` (gap-free per year, one per payment: a payment that has
   * a number keeps it). A store may answer with the number itself; the core uses it when present, where the
   * stand-in reaches nothing but the transaction's writes and its result.
   */
  allocateReceiptNumberAtCommit?(paymentId: string, issuedAt: string): Promise<string>;
}
