import type { Payment } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type { PaymentStore } from "../ports/payment-store.js";
import { isMatchableText } from "../validation/storable-text.js";

/**
 * The payment that names this provider object (`pi_…` from Stripe's dashboard, a PayPal order id a customer quotes):
 * the oldest, when several attempts named it, as the store port promises. `not_found` when none does, and for text
 * no payment could hold; `validation_error` for an empty provider or id (a lookup of "" is a caller's bug).
 */
export async function findPaymentByProviderId(store: PaymentStore, provider: string, providerPaymentId: string): Promise<Payment> {
  for (const [field, value] of [["provider", provider], ["providerPaymentId", providerPaymentId]] as const) {
    if (typeof value !== "string" || value.length === 0) {
      throw new PaymentError("validation_error", `${field} must be non-empty text`, { details: { field } });
    }
  }
  // The store's lookup lives on its transaction (webhooks use it to apply an event); a read needs nothing more.
  const payment = isMatchableText(provider) && isMatchableText(providerPaymentId)
    ? await store.transaction((tx) => tx.findPaymentByProviderId(provider, providerPaymentId))
    : null;
  if (payment === null) {
    throw new PaymentError("not_found", `no ${provider} payment ${providerPaymentId}`, { details: { provider, providerPaymentId } });
  }
  return payment;
}
