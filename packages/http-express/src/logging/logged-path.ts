/**
 * The path as the router logs it. A receipt link's token is its last path segment (GET /receipts/:token) and works
 * as a credential until it expires, so whatever follows /receipts/ is replaced, whatever its shape: a token that
 * failed to verify may be a genuine link copied with a typo, and the JWT mask in log-scrubbing only knows JWTs.
 * Not anchored: a path read after the router is done may carry its mount path again ("/api/receipts/…").
 */
const RECEIPT_LINK_TOKEN = /(\/receipts\/)[^/?#]+/;

export function loggedPath(path: string): string {
  return path.replace(RECEIPT_LINK_TOKEN, "$1[redacted]");
}
