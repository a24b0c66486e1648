const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * The creation time inside our payment ids (`pay_` + ULID: the first 10 characters are milliseconds since the epoch
 * in Crockford base32), or null for an id of another shape. A payment's PaymentIntent is never older than the
 * payment, so this bounds the search for it without Stripe's search API.
 */
export function paymentIdTime(paymentId: string): Date | null {
  const ulid = paymentId.startsWith("pay_") ? paymentId.slice(4) : paymentId;
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(ulid)) return null;
  let ms = 0;
  for (const char of ulid.slice(0, 10).toUpperCase()) ms = ms * 32 + CROCKFORD.indexOf(char);
  return Number.isSafeInteger(ms) ? new Date(ms) : null;
}
