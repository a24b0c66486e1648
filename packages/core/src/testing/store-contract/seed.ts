import type { Payment } from "../../domain/payment.js";
import type { PaymentFilter, PaymentStore } from "../../ports/payment-store.js";
import { sampleEvent, sampleHistory } from "../fixtures.js";

/** Stores `payment` the way the service creates one: with its first history row and outbox event, in one transaction. */
export async function insertPayment(store: PaymentStore, payment: Payment): Promise<Payment> {
  await store.transaction(async (tx) => {
    await tx.insertPayment(payment);
    await tx.appendHistory([sampleHistory(payment)]);
    await tx.appendOutbox([sampleEvent(payment)]);
  });
  return payment;
}

/** Stores the payments alone (no history, no outbox), in one transaction. */
export async function insertPayments(store: PaymentStore, payments: readonly Payment[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const payment of payments) await tx.insertPayment(payment);
  });
}

/** The ids a filter lists, sorted, read through every page (so a filter a later page forgets is seen too). */
export async function listedIds(store: PaymentStore, filter: PaymentFilter, limit = 500): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.listPayments(filter, { limit, cursor });
    ids.push(...result.items.map((p) => p.id));
    if (result.nextCursor === null) return ids.sort();
    cursor = result.nextCursor;
  }
  throw new Error("listPayments never ended: 1,000 pages");
}

/** `ids` of `payments`, sorted, for comparing with `listedIds`. */
export const idsOf = (...payments: readonly Payment[]): string[] => payments.map((p) => p.id).sort();

/** An instant `ms` milliseconds after `from`, in the stored shape. */
export const plusMs = (from: string, ms: number): string => new Date(Date.parse(from) + ms).toISOString();
