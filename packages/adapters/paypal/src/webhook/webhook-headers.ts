import { PaymentError, type WebhookHeaders } from "@org/payments-core";

/** The five headers PayPal signs a delivery with. */
export interface PayPalTransmission {
  transmissionId: string;
  transmissionTime: string;
  transmissionSig: string;
  certUrl: string;
  authAlgo: string;
}

function get(headers: WebhookHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === "string" && first.length > 0 ? first : undefined;
  }
  return undefined;
}

export function readTransmission(headers: WebhookHeaders): PayPalTransmission {
  const transmission = {
    transmissionId: get(headers, "paypal-transmission-id"),
    transmissionTime: get(headers, "paypal-transmission-time"),
    transmissionSig: get(headers, "paypal-transmission-sig"),
    certUrl: get(headers, "paypal-cert-url"),
    authAlgo: get(headers, "paypal-auth-algo"),
  };
  const missing = Object.entries(transmission).filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length > 0) {
    throw new PaymentError("webhook_signature_invalid", "PayPal signature headers are missing", { details: { missing } });
  }
  return transmission as PayPalTransmission;
}

/** A replayed delivery (an old, validly signed request sent again) is refused outside the tolerance. */
export function assertFresh(transmissionTime: string, now: Date, toleranceMs: number): void {
  const at = Date.parse(transmissionTime);
  if (Number.isNaN(at) || Math.abs(now.getTime() - at) > toleranceMs) {
    throw new PaymentError("webhook_signature_invalid", "PayPal webhook transmission time is outside the tolerance", {
      details: { transmissionTime },
    });
  }
}
