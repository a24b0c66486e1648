/**
 * The rows a fixed floor writes: every column our migrations define, filled with values of the size a charge
 * really stores (an event and an idempotency outcome each carry a payment snapshot as JSON). Built here, from a
 * plain object, so the floor does not depend on how the store or the core shape their rows.
 */

/** A payment snapshot as JSON text: what an outbox event and an idempotency outcome hold (~1 KB each). */
export function paymentSnapshotJson(paymentId: string, status: string, at: string): string {
  return JSON.stringify({
    id: paymentId,
    owner: "user_bench",
    amount: 1999,
    currency: "USD",
    status,
    provider: "simulated",
    providerPaymentId: status === "succeeded" ? `sim_pi_${paymentId.slice(-12)}` : null,
    paymentMethodId: "pm_card_visa",
    paymentMethodType: "card",
    checkoutSessionId: null,
    customerId: null,
    customerEmail: null,
    references: {},
    description: null,
    captureMethod: "automatic",
    amountCaptured: status === "succeeded" ? 1999 : 0,
    amountRefunded: 0,
    amountRefundReserved: 0,
    authorizationExpiresAt: null,
    nextAction: null,
    lastError: null,
    disputed: false,
    lineItems: [],
    metadata: {},
    receiptNumber: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
}

export function eventJson(eventId: string, type: string, paymentId: string, status: string, at: string): string {
  return `{"id":"${eventId}","type":"${type}","schemaVersion":1,"paymentId":"${paymentId}","occurredAt":"${at}","data":{"payment":${paymentSnapshotJson(paymentId, status, at)}}}`;
}

export function outcomeJson(paymentId: string, status: string, at: string): string {
  return `{"ok":true,"value":{"payment":${paymentSnapshotJson(paymentId, status, at)}}}`;
}

/** A SHA-256-sized hex fingerprint (the value's content does not matter to the database, its size does). */
export const FINGERPRINT = "d00aea640cc14b9e926d34cae09ff45c0382c9d15b6b571cc5349768441d5e3c";
export const GATEWAY_REQUEST = '{"op":"create","provider":"simulated","amount":1999,"currency":"USD","paymentMethodId":"pm_card_visa","captureMethod":"automatic"}';
