import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import type { PaymentStore } from "../src/ports/payment-store.js";
import type { StoreHarness } from "../src/testing/index.js";
import type { MutatedStore, StoreMutant } from "./mutant.js";

/**
 * The memory store's harness as test/memory-store.contract.test.ts builds it, with one difference: the kit's
 * independent view (`readBack`) reads the inner, unmutated store — the mutant's "lower layer" — so a mutant that
 * loses a write cannot hide it by reading through itself.
 */
export function memoryStoreHarness(mutant?: StoreMutant): StoreHarness {
  const inner = new MemoryPaymentStore();
  const mutated: MutatedStore | PaymentStore | undefined = mutant?.mutate(inner);
  const store = mutated === undefined ? inner : "store" in mutated ? mutated.store : mutated;
  const resetMutant = mutated !== undefined && "store" in mutated ? () => mutated.reset() : () => {};
  return {
    store,
    reset: async () => {
      resetMutant();
      await inner.reset();
    },
    readBack: {
      payment: async (id) => inner.getPayment(id),
      historyCount: async (paymentId) => (await inner.listHistory(paymentId)).length,
      outboxCount: async (paymentId) => (await inner.listOutbox({ paymentId, limit: 10_000 })).length,
      idempotencyRecord: async (scope, key) => {
        const record = await inner.transaction((tx) => tx.getIdempotencyRecord(scope, key));
        return record && { lockId: record.lockId, recoveryPoint: record.recoveryPoint };
      },
      inboxEvent: async (provider, eventId) => {
        const event = await inner.transaction((tx) => tx.getInboxEvent(provider, eventId));
        return event && { status: event.status, attempts: event.attempts };
      },
    },
    dispose: () => inner.close(),
  };
}
