import { readFile } from "node:fs/promises";
import type { StoreReadBack } from "@org/payments-core/testing";
import type { StoreFile } from "../src/index.js";

/**
 * The kit's independent view of what the store wrote: the JSON file parsed straight from disk, never through the
 * store's methods. A store that lost a field on write and invented it back on read would agree with itself through
 * the port; the file on disk shows what is really there (and that the commit really reached it).
 */
export function jsonFileReadBack(path: string): StoreReadBack {
  // Only the type of the file comes from the store: its code (and its mistakes) stay out of the view.
  const onDisk = async (): Promise<StoreFile> => JSON.parse(await readFile(path, "utf8")) as StoreFile;
  return {
    payment: async (id) => {
      const p = (await onDisk()).payments.find((candidate) => candidate.id === id);
      if (!p) return null;
      const { status, amount, amountCaptured, amountRefunded, amountRefundReserved, version } = p;
      return { status, amount, amountCaptured, amountRefunded, amountRefundReserved, version };
    },
    historyCount: async (paymentId) => (await onDisk()).history.filter((h) => h.paymentId === paymentId).length,
    outboxCount: async (paymentId) => (await onDisk()).outbox.filter((e) => e.event.paymentId === paymentId).length,
    idempotencyRecord: async (scope, key) => {
      const r = (await onDisk()).idempotency.find((candidate) => candidate.scope === scope && candidate.key === key);
      return r ? { lockId: r.lockId, recoveryPoint: r.recoveryPoint } : null;
    },
    inboxEvent: async (provider, eventId) => {
      const e = (await onDisk()).inbox.find((candidate) => candidate.provider === provider && candidate.eventId === eventId);
      return e ? { status: e.status, attempts: e.attempts } : null;
    },
  };
}
