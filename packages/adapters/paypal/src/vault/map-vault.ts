import type { GatewaySavedMethod, GatewaySetup } from "@org/payments-core";
import type { LinkDescription, PaymentTokenResponse, SetupTokenResponse } from "@paypal/paypal-server-sdk";

/** The parts of a vaulted card PayPal reports (card_response in Vault v3, card_response in Orders v2). */
interface VaultedCard {
  brand?: string | undefined;
  lastDigits?: string | undefined;
  expiry?: string | undefined;
}

/** `YYYY-MM` (date_year_month) as month and year; null when PayPal gave none or something else. */
function expiryOf(expiry: string | undefined): { expMonth: number | null; expYear: number | null } {
  const m = expiry ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(expiry) : null;
  return m ? { expYear: Number(m[1]), expMonth: Number(m[2]) } : { expMonth: null, expYear: null };
}

/**
 * A saved source in the core's words. A card keeps what a person recognises it by: the brand (PayPal's card_brand
 * enum, lower-cased as the other adapters report brands: VISA → visa), `last_digits` (2-4 digits by the schema:
 * kept only when they are four) and the expiry. A PayPal wallet has none of these.
 */
export function savedMethodOf(tokenId: string, source: { card?: VaultedCard | undefined; paypal?: unknown } | undefined): GatewaySavedMethod {
  const card = source?.card;
  if (card) {
    return {
      providerPaymentMethodId: tokenId,
      type: "card",
      brand: card.brand ? card.brand.toLowerCase() : null,
      last4: card.lastDigits && /^\d{4}$/.test(card.lastDigits) ? card.lastDigits : null,
      ...expiryOf(card.expiry),
    };
  }
  return { providerPaymentMethodId: tokenId, type: "paypal", brand: null, last4: null, expMonth: null, expYear: null };
}

export function savedMethodOfToken(token: PaymentTokenResponse): GatewaySavedMethod {
  return savedMethodOf(token.id ?? "", token.paymentSource);
}

/** Which source a saved token is (an order must name it under the same key: MISMATCHED_VAULT_ID_TO_PAYMENT_SOURCE). */
export function tokenSourceKind(token: PaymentTokenResponse): "card" | "paypal" | null {
  if (token.paymentSource?.card) return "card";
  if (token.paymentSource?.paypal) return "paypal";
  return null;
}

function approveLink(links: LinkDescription[] | undefined): string | undefined {
  return links?.find((l) => l.rel === "approve")?.href ?? links?.find((l) => l.rel === "payer-action")?.href;
}

/**
 * A setup token that is not approved yet, in the core's words. PAYER_ACTION_REQUIRED: the payer must go to PayPal
 * (the wallet's agreement page, the card's 3-D Secure page): its `approve` link. CREATED: PayPal waits for the card
 * that PayPal's card fields on the host's page attach to this setup token: no page to send the customer to, so
 * the next action is the SDK's, and it needs the setup token id (PayPal's JS SDK `createVaultSetupToken` returns
 * it); the id is not a secret, only a handle.
 */
export function pendingSetup(token: SetupTokenResponse, providerCustomerId: string): GatewaySetup {
  const id = token.id ?? "";
  const url = approveLink(token.links);
  return {
    providerSetupId: id,
    providerCustomerId,
    status: "requires_action",
    nextAction: url ? { type: "redirect", url } : { type: "use_sdk", clientSecret: id },
    failure: null,
    method: null,
  };
}
