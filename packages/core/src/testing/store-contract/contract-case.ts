import type { CaseBody } from "../case.js";
import type { PaymentStore } from "../../ports/payment-store.js";
import type { StoreHarness } from "../harness.js";

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
