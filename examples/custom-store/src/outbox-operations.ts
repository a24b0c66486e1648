import { assertStorableText } from "@org/payments-core";
import type { OutboxClaim, OutboxEntry, OutboxFilter } from "@org/payments-core";
import type { StoreFile } from "./store-file.js";

/**
 * The outbox's deliveries and operator actions, each a change of the working copy. The store runs each one alone
 * (one writer), which is what makes "leased to at most one claimant" and "exactly one operator wins" true here.
 */

/** The oldest event of each payment that is neither delivered nor skipped, if it is due and not leased. */
export function claimOutbox(data: StoreFile, changed: () => void, claim: OutboxClaim): OutboxEntry[] {
  assertStorableText(claim.claimant, "outbox.claimant");
  const heads = new Map<string, OutboxEntry>();
  for (const entry of data.outbox) {
    if (entry.status !== "delivered" && entry.status !== "skipped" && !heads.has(entry.event.paymentId)) heads.set(entry.event.paymentId, entry);
  }
  const claimed: OutboxEntry[] = [];
  for (const entry of heads.values()) {
    if (claimed.length >= claim.limit) break;
    // A head that waits for its retry, is dead, or is leased holds back its own payment and no other.
    if (entry.status !== "pending" || entry.nextAttemptAt > claim.now) continue;
    if (entry.leasedUntil !== null && entry.leasedUntil > claim.now) continue;
    entry.leasedBy = claim.claimant;
    entry.leasedUntil = claim.leaseUntil;
    claimed.push(structuredClone(entry));
  }
  if (claimed.length > 0) changed();
  return claimed;
}

function leasedBy(data: StoreFile, sequence: number, claimant: string): OutboxEntry | undefined {
  return data.outbox.find((e) => e.sequence === sequence && e.status === "pending" && e.leasedBy === claimant);
}

export function markOutboxDelivered(data: StoreFile, changed: () => void, sequence: number, claimant: string, at: string): boolean {
  const entry = leasedBy(data, sequence, claimant);
  if (!entry) return false;
  Object.assign(entry, { status: "delivered", deliveredAt: at, attempts: entry.attempts + 1, leasedBy: null, leasedUntil: null });
  changed();
  return true;
}

export function markOutboxFailed(
  data: StoreFile,
  changed: () => void,
  sequence: number,
  claimant: string,
  failure: { error: string; nextAttemptAt: string; dead: boolean },
): boolean {
  assertStorableText(failure.error, "outbox.lastError", true);
  const entry = leasedBy(data, sequence, claimant);
  if (!entry) return false;
  Object.assign(entry, {
    status: failure.dead ? "dead" : "pending",
    attempts: entry.attempts + 1,
    lastError: failure.error,
    nextAttemptAt: failure.nextAttemptAt,
    leasedBy: null,
    leasedUntil: null,
  });
  changed();
  return true;
}

/** Operator: a dead event back to pending, due at `at`, its attempts kept. */
export function retryOutboxEvent(data: StoreFile, changed: () => void, sequence: number, at: string): boolean {
  const entry = data.outbox.find((e) => e.sequence === sequence && e.status === "dead");
  if (!entry) return false;
  Object.assign(entry, { status: "pending", nextAttemptAt: at, leasedBy: null, leasedUntil: null });
  changed();
  return true;
}

/** Operator: a dead event skipped for good, so its payment's later events flow again. */
export function skipOutboxEvent(data: StoreFile, changed: () => void, sequence: number, reason: string): boolean {
  assertStorableText(reason, "outbox.skipReason", true);
  const entry = data.outbox.find((e) => e.sequence === sequence && e.status === "dead");
  if (!entry) return false;
  Object.assign(entry, { status: "skipped", skipReason: reason, leasedBy: null, leasedUntil: null });
  changed();
  return true;
}

/** Deletes events delivered before `before`; never a pending, dead or skipped one. */
export function purgeDeliveredOutbox(data: StoreFile, changed: () => void, before: string): number {
  const kept = data.outbox.filter((e) => !(e.status === "delivered" && e.deliveredAt !== null && e.deliveredAt < before));
  const removed = data.outbox.length - kept.length;
  data.outbox = kept;
  if (removed > 0) changed();
  return removed;
}

/** In sequence order: the array's order, as sequences only grow. */
export function listOutbox(data: StoreFile, filter: OutboxFilter): OutboxEntry[] {
  return data.outbox
    .filter((e) => (filter.status === undefined || e.status === filter.status) && (filter.paymentId === undefined || e.event.paymentId === filter.paymentId))
    .slice(0, filter.limit);
}
