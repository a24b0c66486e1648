import type { Payment, PaymentService, PaymentStore } from "@org/payments-core";

let counter = 0;
/** A host's own idempotency context: unique keys, as a host's requests would carry. */
export const hostKey = (label: string) => ({ scope: "host", idempotencyKey: `${label}-${++counter}-${Date.now()}` });

export async function createPayment(service: PaymentService, amount: number, extra: Record<string, unknown> = {}): Promise<Payment> {
  return (await service.createPayment({ owner: "user_1", amount, currency: "USD", ...extra }, hostKey("create"))).payment;
}

export async function paidPayment(service: PaymentService, amount: number, extra: Record<string, unknown> = {}): Promise<Payment> {
  const payment = await createPayment(service, amount, extra);
  return (await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, hostKey("confirm"))).payment;
}

/**
 * Plants local drift the way a bug, a lost webhook or a crash between phases would leave it: a raw compare-and-set
 * through the store port, with no history row and no event.
 */
export async function plant(store: PaymentStore, id: string, changes: Partial<Payment>): Promise<Payment> {
  return store.transaction(async (tx) => {
    const current = await tx.getPayment(id);
    if (!current) throw new Error(`no payment ${id}`);
    const next = { ...current, ...changes, version: current.version + 1 };
    if (!(await tx.updatePayment(next, current.version))) throw new Error(`lost a race planting ${id}`);
    return next;
  });
}
