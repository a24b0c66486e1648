import { createHmac, timingSafeEqual } from "node:crypto";
import { PaymentError, type WebhookHeaders } from "@org/payments-core";

export const ACME_SIGNATURE_HEADER = "acme-signature";

function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return typeof value === "string" ? value : value?.[0];
  }
  return undefined;
}

/**
 * Verifies `Acme-Signature: t=…,v1=…` over the raw bytes: the HMAC-SHA256 of "<t>.<body>" under one of our endpoint
 * secrets (several while rotating), with `t` within `toleranceMs` of our clock so a captured delivery cannot be
 * replayed later. Every failure is the same `webhook_signature_invalid`: a prober learns nothing about which part.
 */
export function verifyAcmeSignature(
  rawBody: Uint8Array | string,
  headers: WebhookHeaders,
  options: { secrets: readonly string[]; toleranceMs: number; now: Date },
): void {
  const invalid = new PaymentError("webhook_signature_invalid", "Acme webhook signature verification failed");
  const header = headerValue(headers, ACME_SIGNATURE_HEADER);
  if (header === undefined) throw invalid;
  const parts = header.split(",").map((part) => part.trim().split("=", 2) as [string, string?]);
  const t = Number(parts.find(([name]) => name === "t")?.[1]);
  const given = parts.filter(([name, value]) => name === "v1" && value !== undefined).map(([, value]) => Buffer.from(value!, "hex"));
  if (!Number.isSafeInteger(t) || given.length === 0) throw invalid;
  if (Math.abs(options.now.getTime() - t * 1000) > options.toleranceMs) throw invalid;

  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  for (const secret of options.secrets) {
    const expected = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
    if (given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected))) return;
  }
  throw invalid;
}
