import { type Clock, systemClock } from "../ports/clock.js";
import type { EventPublisher } from "../ports/event-publisher.js";
import type { OutboxEntry, PaymentStore } from "../ports/payment-store.js";
import { type DispatchReport, dispatchOutbox } from "./dispatch-outbox.js";

export interface IdleBackoff {
  /** Each empty poll multiplies the wait by this (default 2), so an idle dispatcher stops hammering the store. */
  factor?: number | undefined;
  /** The longest wait between polls while idle (default 5 s): the worst-case latency of the first new event. */
  maxMs?: number | undefined;
}

export interface OutboxDispatcherOptions {
  store: PaymentStore;
  publisher: EventPublisher;
  clock?: Clock | undefined;
  /** Identifies this dispatcher's leases (default: unique per dispatcher). */
  claimant?: string | undefined;
  /** Wait after a poll that found nothing to do (default 500 ms). */
  pollIntervalMs?: number | undefined;
  idleBackoff?: IdleBackoff | undefined;
  /** Passed to `dispatchOutbox`: failed attempts before an event is dead (default 10). */
  maxAttempts?: number | undefined;
  /** Passed to `dispatchOutbox`: delay before attempt n+1. */
  backoffMs?: ((attempts: number) => number) | undefined;
  /** Events claimed per round (default 100). */
  batchSize?: number | undefined;
  /**
   * How long a claim is held (default 60 s). Keep it above the publisher's own timeout: a publish still running
   * when its lease ends may be repeated by another dispatcher at the same time.
   */
  leaseMs?: number | undefined;
  /**
   * Told about every failure the worker survives: a failed publish (with its entry; the event is retried or, when
   * `dead`, dead-lettered) and a failed round (the store unreachable; the worker waits and tries again).
   */
  onError?: ((error: unknown, context: { entry?: OutboxEntry | undefined; dead?: boolean | undefined }) => void) | undefined;
  /** Aborting it stops the dispatcher as `stop()` does. */
  signal?: AbortSignal | undefined;
}

export interface OutboxDispatcher {
  /** Stops polling, lets the batch in flight finish (publish and mark), then resolves. */
  stop(): Promise<void>;
  /** One full pass now (what `payments-cli events dispatch --once` runs); serialized with the loop's rounds. */
  runOnce(): Promise<DispatchReport>;
  /** Resolves when the loop has ended after `stop()` or the signal. */
  done: Promise<void>;
}

/**
 * Starts a worker that delivers the outbox continuously: rounds of `dispatchOutbox` (ordered, at-least-once,
 * retry with backoff, dead-letter), back to back while there is work and on a growing poll interval while idle.
 * Several dispatchers (processes) may run against one store; the store's leases keep them from publishing the
 * same event at the same time.
 */
export function startOutboxDispatcher(options: OutboxDispatcherOptions): OutboxDispatcher {
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const factor = options.idleBackoff?.factor ?? 2;
  const maxIdleMs = Math.max(options.idleBackoff?.maxMs ?? 5_000, pollIntervalMs);
  const claimant = options.claimant ?? `dispatcher-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const onError = options.onError ?? (() => undefined);

  // Rounds of the loop and runOnce() calls run one at a time, so stop() has exactly one batch to wait for.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
  const dispatch = (maxRounds: number | undefined) =>
    exclusive(() =>
      dispatchOutbox({
        store: options.store,
        publisher: options.publisher,
        clock: options.clock ?? systemClock,
        claimant,
        batchSize: options.batchSize,
        maxRounds,
        maxAttempts: options.maxAttempts,
        backoffMs: options.backoffMs,
        leaseMs: options.leaseMs,
        onFailure: (entry, error, dead) => onError(error, { entry, dead }),
      }),
    );

  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let idleMs = pollIntervalMs;
    while (!stopping) {
      let busy = false;
      try {
        // One round per iteration, so stop() never waits for more than the batch in flight.
        const report = await dispatch(1);
        busy = report.delivered + report.failed + report.dead > 0;
      } catch (error) {
        onError(error, {});
      }
      if (busy) {
        idleMs = pollIntervalMs;
        continue;
      }
      // stop() may have come during the round, before there was a sleep to cut short.
      if (stopping) break;
      await sleep(idleMs);
      idleMs = Math.min(Math.ceil(idleMs * factor), maxIdleMs);
    }
  };

  const done = loop();
  const stop = async () => {
    stopping = true;
    wake?.();
    await done;
  };
  if (options.signal) {
    if (options.signal.aborted) void stop();
    else options.signal.addEventListener("abort", () => void stop(), { once: true });
  }
  return { stop, runOnce: () => dispatch(undefined), done };
}
