import { toMajorUnitsString } from "../../money/money.js";
import type { GatewayPayment, GatewayWebhookEvent, WebhookHeaders } from "../../ports/payment-gateway.js";

/** `headers` without `names` (compared case-insensitively, as HTTP header names are). */
export function withoutHeaders(headers: WebhookHeaders, names: readonly string[]): WebhookHeaders {
  const dropped = new Set(names.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())));
}

/** Another id of the same length and alphabet: its last character changed. */
function anotherId(id: string): string {
  return `${id.slice(0, -1)}${id.endsWith("0") ? "1" : "0"}`;
}

export interface Tampering {
  what: string;
  rawBody: string;
}

/**
 * What a forger would change in a delivery signed for `paid`, each a change of meaning: the event pointed at another
 * payment (our id and the provider's, wherever the body names them), and the amount moved by one minor unit
 * (as the number of minor units, or as decimal text in major units, whichever the body carries).
 */
export function tamperings(rawBody: string, paid: GatewayPayment): Tampering[] {
  const found: Tampering[] = [];
  let redirected = rawBody;
  for (const id of [paid.paymentId, paid.providerPaymentId]) {
    if (id && id.length > 1 && redirected.includes(id)) redirected = redirected.replaceAll(id, anotherId(id));
  }
  if (redirected !== rawBody) found.push({ what: "the event pointed at another payment", rawBody: redirected });
  const texts = [String(paid.amount), toMajorUnitsString(paid.amount, paid.currency)];
  const moved = [String(paid.amount + 1), toMajorUnitsString(paid.amount + 1, paid.currency)];
  for (const [i, text] of texts.entries()) {
    // The amount as a whole token: 2000 but not 20000 or 2000.5, "20.00" but not "120.00".
    const token = new RegExp(`(?<![\\d.])${text.replace(".", "\\.")}(?![\\d.])`, "g");
    if (token.test(rawBody)) {
      found.push({ what: `the amount changed from ${text} to ${moved[i]}`, rawBody: rawBody.replace(token, moved[i]!) });
      break;
    }
  }
  return found;
}

/** Whether a mapped event is about `paid`, by our payment id or the provider's. */
export function eventNamesPayment(event: GatewayWebhookEvent, paid: GatewayPayment): boolean {
  switch (event.kind) {
    case "payment":
      return event.payment.paymentId === paid.paymentId || event.payment.providerPaymentId === paid.providerPaymentId;
    case "refund":
      return event.paymentId === paid.paymentId || event.refund.providerPaymentId === paid.providerPaymentId;
    case "dispute":
      return event.paymentId === paid.paymentId || event.providerPaymentId === paid.providerPaymentId;
    case "ignored":
      return false;
  }
}
