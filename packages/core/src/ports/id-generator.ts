import { monotonicFactory } from "ulid";

/** Prefixed, time-ordered ids (`pay_01J…`). Injected so tests can make them predictable. */
export interface IdGenerator {
  newId(prefix: string): string;
}

export function ulidIdGenerator(): IdGenerator {
  // Monotonic: ids made in the same millisecond still sort in creation order, which list cursors rely on.
  const next = monotonicFactory();
  return { newId: (prefix) => `${prefix}_${next()}` };
}
