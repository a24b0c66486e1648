import type { Payment } from "../domain/payment.js";
import type { GatewayWebhookEvent } from "../ports/payment-gateway.js";
import type { InboxEvent } from "../ports/payment-store.js";
import { type WebhookDeps, type WebhookResult, type WebhookStatus, applyInboxEvent, toInboxEvent } from "./webhook-handler.js";

export interface HeldWebhooksReport {
  examined: number;
  /** Counts by what applying each event did. */
  results: Record<WebhookStatus, number>;
  /** Failed events left for an operator (`payments-cli webhooks replay`) after too many attempts. */
  gaveUp: number;
}

/**
 * Stores a verified provider event, then applies it. The insert commits in a transaction of its own before any
 * application starts: once this returns (whatever the application did) the event survives a crash, so the caller may
 * acknowledge it. A redelivery finds the row and is applied only if the first delivery's application did not finish.
 */
export async function receiveWebhook(deps: WebhookDeps, event: GatewayWebhookEvent): Promise<WebhookResult> {
  const row = toInboxEvent(event, deps.now().toISOString());
  await deps.store.transaction((tx) => tx.insertInboxEvent(row));
  return applyInboxEvent(deps, event.provider, event.eventId, event);
}

/** Applies the held (and orphaned) events that name `payment`, now that it exists or has its provider id. */
export async function applyHeldFor(deps: WebhookDeps, payment: Payment): Promise<WebhookResult[]> {
  const held = await deps.store.listInboxEvents({
    status: ["held", "orphaned"],
    forPayment: { paymentId: payment.id, providerPaymentId: payment.providerPaymentId },
    limit: 100,
  });
  const results: WebhookResult[] = [];
  for (const row of held) results.push(await applyInboxEvent(deps, row.provider, row.eventId));
  return results;
}

/**
 * The sweep a host runs on a timer (and `payments-cli webhooks` before listing): retries held events (their payment
 * may exist now; past `orphanAfterMs` they become orphaned), failed ones up to `maxAttempts`, and received ones whose
 * applier evidently died (older than `staleAfterMs`). Safe beside live deliveries and other sweeps: every application
 * is a compare-and-set on the inbox row.
 */
export async function sweepInbox(
  deps: WebhookDeps,
  options: { limit: number; maxAttempts: number; staleAfterMs: number },
): Promise<HeldWebhooksReport> {
  const staleBefore = new Date(deps.now().getTime() - options.staleAfterMs).toISOString();
  const rows: InboxEvent[] = [
    ...(await deps.store.listInboxEvents({ status: ["held", "failed"], limit: options.limit })),
    ...(await deps.store.listInboxEvents({ status: "received", receivedBefore: staleBefore, limit: options.limit })),
  ];
  const report: HeldWebhooksReport = {
    examined: 0,
    results: { applied: 0, ignored: 0, duplicate: 0, held: 0, orphaned: 0, failed: 0 },
    gaveUp: 0,
  };
  for (const row of rows) {
    if (row.status === "failed" && row.attempts >= options.maxAttempts) {
      report.gaveUp++;
      continue;
    }
    report.examined++;
    const outcome = await applyInboxEvent(deps, row.provider, row.eventId);
    report.results[outcome.status]++;
  }
  return report;
}
