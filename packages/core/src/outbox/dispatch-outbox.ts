import { type Clock, systemClock } from "../ports/clock.js";
import { toStorableMessage } from "../validation/acceptable-text.js";
import type { EventPublisher } from "../ports/event-publisher.js";
import type { OutboxEntry, PaymentStore } from "../ports/payment-store.js";

export interface DispatchOptions {
  store: PaymentStore;
  publisher: EventPublisher;
  clock?: Clock | undefined;
  /** Identifies this dispatcher's leases; unique per process. */
  claimant?: string | undefined;
  /** Events claimed per round (default 100). */
  batchSize?: number | undefined;
  /** Rounds before returning, so one call cannot run forever under constant load (default 50). */
  maxRounds?: number | undefined;
  /** After this many failed attempts an event is dead and holds back its payment's later events (default 10). */
  maxAttempts?: number | undefined;
  /** Delay before attempt n+1 (default exponential from 1 s, capped at 5 min). */
  backoffMs?: ((attempts: number) => number) | undefined;
  /** How long a claim is held before another dispatcher may take it over (default 60 s). */
  leaseMs?: number | undefined;
  /** Told of each failed publish after it was recorded (for logs and metrics; the event is retried or dead). */
  onFailure?: ((entry: OutboxEntry, error: unknown, dead: boolean) => void) | undefined;
}

export interface DispatchReport {
  delivered: number;
  failed: number;
  dead: number;
}

export function defaultBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(attempts - 1, 0), 300_000);
}

/**
 * Delivers pending outbox events at least once and in order per payment: the store offers only each payment's
 * oldest undelivered event, and an event is marked delivered only after the publisher resolved. A failure is
 * retried with backoff and, past `maxAttempts`, dead-lettered — holding back that payment's later events until an
 * operator acts, because delivering them out of order would be worse.
 */
export async function dispatchOutbox(options: DispatchOptions): Promise<DispatchReport> {
  const clock = options.clock ?? systemClock;
  const claimant = options.claimant ?? `dispatcher-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoff = options.backoffMs ?? defaultBackoffMs;
  const report: DispatchReport = { delivered: 0, failed: 0, dead: 0 };
  for (let round = 0; round < (options.maxRounds ?? 50); round++) {
    const now = clock.now();
    const claimed = await options.store.claimOutbox({
      claimant,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + (options.leaseMs ?? 60_000)).toISOString(),
      limit: options.batchSize ?? 100,
    });
    if (claimed.length === 0) break;
    // Each claimed event heads a different payment, so they may be published side by side.
    await Promise.all(
      claimed.map(async (entry) => {
        try {
          await options.publisher.publish(entry.event);
          if (await options.store.markOutboxDelivered(entry.sequence, claimant, clock.now().toISOString())) report.delivered++;
        } catch (error) {
          const attempts = entry.attempts + 1;
          const dead = attempts >= maxAttempts;
          await options.store.markOutboxFailed(entry.sequence, claimant, {
            // A broker's message is outside text: made storable, so recording the failure can never fail too.
            error: toStorableMessage(error instanceof Error ? error.message : String(error)),
            nextAttemptAt: new Date(clock.now().getTime() + backoff(attempts)).toISOString(),
            dead,
          });
          if (dead) report.dead++;
          else report.failed++;
          options.onFailure?.(entry, error, dead);
        }
      }),
    );
  }
  return report;
}
