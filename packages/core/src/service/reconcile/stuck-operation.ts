import type { IdempotencyRecord } from "../../ports/payment-store.js";

/*
 * When an operation between its phases counts as stuck: reconcile reports it (to an operator), never corrects it,
 * since it belongs to recovery.
 */

/** How long an operation has waited on the provider: from its first send (or its creation), whatever retried it. */
export function operationAge(record: IdempotencyRecord, now: number): number {
  return now - Date.parse(record.gatewaySentAt ?? record.createdAt);
}

/** Stuck: older than `stuckAfterMs` since its first send, or flagged because its attempts are spent. */
export function isOperationStuck(record: IdempotencyRecord, now: number, stuckAfterMs: number): boolean {
  return record.flaggedAt !== null || operationAge(record, now) >= stuckAfterMs;
}
