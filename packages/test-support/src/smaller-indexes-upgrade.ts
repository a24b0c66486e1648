import type { Payment, PaymentFilter, PaymentStore } from "@org/payments-core";
import { makePayment } from "./store-fixtures.js";

/**
 * What migration 0011_smaller_indexes reshapes, for both engines' upgrade tests: payments that each reshaped index
 * answers for, and every answer those indexes serve, as the store gives it. An upgraded database must give the same
 * answers as one created at 0011.
 */

/** References, a customer, a dispute, an authorization, provider ids (one of them shared by two providers). */
export function upgradePayments(): Payment[] {
  return [
    makePayment({ references: { booking: "b_1", order: "o_1" }, provider: "stripe", providerPaymentId: "pi_1" }),
    makePayment({ references: { booking: "b_2" }, customerId: "cus_1", customerEmail: "a@example.com", disputed: true }),
    makePayment({ status: "authorized", captureMethod: "manual", authorizationExpiresAt: "2026-03-08T10:00:00.000Z", providerPaymentId: "pi_3" }),
    // The same provider id at another provider: each lookup must still find its own.
    makePayment({ provider: "paypal", providerPaymentId: "pi_1", references: { order: "o_1" } }),
  ];
}

const FILTERS: PaymentFilter[] = [
  { reference: { key: "booking", value: "b_1" } },
  { reference: { key: "order", value: "o_1" } },
  { customerId: "cus_1" },
  { customerEmail: "a@example.com" },
  { disputed: true },
  { disputed: false },
  { authorizationExpiresBefore: "2026-03-09T00:00:00.000Z" },
  { authorizationExpiresBefore: "2026-03-08T10:00:00.000Z" },
];

const PROVIDER_LOOKUPS = [
  ["stripe", "pi_1"],
  ["paypal", "pi_1"],
  ["simulated", "pi_3"],
  ["simulated", "pi_1"],
] as const;

/** Everything the reshaped indexes serve: history, the filters, lookups by provider id. */
export async function reshapedIndexAnswers(store: PaymentStore, payments: readonly Payment[]): Promise<unknown> {
  return {
    history: await Promise.all(payments.map((payment) => store.listHistory(payment.id))),
    lists: await Promise.all(FILTERS.map(async (filter) => (await store.listPayments(filter, { limit: 50 })).items.map((payment) => payment.id))),
    byProviderId: await store.transaction(async (tx) => {
      const found: Array<string | null> = [];
      for (const [provider, id] of PROVIDER_LOOKUPS) found.push((await tx.findPaymentByProviderId(provider, id))?.id ?? null);
      return found;
    }),
  };
}
