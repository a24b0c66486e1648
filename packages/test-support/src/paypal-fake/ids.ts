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
