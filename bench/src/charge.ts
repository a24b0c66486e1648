import { createPaymentService, ulidIdGenerator } from "@org/payments-core";
import type { IdGenerator, PaymentService, PaymentStore } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";

/**
 * The charge path the benchmark measures: create a payment and confirm it (automatic capture) with the simulated
 * gateway, each under its own idempotency key, as a host's POST /payments and POST /payments/:id/confirm would.
 */
export async function charge(service: PaymentService, key: string): Promise<void> {
  const { payment } = await service.createPayment({ owner: "user_bench", amount: 1999, currency: "USD" }, { scope: "user_bench", idempotencyKey: `create-${key}` });
  const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_bench", idempotencyKey: `confirm-${key}` });
  if (confirmed.payment.status !== "succeeded") throw new Error(`charge ${key} ended ${confirmed.payment.status}`);
}

/** A service over `store` with an in-memory simulated gateway, so the figures are the store's and the core's. */
export function benchService(store: PaymentStore, ids: IdGenerator = ulidIdGenerator()): PaymentService {
  return createPaymentService({ store, gateways: [createSimulatedGateway()], ids });
}

/** An id generator that remembers what it made: the per-charge values a replay must make unique again. */
export function recordingIds(): IdGenerator & { made: string[] } {
  const inner = ulidIdGenerator();
  const made: string[] = [];
  return {
    made,
    newId: (prefix) => {
      const id = inner.newId(prefix);
      made.push(id);
      return id;
    },
  };
}
