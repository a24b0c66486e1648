import type { PaymentEvent } from "../../domain/events.js";

export interface OutboxEntry {
  /** Store-assigned, increasing in insertion order: the order of events per payment. */
  sequence: number;
  event: PaymentEvent;
  /** `skipped`: an operator gave up on a dead event; it is terminal and no longer holds back its payment. */
  status: "pending" | "delivered" | "dead" | "skipped";
  attempts: number;
  nextAttemptAt: string;
  leasedBy: string | null;
  leasedUntil: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  /** Why an operator skipped the event; null unless `status` is `skipped`. */
  skipReason: string | null;
}

export interface OutboxClaim {
  /** Who claims; a lease is held by one claimant at a time. */
  claimant: string;
  now: string;
  /** Leased events become claimable again after this, if their holder died. */
  leaseUntil: string;
  limit: number;
}

export interface OutboxFilter {
  status?: OutboxEntry["status"] | undefined;
  paymentId?: string | undefined;
  limit: number;
}

/** Appending events inside the transaction that changed the state they describe. */
export interface OutboxTx {
  /** Appends events to the outbox; they commit (or vanish) with the transaction that wrote them. */
  appendOutbox(events: readonly PaymentEvent[]): Promise<void>;
}

/** Delivering events, and the operator's actions on dead ones. */
export interface OutboxStore {
  /**
   * Leases deliverable events, in order per payment: only the oldest event of a payment that is neither delivered
   * nor skipped is ever offered, so an event waiting for its retry (or dead) holds back that payment's later
   * events and no other's.
   * An event is leased to at most one claimant at a time, even across processes.
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]>;
  /** Marks a leased event delivered; false if the caller no longer holds the lease. */
  markOutboxDelivered(sequence: number, claimant: string, at: string): Promise<boolean>;
  /** Records a failed attempt: back to pending at `nextAttemptAt`, or `dead` when `dead` is set. */
  markOutboxFailed(
    sequence: number,
    claimant: string,
    failure: { error: string; nextAttemptAt: string; dead: boolean },
  ): Promise<boolean>;
  /** Events matching the filter, in sequence order. */
  listOutbox(filter: OutboxFilter): Promise<OutboxEntry[]>;
  /**
   * Deletes delivered events delivered before `before`; never a pending, dead or skipped one. Returns the count.
   * A store may delete in bounded batches so writers are never held up; a purge that fails part-way has deleted some
   * and leaves the rest for its next run (each deleted row met the condition when it went).
   */
  purgeDeliveredOutbox(before: string): Promise<number>;
  /**
   * Operator action on a dead event: back to `pending`, due at `at`, its attempts kept (so one more failure
   * dead-letters it again unless the dispatcher's maximum was raised). Under concurrent calls for the same event
   * exactly one caller gets true; the others, and any call on an event that is not dead, get false.
   */
  retryOutboxEvent(sequence: number, at: string): Promise<boolean>;
  /**
   * Operator action on a dead event: marks it `skipped` with `reason`, terminal, so the payment's later events
   * flow again (they are delivered without it). Under concurrent calls for the same event exactly one caller gets
   * true; the others, and any call on an event that is not dead, get false.
   */
  skipOutboxEvent(sequence: number, reason: string): Promise<boolean>;
}
