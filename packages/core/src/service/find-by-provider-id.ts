import type { Payment } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";
import type { PaymentStore } from "../ports/payment-store.js";
import { isMatchableText } from "../validation/storable-text.js";

/**
 * The payment a provider's id names: its payment id (`pi_…` from Stripe's dashboard, a PayPal order id a customer
 * quotes) or, failing that, the id of one of its refunds (a Stripe `re_…`), so support can start from whichever id
 * it was handed. The oldest, when several attempts named the object, as the store port promises. `not_found` when
 * none does, and for text no payment could hold; `validation_error` for an empty provider or id (a caller's bug).
 */
export async function findPaymentByProviderId(store: PaymentStore, provider: string, providerId: string): Promise<Payment> {
  for (const [field, value] of [["provider", provider], ["providerPaymentId", providerId]] as const) {
    if (typeof value !== "string" || value.length === 0) {
      throw new PaymentError("validation_error", `${field} must be non-empty text`, { details: { field } });
    }
  }
  const notFound = () => new PaymentError("not_found", `no ${provider} payment ${providerId}`, { details: { provider, providerPaymentId: providerId } });
  if (!isMatchableText(provider) || !isMatchableText(providerId)) throw notFound();
  // The store's payment lookup lives on its transaction (webhooks use it to apply an event); a read needs nothing more.
  const payment = await store.transaction((tx) => tx.findPaymentByProviderId(provider, providerId));
  if (payment !== null) return payment;
  const refund = await store.findRefundByProviderId(provider, providerId);
  const refunded = refund === null ? null : await store.getPayment(refund.paymentId);
  if (refunded === null) throw notFound();
  return refunded;
}
