import { type Payment, type PaymentError, type PaymentService, isPaymentError } from "@org/payments-core";

/**
 * The providers whose ids `payments show` tries when it is given an id that is not ours and no `--provider`: the
 * ones this SDK ships. A payment is stored under its provider's name whether or not this CLI has that provider's
 * credentials, so the list does not depend on what is configured. A host's own provider needs `--provider`.
 */
export const LOOKUP_PROVIDERS = ["stripe", "paypal", "simulated"] as const;

/**
 * The payment `id` names: ours (`pay_…`), or with `provider` that provider's id of it, or else the id of any
 * shipped provider (a Stripe `pi_…`, a PayPal order id), the first that names one. `not_found` when none does.
 */
export async function paymentByAnyId(service: PaymentService, id: string, provider?: string): Promise<Payment> {
  if (provider !== undefined) return service.findPaymentByProviderId(provider, id);
  let notOurs: PaymentError;
  try {
    return await service.getPayment(id);
  } catch (error) {
    if (!isPaymentError(error, "not_found")) throw error;
    notOurs = error;
  }
  for (const candidate of LOOKUP_PROVIDERS) {
    try {
      return await service.findPaymentByProviderId(candidate, id);
    } catch (error) {
      if (!isPaymentError(error, "not_found")) throw error;
    }
  }
  // Named by no one: the same answer as for an id of ours that does not exist.
  throw notOurs;
}
