import { PaymentError, type PaymentStore } from "@org/payments-core";
import type { Output } from "../output/output.js";

export interface LockWait {
  store: PaymentStore;
  scope: string;
  key: string;
  /** The service's `lockTimeoutMs`: after it, a lock is deemed abandoned and the executor takes it over. */
  lockTimeoutMs: number;
  out: Output;
  /** For the operator: "the refund of pay_…". */
  what: string;
}

const POLL_MS = 250;
/** Clocks of two processes (or hosts) are not one clock: wait a little past the other's expiry. */
const SLACK_MS = 5_000;

/**
 * Runs `attempt` and, while the same operation is held elsewhere (`idempotency_key_in_use`: another terminal, a
 * retry loop, or a process that died holding the lock), waits and tries again — for as long as that lock can
 * legitimately be held, i.e. until its `lockedAt + lockTimeoutMs`, when the executor takes an abandoned lock over and
 * resumes the operation. Then the answer is the other run's result, replayed, or this run's own. Progress is shown
 * on a terminal; the first wait is noted once in any case, so a script's log says why it took a minute.
 */
export async function waitWhileHeldElsewhere<T>(attempt: () => Promise<T>, wait: LockWait): Promise<T> {
  const started = Date.now();
  let noted = false;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof PaymentError && error.code === "idempotency_key_in_use")) throw error;
      const record = await wait.store.transaction((tx) => tx.getIdempotencyRecord(wait.scope, wait.key));
      const lockedAt = record?.lockedAt ? Date.parse(record.lockedAt) : Date.now();
      // Bounded twice over: by this lock's expiry, and by two timeouts in all should holders keep taking it over.
      const deadline = Math.min(lockedAt + wait.lockTimeoutMs, started + 2 * wait.lockTimeoutMs) + SLACK_MS;
      const now = Date.now();
      if (now > deadline) throw error;
      const left = Math.max(0, Math.ceil((lockedAt + wait.lockTimeoutMs - now) / 1000));
      if (!noted) {
        noted = true;
        wait.out.note(
          `${wait.what} is in progress elsewhere (locked ${Math.max(0, Math.round((now - lockedAt) / 1000))}s ago): ` +
            `waiting for it to finish, at most ${left}s, when an abandoned lock expires and this run takes over`,
        );
      }
      wait.out.progress(`waiting for ${wait.what} in progress elsewhere: at most ${left}s more…`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
