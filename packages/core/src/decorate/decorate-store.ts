import type { PaymentStore, PaymentStoreTx } from "../ports/payment-store.js";
import { forwardTo } from "./forward-to.js";

/** What `decorateStore` replaces; every member left out is forwarded to the inner store unchanged. */
export interface StoreDecoration {
  /** Members of the store replaced, given the inner store (`transaction` is decorated through `tx` instead). */
  store?: (inner: PaymentStore) => Partial<Omit<PaymentStore, "transaction">>;
  /** Members of each transaction replaced, given that transaction's inner `tx`. */
  tx?: (inner: PaymentStoreTx) => Partial<PaymentStoreTx>;
}

/**
 * Wraps a store, replacing only what `decoration` names: instrumentation (timing each call), a guard, or in tests a
 * store with one rule broken on purpose. The inner store's transaction still runs the work, so atomicity is its.
 *
 * ```ts
 * const timed = decorateStore(store, {
 *   tx: (inner) => ({ updatePayment: (next, version) => time("updatePayment", () => inner.updatePayment(next, version)) }),
 * });
 * ```
 */
/**
 * The optional members the core prefers to a required one when a store has them. A decoration that replaces the
 * required one alone hides the optional one, so that the core falls back to what was decorated instead of going
 * round it (a timed `updatePayment` must time every payment update).
 */
const PREFERRED_VARIANTS = [
  ["updatePayment", "updatePaymentOrConflict"],
  ["allocateReceiptNumber", "allocateReceiptNumberAtCommit"],
  ["updateIdempotencyRecord", "updateIdempotencyRecordOrFail"],
] as const satisfies readonly (readonly [keyof PaymentStoreTx, keyof PaymentStoreTx])[];

function withVariantsHidden(overrides: Partial<PaymentStoreTx>): Partial<PaymentStoreTx> {
  const result: Partial<PaymentStoreTx> = { ...overrides };
  for (const [required, variant] of PREFERRED_VARIANTS) {
    if (required in overrides && !(variant in overrides)) (result as Record<string, unknown>)[variant] = undefined;
  }
  return result;
}

export function decorateStore(inner: PaymentStore, decoration: StoreDecoration): PaymentStore {
  const decorateTx = decoration.tx;
  const transaction: PaymentStore["transaction"] = decorateTx
    ? (work) => inner.transaction((tx) => work(forwardTo(tx, withVariantsHidden(decorateTx(tx)))))
    : (work) => inner.transaction(work);
  return forwardTo(inner, { ...decoration.store?.(inner), transaction });
}
