import type { Payment, PaymentStatus } from "../../domain/payment.js";

/**
 * What a list matches; every field given narrows the result (they combine with AND). A filter value no payment
 * could hold (text with NUL, a lone surrogate or a control character) simply matches nothing on every store; an
 * instant that is not ISO 8601, an amount bound that is not a safe integer, a `disputed` that is not a boolean and a
 * key that is no filter field at all are `validation_error` (an unknown key is never ignored: the list would then
 * answer everything).
 */
export interface PaymentFilter {
  status?: PaymentStatus | readonly PaymentStatus[] | undefined;
  provider?: string | undefined;
  owner?: string | undefined;
  /** Inclusive lower bound on `createdAt`. */
  createdFrom?: string | undefined;
  /** Exclusive upper bound on `createdAt`. */
  createdTo?: string | undefined;
  /**
   * Payments whose `updatedAt` is at or after this instant: every payment with activity since then (captured,
   * refunded, corrected), whenever it was created. Reconcile's activity window.
   */
  updatedFrom?: string | undefined;
  /**
   * Payments whose `updatedAt` is strictly before this instant (exclusive): with `updatedFrom`, a window of last
   * activity.
   */
  updatedTo?: string | undefined;
  /** Matches payments whose `references[key] === value`. */
  reference?: { key: string; value: string } | undefined;
  /** Payments of this customer: `customerId` exactly as stored. */
  customerId?: string | undefined;
  /**
   * Payments whose `customerEmail` is exactly this text, as stored: no case folding, since engines fold case
   * differently and the one index of each store answers an exact match alike.
   */
  customerEmail?: string | undefined;
  /**
   * Matches payments whose `metadata[key] === value`. Metadata is free-form JSON: PostgreSQL answers it through a
   * GIN index, SQLite reads the rows the other filters leave (see the kysely adapter's README); a business key a
   * list must find fast belongs in `references`.
   */
  metadata?: { key: string; value: string } | undefined;
  /** Payments in this currency (ISO 4217, as stored: upper case). */
  currency?: string | undefined;
  /** Inclusive lower bound on `amount`, in minor units: a safe integer, never a float. */
  amountMin?: number | undefined;
  /** Inclusive upper bound on `amount`, in minor units: a safe integer, never a float. */
  amountMax?: number | undefined;
  /** Payments whose `disputed` flag is this. */
  disputed?: boolean | undefined;
  /** Payments whose `authorizationExpiresAt` is set and before this instant (exclusive): the expiry sweep's window. */
  authorizationExpiresBefore?: string | undefined;
}

export interface PageRequest {
  /** 1–500; adapters clamp. */
  limit: number;
  /**
   * The `nextCursor` of the previous page, passed back unchanged. It is opaque: a cursor the store did not issue
   * (garbage, truncated, edited) is refused with `invalid_cursor`, never answered with an empty page.
   */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The window of the stats: payments created in [createdFrom, createdTo). */
export interface StatsFilter {
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
}

/**
 * One group of the stats: payments with this status, provider and currency. The sums are exact `bigint`s: every
 * amount is a safe integer, but a sum over many rows is not (two payments of 2^53 - 1 already pass 2^53), and a
 * store must sum exactly however many rows there are.
 */
export interface StatsRow {
  status: PaymentStatus;
  provider: string;
  currency: string;
  count: number;
  amount: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
}

/** Lists and aggregates over payments. */
export interface PaymentQueries {
  /** Newest first (by id, which sorts by creation time), one page at a time. */
  listPayments(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>>;
  /** Groups ordered by status, provider, currency. */
  stats(filter: StatsFilter): Promise<StatsRow[]>;
}
