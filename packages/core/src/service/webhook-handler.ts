import { buildEvent } from "../domain/state-machine.js";
import { PaymentError } from "../errors.js";
import type { GatewayWebhookEvent } from "../ports/payment-gateway.js";
import type { PaymentStore, PaymentStoreTx } from "../ports/payment-store.js";
import type { Payment } from "../domain/payment.js";
import { type ApplyContext, advancePayment, persistUpdate, settleRefund } from "./apply-gateway-result.js";

export interface WebhookResult {
  provider: string;
  eventId: string;
  type: string;
  /** applied: changed or confirmed state; duplicate: seen before; ignored: nothing to do; unknown_payment: no such payment. */
  status: "applied" | "duplicate" | "ignored" | "unknown_payment";
  paymentId: string | null;
}

async function findPayment(tx: PaymentStoreTx, provider: string, paymentId: string | null, providerPaymentId: string | null): Promise<Payment | null> {
  if (paymentId) {
    const byId = await tx.getPayment(paymentId);
    if (byId) return byId;
  }
  return providerPaymentId ? tx.findPaymentByProviderId(provider, providerPaymentId) : null;
}

/**
 * Applies a verified provider event exactly once: the first-seen marker and the change commit together, so a
 * redelivered event is acknowledged without effect. Events only move payments forward along the state machine.
 */
export async function handleWebhookEvent(
  store: PaymentStore,
  event: GatewayWebhookEvent,
  context: () => ApplyContext,
): Promise<WebhookResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.transaction((tx) => applyOnce(tx, event, context()));
    } catch (error) {
      if (!(error instanceof PaymentError && error.code === "conflict") || attempt >= 8) throw error;
    }
  }
}

async function applyOnce(tx: PaymentStoreTx, event: GatewayWebhookEvent, ctx: ApplyContext): Promise<WebhookResult> {
  const base = { provider: event.provider, eventId: event.eventId, type: event.type };
  if (!(await tx.recordWebhookEvent(event.provider, event.eventId, ctx.at))) {
    return { ...base, status: "duplicate", paymentId: null };
  }
  switch (event.kind) {
    case "ignored":
      return { ...base, status: "ignored", paymentId: null };
    case "payment": {
      const payment = await findPayment(tx, event.provider, event.payment.paymentId, event.payment.providerPaymentId);
      if (!payment) return { ...base, status: "unknown_payment", paymentId: event.payment.paymentId };
      const next = await advancePayment(tx, payment, event.payment, ctx);
      return { ...base, status: next.version === payment.version ? "ignored" : "applied", paymentId: payment.id };
    }
    case "refund": {
      const refund = event.refund.refundId ? await tx.getRefund(event.refund.refundId) : null;
      const payment = refund
        ? await tx.getPayment(refund.paymentId)
        : await findPayment(tx, event.provider, event.paymentId, event.refund.providerPaymentId);
      if (!payment) return { ...base, status: "unknown_payment", paymentId: event.paymentId };
      // A refund made outside this library (the provider's dashboard) is for reconciliation to record.
      if (!refund || refund.status !== "pending") return { ...base, status: "ignored", paymentId: payment.id };
      await settleRefund(tx, refund, payment, event.refund, ctx);
      return { ...base, status: "applied", paymentId: payment.id };
    }
    case "dispute": {
      const payment = await findPayment(tx, event.provider, event.paymentId, event.providerPaymentId);
      if (!payment) return { ...base, status: "unknown_payment", paymentId: event.paymentId };
      const flagged = await persistUpdate(tx, payment, { disputed: true }, ctx.at);
      await tx.appendOutbox([buildEvent("payment.disputed", flagged, ctx, { dispute: event.dispute })]);
      return { ...base, status: "applied", paymentId: payment.id };
    }
  }
}
