import type { PaymentStore } from "@org/payments-core";

/** Every payment with its history and refunds, and the whole outbox: two equal snapshots mean nothing changed. */
export async function storeSnapshot(store: PaymentStore): Promise<string> {
  const payments = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPayments({}, { limit: 500, cursor });
    payments.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const details = await Promise.all(
    payments.map(async (payment) => ({ payment, history: await store.listHistory(payment.id), refunds: await store.listRefunds(payment.id) })),
  );
  const outbox = await store.listOutbox({ limit: 100_000 });
  return JSON.stringify({ details, outbox });
}
