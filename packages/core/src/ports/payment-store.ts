import type { PaymentEvent } from "../domain/events.js";
import type { HistoryEntry, Payment, PaymentStatus, Refund } from "../domain/payment.js";
import type { PaymentErrorBody } from "../errors/index.js";
import type { INBOX_STATUSES } from "../domain/inbox-status.js";
import type { GatewayWebhookEvent } from "./payment-gateway.js";

/** Where a gateway-touching operation stands; `gateway_pending` means the provider may or may not have acted. */
export type RecoveryPoint = "started" | "gateway_pending" | "finished";

/** The stored outcome of an operation, replayed verbatim for a retry with the same key. */
export type StoredOutcome = { ok: true; value: unknown } | { ok: false; error: PaymentErrorBody };

export interface IdempotencyRecord {
  scope: string;
  key: string;
  operation: string;
  /** SHA-256 over the canonical JSON of the operation's parameters. */
  fingerprint: string;
  paymentId: string | null;
  recoveryPoint: RecoveryPoint;
  /** The holder's lock token; null when nobody holds the record (finished, or released after an unknown outcome). */
  lockId: string | null;
  lockedAt: string | null;
  /** Key sent to the provider: derived from payment, operation and the operation's own id — never the caller's. */
  gatewayKey: string | null;
  /** What phase 2 must send, so that recovery can re-send the identical request. */
  gatewayRequest: unknown;
  /** First time the gateway request was sent: recovery compares it with the provider's key retention. */
  gatewaySentAt: string | null;
  /** Phase-2 sends that ended without a definite answer; the attempt policy bounds them. */
  gatewayAttempts: number;
  /** The last indefinite answer (retryable or unknown outcome); an unknown one makes the next attempt look up first. */
  lastGatewayError: PaymentErrorBody | null;
  /** Set when the attempt policy was spent without a definite answer: an operator settles it (`payments-cli recover`). */
  flaggedAt: string | null;
  /**
   * When an attempt first ended with an unknown outcome (the provider may have acted). Sticky until the operation
   * finishes: every later attempt looks the object up first, and the operation can no longer settle as refused.
   */
  outcomeUnknownSince: string | null;
  /** When the request last went out to the provider (a lookup alone does not count). */
  gatewayLastSentAt: string | null;
  outcome: StoredOutcome | null;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

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

/**
 * Where a provider webhook stands in the inbox. `received`: stored (and acknowledged), not yet applied — or its
 * applier died. `processed`: applied (or found to need nothing), terminal. `held`: its payment is not in the store
 * yet; applied when it appears. `orphaned`: held for longer than the service's `orphanAfterMs`; an operator looks.
 * `failed`: applying threw (the gateway could not be asked, a persistent conflict); retried later.
 */
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** A provider webhook as the inbox keeps it: the verified, parsed event — never the raw body or its signature. */
export interface InboxEvent {
  provider: string;
  /** The provider's event id; (provider, eventId) is the inbox key. */
  eventId: string;
  type: string;
  event: GatewayWebhookEvent;
  /** Our payment id as the event names it (provider metadata), when it does. */
  paymentId: string | null;
  providerPaymentId: string | null;
  status: InboxStatus;
  /** Apply attempts so far; every status change bumps it, so it doubles as the row's version. */
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
  /** Why the last attempt failed (status `failed`), or why the event is held. */
  lastError: string | null;
  /** What applying did, for operators: `applied`, `ignored: …`, `fetched: …`. */
  outcome: string | null;
}

export interface InboxFilter {
  status?: InboxStatus | readonly InboxStatus[] | undefined;
  paymentId?: string | undefined;
  providerPaymentId?: string | undefined;
  /** Events naming this payment by either of its ids (an event may carry only the provider's). */
  forPayment?: { paymentId: string; providerPaymentId: string | null } | undefined;
  eventId?: string | undefined;
  provider?: string | undefined;
  /** Only events received before this instant. */
  receivedBefore?: string | undefined;
  limit: number;
}

/**
 * What a list matches. A filter value no payment could hold (text with NUL, a lone surrogate or a control
 * character) simply matches nothing on every store; an instant that is not ISO 8601 is `validation_error`.
 */
export interface PaymentFilter {
  status?: PaymentStatus | readonly PaymentStatus[] | undefined;
  provider?: string | undefined;
  owner?: string | undefined;
  createdFrom?: string | undefined;
  /** Exclusive upper bound. */
  createdTo?: string | undefined;
  /**
   * Payments whose `updatedAt` is at or after this instant: every payment with activity since then (captured,
   * refunded, corrected), whenever it was created. Reconcile's activity window.
   */
  updatedFrom?: string | undefined;
  /** Matches payments whose `references[key] === value`. */
  reference?: { key: string; value: string } | undefined;
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

export interface StoreCapabilities {
  /** More than one process may write concurrently (PostgreSQL); false for a single-writer store. */
  readonly concurrentWriters: boolean;
  /** Data outlives the process (files, servers); false for the memory store. */
  readonly durable: boolean;
}

/** The reads and writes available inside one transaction. */
export interface PaymentStoreTx {
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
  /**
   * Compare-and-set on `version`: stores `next` (whose version must be `expectedVersion + 1`) only if the stored
   * version is still `expectedVersion`. Under concurrent calls for the same payment exactly one caller gets the
   * stored payment; the others get null and change nothing.
   */
  updatePayment(next: Payment, expectedVersion: number): Promise<Payment | null>;
  appendHistory(entries: readonly HistoryEntry[]): Promise<void>;

  getRefund(id: string): Promise<Refund | null>;
  /** Inserts a new refund. A duplicate id is refused with `conflict` and changes nothing, as for payments. */
  insertRefund(refund: Refund): Promise<void>;
  /**
   * Stores the new state of a refund. One that does not exist is refused with `not_found` and nothing is stored:
   * an update never creates a refund (that is `insertRefund`, with its own duplicate check).
   */
  updateRefund(refund: Refund): Promise<void>;

  /**
   * Allocates the next receipt number of `year` (`R-2026-000001`, …) and records it for the payment. Numbers are
   * unique and gap-free per store even under concurrent callers; one payment never gets two.
   */
  allocateReceiptNumber(paymentId: string, issuedAt: string): Promise<string>;

  getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | null>;
  /**
   * Inserts the record if no record exists for (scope, key). Under concurrent calls for the same (scope, key)
   * exactly one caller gets true; the others get false and change nothing.
   */
  insertIdempotencyRecord(record: IdempotencyRecord): Promise<boolean>;
  /**
   * Compare-and-set on the lock token: stores `next` only if the stored record's `lockId` equals `expectedLockId`
   * (null matches an unlocked record). Under concurrent calls exactly one caller gets true.
   */
  updateIdempotencyRecord(next: IdempotencyRecord, expectedLockId: string | null): Promise<boolean>;

  /** Appends events to the outbox; they commit (or vanish) with the transaction that wrote them. */
  appendOutbox(events: readonly PaymentEvent[]): Promise<void>;

  /**
   * Stores a provider webhook in the inbox if no event with its (provider, eventId) is there yet. Under concurrent
   * calls for the same (provider, eventId) exactly one caller gets true (first seen); the others get false and
   * change nothing.
   */
  insertInboxEvent(event: InboxEvent): Promise<boolean>;
  getInboxEvent(provider: string, eventId: string): Promise<InboxEvent | null>;
  /**
   * Compare-and-set on (status, attempts): stores `next` only if the stored event still has `expected.status` and
   * `expected.attempts`. Under concurrent calls for the same event exactly one caller gets true; the others get
   * false and change nothing. Callers bump `attempts` with every change, so a winner's write is never lost.
   */
  updateInboxEvent(next: InboxEvent, expected: { status: InboxStatus; attempts: number }): Promise<boolean>;
}

export interface OutboxClaim {
  /** Who claims; a lease is held by one claimant at a time. */
  claimant: string;
  now: string;
  /** Leased events become claimable again after this, if their holder died. */
  leaseUntil: string;
  limit: number;
}

export interface PaymentStore {
  readonly capabilities: StoreCapabilities;

  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all. `work` may await only
   * the `tx` it was given, never this store's other methods (on a single-connection store they would wait for this
   * very transaction) nor the network. Adapters may retry `work` on serialization failures, so it must have no
   * side effects outside the transaction.
   */
  transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T>;

  getPayment(id: string): Promise<Payment | null>;
  listPayments(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>>;
  listHistory(paymentId: string): Promise<HistoryEntry[]>;
  listRefunds(paymentId: string): Promise<Refund[]>;
  stats(filter: StatsFilter): Promise<StatsRow[]>;

  /** Records at `gateway_pending` last touched before `updatedBefore`, oldest first. */
  listPendingIdempotencyRecords(updatedBefore: string, limit: number): Promise<IdempotencyRecord[]>;
  /** Deletes finished records whose `expiresAt` is before `now`; never an unfinished one. Returns the count. */
  deleteExpiredIdempotencyRecords(now: string): Promise<number>;

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
  listOutbox(filter: { status?: OutboxEntry["status"] | undefined; paymentId?: string | undefined; limit: number }): Promise<OutboxEntry[]>;
  /** Deletes delivered events delivered before `before`. */
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
  /** Inbox events matching the filter, oldest received first. */
  listInboxEvents(filter: InboxFilter): Promise<InboxEvent[]>;
  /**
   * Deletes `processed` inbox events processed before `before`; never one that is received, held, orphaned or
   * failed. A provider redelivering a purged event after this would have it applied again (to no effect: events
   * only move payments forward), so keep processed events longer than the provider retries (Stripe: 3 days).
   */
  purgeWebhookEvents(before: string): Promise<number>;

  close(): Promise<void>;
}
