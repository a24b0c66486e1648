import type { PaymentError, PaymentErrorBody } from "../../errors/index.js";

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

/** Idempotency records inside one transaction. */
export interface IdempotencyTx {
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
  /**
   * Optional. The same compare-and-set, for a caller that gives up its whole transaction when it loses (as
   * `updatePaymentOrConflict`): stores `next`, or makes the transaction fail with `lost()` and keep nothing it
   * wrote. The loss may surface at once, at a later call or at commit. The core uses it when present.
   */
  updateIdempotencyRecordOrFail?(next: IdempotencyRecord, expectedLockId: string | null, lost: () => PaymentError): Promise<void>;
}

/** What recovery and retention need of the records outside a transaction. */
export interface IdempotencyMaintenance {
  /** Records at `gateway_pending` last touched before `updatedBefore`, oldest first, at most `limit`. */
  listPendingIdempotencyRecords(updatedBefore: string, limit: number): Promise<IdempotencyRecord[]>;
  /**
   * Deletes finished records whose `expiresAt` is before `now`; never an unfinished one. Returns the count.
   * A store may delete in bounded batches so writers are never held up; a purge that fails part-way has deleted some
   * and leaves the rest for its next run (each deleted row met the condition when it went).
   */
  deleteExpiredIdempotencyRecords(now: string): Promise<number>;
}
