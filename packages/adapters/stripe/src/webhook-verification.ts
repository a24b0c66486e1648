import { PaymentError, type WebhookHeaders } from "@org/payments-core";
import type Stripe from "stripe";

/** `"whsec_a,whsec_b"` or a list → the secrets to try, in order (rotation keeps the old one for a while). */
export function parseWebhookSecrets(secrets: string | readonly string[] | undefined): string[] {
  const list = typeof secrets === "string" ? secrets.split(",") : [...(secrets ?? [])];
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

function signatureHeader(headers: WebhookHeaders): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== "stripe-signature" || value === undefined) continue;
    if (typeof value === "string") return value;
    // Node gives arrays only for repeated headers; Stripe sends one, so several is not a valid delivery.
    return value.length === 1 ? (value[0] ?? null) : null;
  }
  return null;
}

export interface VerifyOptions {
  webhooks: Stripe["webhooks"];
  secrets: readonly string[];
  toleranceSeconds: number;
  nowMs: number;
}

/**
 * Verifies the `Stripe-Signature` header over the exact raw bytes with the SDK's `constructEvent` (which also checks
 * the timestamp against the tolerance), trying each configured secret; any failure is `webhook_signature_invalid`.
 */
export function verifyStripeWebhook(rawBody: Uint8Array | string, headers: WebhookHeaders, options: VerifyOptions): Stripe.Event {
  const header = signatureHeader(headers);
  if (header === null) {
    throw new PaymentError("webhook_signature_invalid", "missing Stripe-Signature header");
  }
  if (options.secrets.length === 0) {
    throw new PaymentError("webhook_signature_invalid", "no Stripe webhook secret is configured");
  }
  let lastError: unknown;
  for (const secret of options.secrets) {
    try {
      return options.webhooks.constructEvent(rawBody, header, secret, options.toleranceSeconds, undefined, options.nowMs);
    } catch (error) {
      lastError = error;
    }
  }
  throw new PaymentError("webhook_signature_invalid", "Stripe webhook signature verification failed", {
    cause: lastError,
  });
}
