import { configurationError } from "../errors/index.js";

const DAY_MS = 86_400_000;

/**
 * How long housekeeping rows are kept once they have done their job. Payments, their history, refunds and receipts
 * are records and are never purged; these are working rows that would otherwise make up three quarters of the
 * store within a year:
 * - idempotency records go when their own expiry passes (`ttlMs` of the service, set when the record is written);
 *   an unfinished one is never deleted;
 * - delivered outbox events, `deliveredEventsMs` after delivery (the consumer has them; kept for inspection and
 *   re-delivery by an operator);
 * - processed provider webhooks, `processedWebhooksMs` after processing: a redelivery after that would be applied
 *   again (to no effect), so it stays above the providers' retry windows (Stripe retries for 3 days).
 */
export interface RetentionPolicy {
  /** Default 7 days. */
  deliveredEventsMs: number;
  /** Default 7 days; at least 3 days. */
  processedWebhooksMs: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({
  deliveredEventsMs: 7 * DAY_MS,
  processedWebhooksMs: 7 * DAY_MS,
});

/** The longest a provider keeps retrying a webhook (Stripe: 3 days); processed events are kept at least this long. */
export const MIN_WEBHOOK_RETENTION_MS = 3 * DAY_MS;

/** The policy with defaults filled in; `configuration_error` for a value that is not a positive integer of ms, or too short. */
export function resolveRetention(requested: Partial<RetentionPolicy> = {}): RetentionPolicy {
  const policy = { ...DEFAULT_RETENTION, ...Object.fromEntries(Object.entries(requested).filter(([, value]) => value !== undefined)) };
  for (const option of ["deliveredEventsMs", "processedWebhooksMs"] as const) {
    const value = policy[option];
    if (!Number.isSafeInteger(value) || value <= 0) throw configurationError(`retention ${option} must be a positive integer of milliseconds`, { option });
  }
  if (policy.processedWebhooksMs < MIN_WEBHOOK_RETENTION_MS) {
    throw configurationError("retention processedWebhooksMs must be at least 3 days: a provider may still redeliver a webhook purged sooner", {
      option: "processedWebhooksMs",
    });
  }
  return policy;
}
