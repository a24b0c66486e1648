import type { Refund } from "../../domain/payment.js";

/** Refunds inside one transaction. The ceiling (never more than captured) is the payment's reservation, not this. */
export interface RefundsTx {
  getRefund(id: string): Promise<Refund | null>;
  /** Inserts a new refund. A duplicate id is refused with `conflict` and changes nothing, as for payments. */
  insertRefund(refund: Refund): Promise<void>;
  /**
   * Stores the new state of a refund. One that does not exist is refused with `not_found` and nothing is stored:
   * an update never creates a refund (that is `insertRefund`, with its own duplicate check).
   */
  updateRefund(refund: Refund): Promise<void>;
}

export interface RefundReads {
  /** Every refund of the payment, in the order inserted. */
  listRefunds(paymentId: string): Promise<Refund[]>;
  /**
   * The refund the provider knows by this id (a Stripe `re_…`), among the refunds of payments with that provider:
   * ids are the provider's, so the provider scopes them as it does payment ids. The oldest (lowest id) if several
   * name it; null when none does, and for text no refund can hold.
   */
  findRefundByProviderId(provider: string, providerRefundId: string): Promise<Refund | null>;
}
