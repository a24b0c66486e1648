import { randomFillSync } from "node:crypto";
import { monotonicFactory } from "ulid";

/** Prefixed, time-ordered ids (`pay_01J…`). Injected so tests can make them predictable. */
export interface IdGenerator {
  newId(prefix: string): string;
}

/**
 * Random numbers in [0, 1) drawn from a pool of CSPRNG bytes refilled 4 KiB at a time. ulid asks for one byte per
 * character; fetching them one system call each was a measurable share of a charge's CPU time.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

export function ulidIdGenerator(): IdGenerator {
  // Monotonic: ids made in the same millisecond still sort in creation order, which list cursors rely on.
  const next = monotonicFactory(pooledRandom());
  return { newId: (prefix) => `${prefix}_${next()}` };
}
