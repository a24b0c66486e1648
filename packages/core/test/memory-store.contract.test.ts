import { describeStoreContract } from "../src/testing/index.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";

describeStoreContract("memory", async () => {
  const store = new MemoryPaymentStore();
  return {
    store,
    reset: () => store.reset(),
    // The memory store has no lower layer to read; the port's own reads are the closest independent view.
    readBack: {
      payment: async (id) => store.getPayment(id),
      historyCount: async (paymentId) => (await store.listHistory(paymentId)).length,
      outboxCount: async (paymentId) => (await store.listOutbox({ paymentId, limit: 10_000 })).length,
      idempotencyRecord: async (scope, key) => {
        const record = await store.transaction((tx) => tx.getIdempotencyRecord(scope, key));
        return record && { lockId: record.lockId, recoveryPoint: record.recoveryPoint };
      },
      inboxEvent: async (provider, eventId) => {
        const event = await store.transaction((tx) => tx.getInboxEvent(provider, eventId));
        return event && { status: event.status, attempts: event.attempts };
      },
    },
    dispose: () => store.close(),
  };
});
