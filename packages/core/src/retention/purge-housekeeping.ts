import type { PaymentStore } from "../ports/payment-store.js";
import { type RetentionPolicy, resolveRetention } from "./retention-policy.js";

export interface HousekeepingReport {
  /** Expired, finished idempotency records deleted. */
  idempotencyRecords: number;
  /** Outbox events delivered before `eventsBefore`, deleted. */
  outboxEvents: number;
  /** Webhooks processed before `webhooksBefore`, deleted. */
  webhookEvents: number;
  eventsBefore: string;
  webhooksBefore: string;
}

/**
 * One retention pass: deletes what the policy says has done its job. The store deletes in bounded batches (its
 * `purgeBatchSize`), so writers wait at most one batch; a pass cut short leaves the rest for the next one.
 */
export async function purgeHousekeeping(
  store: Pick<PaymentStore, "deleteExpiredIdempotencyRecords" | "purgeDeliveredOutbox" | "purgeWebhookEvents">,
  options: { now: Date; retention?: Partial<RetentionPolicy> | undefined },
): Promise<HousekeepingReport> {
  const policy = resolveRetention(options.retention);
  const now = options.now.getTime();
  const eventsBefore = new Date(now - policy.deliveredEventsMs).toISOString();
  const webhooksBefore = new Date(now - policy.processedWebhooksMs).toISOString();
  const idempotencyRecords = await store.deleteExpiredIdempotencyRecords(options.now.toISOString());
  const outboxEvents = await store.purgeDeliveredOutbox(eventsBefore);
  const webhookEvents = await store.purgeWebhookEvents(webhooksBefore);
  return { idempotencyRecords, outboxEvents, webhookEvents, eventsBefore, webhooksBefore };
}
