import type { Dispute, DisputeStatus } from "../../domain/dispute.js";
import type { Page, PageRequest } from "./queries.js";

/** Disputes inside one transaction: the webhook and reconcile paths record them with the payment's flag. */
export interface DisputesTx {
  /** The dispute the provider knows by this id, or null (also for text no dispute can hold). */
  findDisputeByProviderId(provider: string, providerDisputeId: string): Promise<Dispute | null>;
  /**
   * Inserts a new dispute (version 1). A duplicate id, or a second dispute with the same provider and provider
   * dispute id, is refused with `conflict` and changes nothing: the loser of two racing deliveries re-reads.
   * `paymentId` names a payment the store holds (the core records disputes of stored payments only; the SQL stores
   * enforce it with a foreign key, as they do for refunds).
   */
  insertDispute(dispute: Dispute): Promise<void>;
  /**
   * Compare-and-set on `version`, as for payments: stores `next` (version `expectedVersion + 1`) only if the stored
   * version is still `expectedVersion`; otherwise null and nothing changes.
   */
  updateDispute(next: Dispute, expectedVersion: number): Promise<Dispute | null>;
}

/** Which disputes a list returns; every field narrows it, and all given fields must hold. */
export interface DisputeFilter {
  status?: DisputeStatus | readonly DisputeStatus[] | undefined;
  provider?: string | undefined;
  paymentId?: string | undefined;
  currency?: string | undefined;
  /** Opened at or after this instant (ISO 8601). */
  openedFrom?: string | undefined;
  /** Opened before this instant. */
  openedTo?: string | undefined;
  /** Evidence due before this instant: what needs an answer soonest. */
  evidenceDueBefore?: string | undefined;
}

/** One group of the dispute stats: disputes in this status and currency, with their exact disputed sum. */
export interface DisputeStatsRow {
  status: DisputeStatus;
  currency: string;
  count: number;
  amount: bigint;
}

/** Reads of disputes outside a transaction. */
export interface DisputeReads {
  getDispute(id: string): Promise<Dispute | null>;
  /** Every dispute of the payment, oldest first. */
  listPaymentDisputes(paymentId: string): Promise<Dispute[]>;
  /**
   * Newest first (by id, which sorts by creation time), one page at a time; an unknown filter field is a
   * `validation_error` naming it, a bad cursor `invalid_cursor`, as for payments.
   */
  listDisputes(filter: DisputeFilter, page: PageRequest): Promise<Page<Dispute>>;
  /**
   * Groups by status and currency (ordered so) of the disputes opened in [openedFrom, openedTo). Disputes are few
   * beside payments (a fraction of a percent), so a store may answer it by reading them.
   */
  disputeStats(filter: Pick<DisputeFilter, "openedFrom" | "openedTo">): Promise<DisputeStatsRow[]>;
}
