import type { GatewayWebhookEvent } from "@org/payments-core";
import { type AcmeEvent, asCharge, asRefund } from "./acme-wire.js";
import { mapCharge } from "./map-charge.js";
import { mapRefund } from "./map-refund.js";

/** A verified Acme event: `charge.*` carries the whole charge, `refund.*` the refund; anything else is ignored. */
export function mapWebhookEvent(event: AcmeEvent, provider: string): GatewayWebhookEvent {
  const common = { provider, eventId: event.id, type: event.type, occurredAt: event.created_at };
  if (event.type.startsWith("charge.")) {
    return { ...common, kind: "payment", payment: mapCharge(asCharge(event.data.object), provider) };
  }
  if (event.type.startsWith("refund.")) {
    const refund = asRefund(event.data.object);
    return { ...common, kind: "refund", paymentId: refund.charge_reference, refund: mapRefund(refund) };
  }
  return { ...common, kind: "ignored" };
}
