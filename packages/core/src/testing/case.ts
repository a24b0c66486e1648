import type { TestContext } from "vitest";

/** The body of one kit case; `context.skip(reason)` skips it at run time, with the reason printed. */
export type CaseBody = (context: TestContext) => Promise<void>;

/** How many callers every concurrency promise (of a store's port, or a provider's idempotency key) is raced with. */
export const RACERS = 10;
