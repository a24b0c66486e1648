import { buildEvent } from "../domain/state-machine.js";
import { PaymentError } from "../errors.js";
import type { GatewayWebhookEvent } from "../ports/payment-gateway.js";
import type { PaymentStore, PaymentStoreTx } from "../ports/payment-store.js";
import type { Payment, Refund } from "../domain/payment.js";
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

/** The payment an event is about, if we know it; an event for an unknown payment is not marked as processed. */
async function subjectOf(tx: PaymentStoreTx, event: GatewayWebhookEvent): Promise<{ payment: Payment | null; refund: Refund | null }> {
  switch (event.kind) {
    case "ignored":
      return { payment: null, refund: null };
    case "payment":
      return { payment: await findPayment(tx, event.provider, event.payment.paymentId, event.payment.providerPaymentId), refund: null };
    case "refund": {
      const refund = event.refund.refundId ? await tx.getRefund(event.refund.refundId) : null;
      const payment = refund
        ? await tx.getPayment(refund.paymentId)
        : await findPayment(tx, event.provider, event.paymentId, event.refund.providerPaymentId);
      return { payment, refund };
    }
    case "dispute":
      return { payment: await findPayment(tx, event.provider, event.paymentId, event.providerPaymentId), refund: null };
  }
}

async function applyOnce(tx: PaymentStoreTx, event: GatewayWebhookEvent, ctx: ApplyContext): Promise<WebhookResult> {
  const base = { provider: event.provider, eventId: event.eventId, type: event.type };
  const { payment, refund } = await subjectOf(tx, event);
  if (event.kind !== "ignored" && !payment) {
    // Not recorded as processed: the provider redelivers, and by then the payment may exist.
    const paymentId = event.kind === "payment" ? event.payment.paymentId : event.paymentId;
    return { ...base, status: "unknown_payment", paymentId };
  }
  if (!(await tx.recordWebhookEvent(event.provider, event.eventId, ctx.at))) {
    return { ...base, status: "duplicate", paymentId: payment?.id ?? null };
  }
  if (event.kind === "ignored" || !payment) return { ...base, status: "ignored", paymentId: null };
  switch (event.kind) {
    case "payment": {
      const next = await advancePayment(tx, payment, event.payment, ctx);
      return { ...base, status: next.version === payment.version ? "ignored" : "applied", paymentId: payment.id };
    }
    case "refund":
      // A refund made outside this library (the provider's dashboard) is for reconciliation to record.
      if (!refund || refund.status !== "pending") return { ...base, status: "ignored", paymentId: payment.id };
      await settleRefund(tx, refund, payment, event.refund, ctx);
      return { ...base, status: "applied", paymentId: payment.id };
    case "dispute": {
      const flagged = await persistUpdate(tx, payment, { disputed: true }, ctx.at);
      await tx.appendOutbox([buildEvent("payment.disputed", flagged, ctx, { dispute: event.dispute })]);
      return { ...base, status: "applied", paymentId: payment.id };
    }
  }
}
