import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * PayPal's ids are 17 upper-case alphanumerics (orders, captures, authorizations, refunds); the transaction search
 * documentation relies on that length, so the fake keeps it rather than using readable ids.
 */
export function paypalId(length = 17): string {
  const bytes = randomBytes(length);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

export function debugId(): string {
  return randomBytes(6).toString("hex");
}

/**
 * The fake's merchant and buyer accounts. PayPal account ids (payer_id, merchant_id, account_id) are 13 characters
 * of `[2-9A-HJ-NP-Z]` (no 0, 1, I or O) in the OpenAPI documents.
 */
export const MERCHANT_ID = "FAKEMERCHANT2";
export const PAYER_ID = "FAKEBUYERXYZ2";
export const MERCHANT_EMAIL = "merchant@example.com";
export const PAYER_EMAIL = "buyer@example.com";

/** PayPal's date_time: RFC 3339 in UTC, seconds precision, as its examples show. */
export function paypalTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}
