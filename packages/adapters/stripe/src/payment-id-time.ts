const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * The creation time inside our ids (`pay_`, `spm_`, … + ULID: the first 10 characters are milliseconds since the
 * epoch in Crockford base32), or null for an id of another shape. A payment's PaymentIntent (a saved method's
 * SetupIntent) is never older than the record it was made for, so this bounds a list search for it without Stripe's
 * search API.
 */
export function idTime(id: string): Date | null {
  const ulid = /^[a-z]{2,8}_/.test(id) ? id.slice(id.indexOf("_") + 1) : id;
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(ulid)) return null;
  let ms = 0;
  for (const char of ulid.slice(0, 10).toUpperCase()) ms = ms * 32 + CROCKFORD.indexOf(char);
  return Number.isSafeInteger(ms) ? new Date(ms) : null;
}

/** `idTime` of a payment id (`pay_<ULID>`). */
export function paymentIdTime(paymentId: string): Date | null {
  return idTime(paymentId);
}
