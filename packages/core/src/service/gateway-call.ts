import type { CaptureMethod, NextAction } from "../domain/payment.js";
import type { PaymentErrorBody } from "../errors.js";
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
      /** The customer step being resumed, restored if the provider refuses the request. */
      previousNextAction?: NextAction | null | undefined;
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

/**
 * A definite answer from the provider: its object, or a refusal. `declined` fails the payment; `invalid_request`
 * (the provider refused the request itself, or never acted before the attempt policy was spent) leaves it where it
 * was before the operation.
 */
export type GatewayCallResult =
  | { kind: "payment"; payment: GatewayPayment }
  | { kind: "refund"; refund: GatewayRefund }
  | { kind: "rejected"; error: PaymentErrorBody; answer: "declined" | "invalid_request" };

/**
 * Phase 2. Normally the identical request is simply (re-)sent: within the provider's key retention it answers a
 * repeat with the original result. With `lookupFirst` — past the retention, or after an answer that left the outcome
 * unknown — we first look for what an earlier attempt may have made (by our payment id) and send only when nothing
 * is there.
 */
export async function sendGatewayCall(
  gateway: PaymentGateway,
  call: GatewayCall,
  idempotencyKey: string,
  lookupFirst: boolean,
): Promise<GatewayCallResult> {
  const options = { idempotencyKey };
  switch (call.op) {
    case "create": {
      if (lookupFirst) {
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
      if (lookupFirst) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status !== "requires_action") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.resumePayment(call, options) };
    }
    case "capture": {
      if (lookupFirst) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status !== "authorized") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.capture(call, options) };
    }
    case "cancel": {
      if (lookupFirst) {
        const current = await gateway.retrieve(call.providerPaymentId);
        if (current.status === "canceled") return { kind: "payment", payment: current };
      }
      return { kind: "payment", payment: await gateway.cancel(call, options) };
    }
    case "refund": {
      if (lookupFirst) {
        const current = await gateway.findByPaymentId(call.paymentId);
        const earlier = current?.refunds?.find((r) => r.refundId === call.refundId);
        if (earlier) return { kind: "refund", refund: earlier };
      }
      return { kind: "refund", refund: await gateway.refund(call, options) };
    }
  }
}
