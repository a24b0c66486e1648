import type { TestContext } from "vitest";
import type { PaymentStore } from "../../ports/payment-store.js";
import type { StoreHarness } from "../harness.js";

/** The body of one case; `context.skip(reason)` skips it at run time, e.g. when the harness lacks what it needs. */
export type CaseBody = (context: TestContext) => Promise<void>;

/** Registers the case `key` (one of its concern's table) with `body`; skips it when the adapter asked, with the reason. */
export type DefineCase<K extends string> = (key: K, body: CaseBody) => void;

/**
 * What a case sees of the store under test. The getters are read inside a test body, after the suite's setup ran:
 * cases are registered when the suite is collected, before any harness exists.
 */
export interface StoreUnderTest {
  readonly harness: StoreHarness;
  readonly store: PaymentStore;
  /**
   * The store racer `index` calls: alternately the harness's store and its second store over its own connections
   * (`openSecondStore`), so that every race also crosses connections; the one store when there is no second.
   */
  racer(index: number): PaymentStore;
  /** The second store when the harness opens one, else the one store. */
  readonly secondStore: PaymentStore;
}

/** How many callers every concurrency promise of the port is raced with. */
export const RACERS = 10;
