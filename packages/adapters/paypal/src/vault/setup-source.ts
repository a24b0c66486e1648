import { PaymentError } from "@org/payments-core";
import {
  ExperienceContextShippingPreference,
  PaypalPaymentTokenCustomerType,
  PaypalPaymentTokenUsageType,
  VaultCardVerificationMethod,
  type SetupTokenRequestPaymentSource,
} from "@paypal/paypal-server-sdk";

/**
 * What a setup saves, named by the request's payment method: `paypal` (also when none is named, this adapter's
 * redirect flow) saves the buyer's PayPal wallet, `card` a card that PayPal's card fields collect. PayPal takes no
 * other token for a setup (a card number is never ours to send).
 */
export type SetupSourceKind = "card" | "paypal";

export function setupSourceKind(paymentMethodId: string | null): SetupSourceKind {
  if (paymentMethodId === null || paymentMethodId === "paypal") return "paypal";
  if (paymentMethodId === "card") return "card";
  throw new PaymentError("validation_error", 'PayPal saves a "paypal" wallet or a "card" (collected by PayPal\'s card fields): pass one of those as paymentMethodId', {
    details: { field: "paymentMethodId" },
  });
}

/**
 * The setup token's payment_source, as PayPal's "save payment methods" guides build it:
 * - a wallet for merchant-initiated later charges: usage_type MERCHANT, customer_type CONSUMER, and the pages
 *   PayPal sends the payer back to after the agreement (it needs them: there is no approval without a return);
 * - a card verified as the bank requires (SCA_WHEN_REQUIRED: 3-D Secure only where the bank or the region asks),
 *   with the same return pages for that step.
 */
export function setupPaymentSource(kind: SetupSourceKind, returnUrl: string | null): SetupTokenRequestPaymentSource {
  const pages = returnUrl ? { returnUrl, cancelUrl: returnUrl } : {};
  if (kind === "card") {
    return { card: { verificationMethod: VaultCardVerificationMethod.ScaWhenRequired, experienceContext: pages } };
  }
  if (!returnUrl) {
    throw new PaymentError("validation_error", "saving a PayPal wallet sends the payer to PayPal to agree: pass returnUrl", { details: { field: "returnUrl" } });
  }
  return {
    paypal: {
      usageType: PaypalPaymentTokenUsageType.Merchant,
      customerType: PaypalPaymentTokenCustomerType.Consumer,
      permitMultiplePaymentTokens: false,
      experienceContext: { ...pages, shippingPreference: ExperienceContextShippingPreference.NoShipping },
    },
  };
}
