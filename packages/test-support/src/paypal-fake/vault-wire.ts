import type { FakePaymentToken, FakeSetupToken, FakeVaultCard } from "./fake-vault.js";
import { PAYER_EMAIL, PAYER_ID } from "./ids.js";

/**
 * Vault v3 objects as PayPal puts them on the wire (setup_token_response, payment_token_response of
 * paypal-vault_payment_tokens_v3): snake_case, the card as brand, last digits and expiry only, HATEOAS links.
 */
const API = "https://api-m.sandbox.paypal.com";
const WEB = "https://www.sandbox.paypal.com";

function cardJson(card: FakeVaultCard): Record<string, unknown> {
  return { brand: card.brand, last_digits: card.lastDigits, expiry: card.expiry };
}

/** A wallet before the payer agreed names only how it will be used; after, the payer it belongs to. */
function walletJson(approved: boolean): Record<string, unknown> {
  const base = { usage_type: "MERCHANT", customer_type: "CONSUMER", permit_multiple_payment_tokens: false };
  return approved ? { ...base, email_address: PAYER_EMAIL, payer_id: PAYER_ID } : base;
}

export function setupTokenJson(token: FakeSetupToken): Record<string, unknown> {
  const links: Array<Record<string, string>> = [{ href: `${API}/v3/vault/setup-tokens/${token.id}`, rel: "self", method: "GET" }];
  if (token.status === "PAYER_ACTION_REQUIRED") {
    // Where the payer goes: PayPal's agreement page for a wallet, its 3-D Secure page (helios) for a card.
    const href =
      token.source === "paypal"
        ? `${WEB}/agreements/approve?approval_session_id=${token.id}`
        : `${WEB}/webapps/helios?action=authenticate&token=${token.id}`;
    links.push({ href, rel: "approve", method: "GET" });
  }
  if (token.status === "APPROVED") links.push({ href: `${API}/v3/vault/payment-tokens`, rel: "confirm", method: "POST" });
  const approved = token.status === "APPROVED" || token.status === "VAULTED";
  return {
    id: token.id,
    customer: { id: token.customerId },
    status: token.status,
    payment_source: token.source === "card" && token.card ? { card: cardJson(token.card) } : { paypal: walletJson(approved) },
    links,
  };
}

export function paymentTokenJson(token: FakePaymentToken): Record<string, unknown> {
  return {
    id: token.id,
    customer: { id: token.customerId },
    payment_source: token.source === "card" && token.card ? { card: cardJson(token.card) } : { paypal: walletJson(true) },
    links: [
      { href: `${API}/v3/vault/payment-tokens/${token.id}`, rel: "self", method: "GET" },
      { href: `${API}/v3/vault/payment-tokens/${token.id}`, rel: "delete", method: "DELETE" },
    ],
  };
}
