/** Receipt numbers inside one transaction. */
export interface ReceiptsTx {
  /**
   * Allocates the next receipt number of `issuedAt`'s year (`R-2026-000001`, …) and records it for the payment.
   * Numbers are unique and gap-free per store and year even under concurrent callers (N allocations in a year are
   * exactly 1…N); one payment never gets two: a second call returns the number it already has.
   */
  allocateReceiptNumber(paymentId: string, issuedAt: string): Promise<string>;
}
