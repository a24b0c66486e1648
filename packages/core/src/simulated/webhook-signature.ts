import { createHmac, timingSafeEqual } from "node:crypto";
import { PaymentError } from "../errors/index.js";

export const SIMULATED_SIGNATURE_HEADER = "simulated-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` — the same scheme Stripe uses, over the raw bytes. */
export function signSimulatedPayload(rawBody: string, secret: string, timestampSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.${rawBody}`).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Verifies against any of `secrets` (rotation) within `toleranceSeconds` of `nowSeconds`. Throws
 * `webhook_signature_invalid` without saying which part failed, so probing learns nothing.
 */
export function verifySimulatedSignature(
  rawBody: string,
  header: string | undefined,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds = 300,
): void {
  const invalid = () => new PaymentError("webhook_signature_invalid", "webhook signature verification failed");
  if (!header) throw invalid();
  const parts = new Map(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const timestamp = Number(parts.get("t"));
  const given = parts.get("v1");
  if (!Number.isSafeInteger(timestamp) || !given || Math.abs(nowSeconds - timestamp) > toleranceSeconds) throw invalid();
  const givenBytes = Buffer.from(given, "hex");
  for (const secret of secrets) {
    const expected = Buffer.from(signSimulatedPayload(rawBody, secret, timestamp).split("v1=")[1] ?? "", "hex");
    if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) return;
  }
  throw invalid();
}
