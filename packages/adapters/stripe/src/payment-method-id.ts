import { PaymentError } from "@org/payments-core";

/**
 * The ids Stripe accepts as a PaymentIntent's `payment_method`: PaymentMethods (`pm_…`, test ids such as
 * `pm_card_visa` included) and, for older integrations, Cards (`card_…`), Sources (`src_…`) and bank accounts
 * (`ba_…`). Checked before the core moves the payment, so an id Stripe could never accept changes nothing; an id of
 * the right shape that Stripe does not know is still refused by Stripe (an invalid request, the payment stays
 * confirmable).
 */
const STRIPE_PAYMENT_METHOD_ID = /^(?:pm|card|src|ba)_[A-Za-z0-9_]{1,195}$/;

export function checkStripePaymentMethod(paymentMethodId: string): PaymentError | null {
  if (STRIPE_PAYMENT_METHOD_ID.test(paymentMethodId)) return null;
  return new PaymentError("validation_error", "paymentMethodId must be a Stripe payment method id (pm_…)", {
    details: { field: "paymentMethodId", issues: [{ path: "paymentMethodId", message: "is not a Stripe payment method id" }] },
  });
}
