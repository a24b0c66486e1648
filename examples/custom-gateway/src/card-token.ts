import { PaymentError } from "@org/payments-core";

/** Acme takes card tokens from its browser SDK (`tok_…`), never card numbers. */
const CARD_TOKEN = /^tok_[A-Za-z0-9_]{1,64}$/;

/**
 * The local check the core runs before it moves a payment: anything that is not a token (a pasted card number) is
 * refused here and never sent. The value is not repeated in the message.
 */
export function checkAcmeCardToken(paymentMethodId: string): PaymentError | null {
  if (CARD_TOKEN.test(paymentMethodId)) return null;
  return new PaymentError("validation_error", "an Acme payment method is a card token (tok_…)", { details: { field: "paymentMethodId" } });
}
