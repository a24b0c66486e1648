import type { CaptureMethod } from "../domain/payment.js";
import { isPaymentError, type PaymentErrorBody } from "../errors.js";
import type { GatewayPayment, GatewayRefund, PaymentGateway } from "../ports/payment-gateway.js";

/**
 * What phase 2 sends, stored on the idempotency record before the call so that a client retry or recovery can
 * re-send the identical request under the same gateway key.
 */
export type GatewayCall =
  | {
      op: "create";
      paymentId: string;
      provider: string;
      amount: number;
      currency: string;
      captureMethod: CaptureMethod;
      paymentMethodId: string | null;
      returnUrl: string | null;
      cancelUrl: string | null;
      description: string | null;
      customerId: string | null;
      customerEmail: string | null;
    }
  | {
      op: "resume";
      paymentId: string;
      provider: string;
      providerPaymentId: string;
      paymentMethodId: string | null;
      returnUrl: string | null;
      captureMethod: CaptureMethod;
    }
  | { op: "capture"; paymentId: string; provider: string; providerPaymentId: string; amount: number; currency: string }
  | { op: "cancel"; paymentId: string; provider: string; providerPaymentId: string }
  | {
      op: "refund";
      paymentId: string;
      provider: string;
      providerPaymentId: string;
      refundId: string;
      amount: number;
      currency: string;
      reason: string;
    };

/** A definite answer from the provider: its object, or a refusal that created nothing (amount_too_small, …). */
export type GatewayCallResult =
  | { kind: "payment"; payment: GatewayPayment }
  | { kind: "refund"; refund: GatewayRefund }
  | { kind: "rejected"; error: PaymentErrorBody };

/**
 * Phase 2. Within the provider's key retention the identical request is simply re-sent: the provider answers with
 * the original result. Past it, the provider has forgotten the key, so we first look for what the earlier attempt
 * may have created (by our payment id) and only create anew when nothing is there.
 */
export async function sendGatewayCall(
  gateway: PaymentGateway,
  call: GatewayCall,
  idempotencyKey: string,
  pastRetention: boolean,
): Promise<GatewayCallResult> {
  const options = { idempotencyKey };
  switch (call.op) {
    case "create": {
      if (pastRetention) {
        const existing = await gateway.findByPaymentId(call.paymentId);
        if (existing) return { kind: "payment", payment: existing };
      }
      const payment = await gateway.createPayment(
        {
          paymentId: call.paymentId,
          amount: call.amount,
          currency: call.currency,
          captureMethod: call.captureMethod,
          paymentMethodId: call.paymentMethodId,
          returnUrl: call.returnUrl,
          cancelUrl: call.cancelUrl,
          description: call.description,
          customerId: call.customerId,
          customerEmail: call.customerEmail,
        },
        options,
      );
      return { kind: "payment", payment };
    }
    case "resume": {
      if (pastRetention) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status !== "requires_action") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.resumePayment(call, options) };
    }
    case "capture": {
      if (pastRetention) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status !== "authorized") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.capture(call, options) };
    }
    case "cancel": {
      if (pastRetention) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status === "canceled") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.cancel(call, options) };
    }
    case "refund": {
      if (pastRetention) {
        const current = await gateway.findByPaymentId(call.paymentId);
        const earlier = current?.refunds?.find((r) => r.refundId === call.refundId);
        if (earlier) return { kind: "refund", refund: earlier };
      }
      return { kind: "refund", refund: await gateway.refund(call, options) };
    }
  }
}

/**
 * Errors after which we cannot know whether the provider acted — or know it did not act but a retry may succeed.
 * The operation stays at `gateway_pending` so the same gateway key is re-sent later; nothing is settled.
 */
export function leavesOperationPending(error: unknown): boolean {
  if (!isPaymentError(error)) return true;
  return ["gateway_outcome_unknown", "gateway_rate_limited", "gateway_error", "internal", "conflict"].includes(error.code);
}
