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
export function startRetention(options: RetentionScheduleOptions): RetentionSchedule {
  const retention = resolveRetention(options.retention);
  const intervalMs = options.intervalMs ?? 3_600_000;
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
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref?.();
  };
  schedule(options.initialDelayMs ?? 60_000);

  return {
    runOnce: pass,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await tail;
    },
  };
}
