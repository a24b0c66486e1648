import type { IdempotencyRecord, InboxEvent, InboxFilter } from "@org/payments-core";
import type { StoreFile } from "./store-file.js";

/** The webhook inbox's list and retention, and the idempotency records' recovery list and retention. */

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest received first; ties by (provider, event id), so every read gives the same order. */
export function listInboxEvents(data: StoreFile, filter: InboxFilter): InboxEvent[] {
  const statuses = filter.status === undefined ? undefined : typeof filter.status === "string" ? [filter.status] : filter.status;
  const { forPayment } = filter;
  return data.inbox
    .filter(
      (e) =>
        (statuses === undefined || statuses.includes(e.status)) &&
        (filter.paymentId === undefined || e.paymentId === filter.paymentId) &&
        (filter.providerPaymentId === undefined || e.providerPaymentId === filter.providerPaymentId) &&
        // An event may name the payment by our id or only by the provider's.
        (forPayment === undefined ||
          e.paymentId === forPayment.paymentId ||
          (forPayment.providerPaymentId !== null && e.providerPaymentId === forPayment.providerPaymentId)) &&
        (filter.eventId === undefined || e.eventId === filter.eventId) &&
        (filter.provider === undefined || e.provider === filter.provider) &&
        (filter.receivedBefore === undefined || e.receivedAt < filter.receivedBefore),
    )
    .sort((a, b) => compareText(a.receivedAt, b.receivedAt) || compareText(a.provider, b.provider) || compareText(a.eventId, b.eventId))
    .slice(0, Math.max(1, filter.limit));
}


/** Deletes processed events processed before `before`; never one still to apply (received, held, orphaned, failed). */
export function purgeWebhookEvents(data: StoreFile, changed: () => void, before: string): number {
  const kept = data.inbox.filter((e) => !(e.status === "processed" && e.processedAt !== null && e.processedAt < before));
  const removed = data.inbox.length - kept.length;
  data.inbox = kept;
  if (removed > 0) changed();
  return removed;
}

/** Records left at gateway_pending and last touched before `updatedBefore`, oldest first: recovery's work list. */
export function listPendingIdempotencyRecords(data: StoreFile, updatedBefore: string, limit: number): IdempotencyRecord[] {
  return data.idempotency
    .filter((r) => r.recoveryPoint === "gateway_pending" && r.updatedAt < updatedBefore)
    .sort((a, b) => compareText(a.updatedAt, b.updatedAt))
    .slice(0, limit);
}

/** Deletes finished records that expired before `now`; an unfinished one is never deleted, however old. */
export function deleteExpiredIdempotencyRecords(data: StoreFile, changed: () => void, now: string): number {
  const kept = data.idempotency.filter((r) => !(r.recoveryPoint === "finished" && r.expiresAt < now));
  const removed = data.idempotency.length - kept.length;
  data.idempotency = kept;
  if (removed > 0) changed();
  return removed;
}
