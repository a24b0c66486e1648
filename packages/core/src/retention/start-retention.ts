import { configurationError } from "../errors/index.js";
import { type Clock, systemClock } from "../ports/clock.js";
import type { PaymentStore } from "../ports/payment-store.js";
import { type HousekeepingReport, purgeHousekeeping } from "./purge-housekeeping.js";
import { type RetentionPolicy, resolveRetention } from "./retention-policy.js";

export interface RetentionScheduleOptions {
  store: PaymentStore;
  retention?: Partial<RetentionPolicy> | undefined;
  /** Between passes (default 1 h). */
  intervalMs?: number | undefined;
  /** Before the first pass (default 1 min: not in the middle of a start-up). */
  initialDelayMs?: number | undefined;
  clock?: Clock | undefined;
  /**
   * After each pass, e.g. the SQL stores' `optimize()` (planner statistics, which list filters need as data grows;
   * the SQLite store also returns freed pages to the file system as it purges).
   */
  afterPurge?: (() => Promise<void>) | undefined;
  onReport?: ((report: HousekeepingReport) => void) | undefined;
  /** A failed pass is reported here and tried again at the next interval. */
  onError?: ((error: unknown) => void) | undefined;
}

export interface RetentionSchedule {
  /** One pass now, serialized with the scheduled ones. */
  runOnce(): Promise<HousekeepingReport>;
  /** No further passes; resolves once a pass in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `purgeHousekeeping` on a timer in the host's process: passes never overlap, the timer never keeps the
 * process alive, and the policy is checked at once (a bad one throws `configuration_error` here, not an hour later).
 * Several instances may run it against one store: each deleted row met the policy, whoever deleted it.
 */
/** setTimeout's largest delay; past it (or for NaN) Node fires after 1 ms, which would purge without pause. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function checkDelay(value: number, option: string, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum || value > MAX_TIMER_MS) {
    throw configurationError(`${option} must be an integer of milliseconds from ${minimum} to ${MAX_TIMER_MS}`, { option });
  }
  return value;
}

export function startRetention(options: RetentionScheduleOptions): RetentionSchedule {
  const retention = resolveRetention(options.retention);
  const intervalMs = checkDelay(options.intervalMs ?? 3_600_000, "intervalMs", 1_000);
  const initialDelayMs = checkDelay(options.initialDelayMs ?? 60_000, "initialDelayMs", 0);
  const clock = options.clock ?? systemClock;
  let tail: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pass = (): Promise<HousekeepingReport> => {
    const run = tail.then(async () => {
      const report = await purgeHousekeeping(options.store, { now: clock.now(), retention });
      await options.afterPurge?.();
      options.onReport?.(report);
      return report;
    });
    tail = run.catch(() => undefined);
    return run;
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      pass()
        .catch((error: unknown) => {
          try {
            options.onError?.(error);
          } catch {
            // A failing error handler must not stop the schedule or surface as an unhandled rejection.
          }
        })
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref?.();
  };
  schedule(initialDelayMs);

  return {
    runOnce: pass,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await tail;
    },
  };
}
