import { createHmac } from "node:crypto";

export const PAYMENTS_SIGNATURE_HEADER = "Payments-Signature";
export const PAYMENTS_EVENT_ID_HEADER = "Payments-Event-Id";

/**
 * Hex HMAC-SHA256 over `"<t>.<body>"`, shared by the sender and the verifier so both always sign the same bytes:
 * binding the timestamp into the MAC is what makes replays detectable.
 */
export function signPayload(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}
