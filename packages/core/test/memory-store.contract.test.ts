import { describeStoreContract } from "../src/testing/index.js";
import { MemoryPaymentStore, memoryStoreRows } from "../src/memory/memory-store.js";

describeStoreContract("memory", async () => {
  const store = new MemoryPaymentStore();
  // The store's own maps, read through an internal accessor rather than the port methods the contract tests: a
  // read that lost or invented a field cannot then agree with itself. No second store (one process, one map), no
  // raw amount to corrupt (a JavaScript number cannot hold 2^53 + 1), no schema to migrate: those cases skip.
  const rows = () => store[memoryStoreRows]();
  return {
    store,
    reset: () => store.reset(),
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
    dispose: () => store.close(),
  };
});
