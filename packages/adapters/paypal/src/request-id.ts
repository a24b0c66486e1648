import { createHash } from "node:crypto";

/** PayPal-Request-Id accepts 1–108 characters (Orders v2 OpenAPI); the core's gateway keys may be longer. */
const MAX_REQUEST_ID = 108;

/**
 * The core's gateway key as a PayPal-Request-Id: unchanged when it fits, otherwise a SHA-256 digest of it, which
 * is just as stable across retries (the point of the key) and cannot collide in practice.
 */
export function paypalRequestId(idempotencyKey: string): string {
  if (idempotencyKey.length > 0 && idempotencyKey.length <= MAX_REQUEST_ID) return idempotencyKey;
  return `sha256-${createHash("sha256").update(idempotencyKey).digest("hex")}`;
}
