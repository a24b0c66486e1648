import { PaymentError } from "../errors/index.js";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function assertIdempotencyKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new PaymentError(
      "validation_error",
      `an idempotency key of 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters is required`,
      { details: { field: "idempotencyKey" } },
    );
  }
  return key;
}

/**
 * The key sent to the provider. Built from our payment id, the operation and the operation's own id, never the
 * caller's key: two owners' keys can then never collide at the provider, and a second partial refund never
 * reuses the first one's key.
 */
export function gatewayKeyFor(paymentId: string, operation: string, operationId?: string): string {
  return operationId === undefined ? `${paymentId}:${operation}` : `${paymentId}:${operation}:${operationId}`;
}
