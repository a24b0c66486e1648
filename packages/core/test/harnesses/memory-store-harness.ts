import { MemoryPaymentStore, memoryStoreRows } from "../../src/memory/memory-store.js";
import type { PaymentStore } from "../../src/ports/payment-store.js";
import type { StoreHarness } from "../../src/testing/index.js";
import type { MutatedStore, StoreMutation } from "./harness-mutation.js";

/**
 * The memory store's harness, for its kit run (test/memory-store.contract.test.ts) and the mutation check: the kit drives `store` (the mutant,
 * when there is one) while its independent view (`readBack`) reads the rows the inner, unmutated store holds, so a
 * mutant that loses a write cannot hide it by reading through itself. The store's own maps are read through an
 * internal accessor rather than the port methods the contract tests: a read that lost or invented a field cannot
 * then agree with itself. `corruptStoredAmount` writes the amount into the stored row itself, as a SQL harness's
 * UPDATE would. No second store (one process, one map) and no schema to migrate: those cases skip.
 */
export function memoryStoreHarness(mutant?: StoreMutation): StoreHarness {
  const inner = new MemoryPaymentStore();
  const mutated: MutatedStore | PaymentStore | undefined = mutant?.mutate(inner);
  const store = mutated === undefined ? inner : "store" in mutated ? mutated.store : mutated;
  const resetMutant = mutated !== undefined && "store" in mutated ? () => mutated.reset() : () => {};
  const rows = () => inner[memoryStoreRows]();
  return {
    store,
    reset: async () => {
      resetMutant();
      await inner.reset();
    },
    readBack: {
      payment: async (id) => {
        const payment = rows().payments.get(id);
        return payment
          ? {
              status: payment.status,
              amount: payment.amount,
              amountCaptured: payment.amountCaptured,
              amountRefunded: payment.amountRefunded,
              amountRefundReserved: payment.amountRefundReserved,
              version: payment.version,
            }
          : null;
      },
      historyCount: async (paymentId) => rows().history.get(paymentId)?.length ?? 0,
      outboxCount: async (paymentId) => rows().outbox.filter((entry) => entry.event.paymentId === paymentId).length,
      idempotencyRecord: async (scope, key) => {
        for (const record of rows().idempotencyRecords) {
          if (record.scope === scope && record.key === key) return { lockId: record.lockId, recoveryPoint: record.recoveryPoint };
        }
        return null;
      },
      inboxEvent: async (provider, eventId) => {
        for (const event of rows().inboxEvents) {
          if (event.provider === provider && event.eventId === eventId) return { status: event.status, attempts: event.attempts };
        }
        return null;
      },
    },
    corruptStoredAmount: async (paymentId, amount) => {
      const payment = rows().payments.get(paymentId);
      if (!payment) throw new Error(`memory store harness: no stored payment ${paymentId} to corrupt`);
      // A JavaScript number holds 2^53 + 1 as 2^53: still past the safe range, which every read must refuse.
      payment.amount = Number(amount);
    },
    dispose: () => inner.close(),
  };
}
