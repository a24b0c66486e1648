import type { CaptureMethod, NextAction } from "../domain/payment.js";
import { PaymentError, type PaymentErrorBody, isPaymentError } from "../errors/index.js";
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

/** How phase 2 sends one attempt. */
export interface SendPlan {
  /** The key the provider has seen this request under. */
  key: string;
  /** Look for what an earlier attempt may have made before sending anything. */
  lookupFirst: boolean;
  /**
   * Sent instead of `key` when the lookup (run in this same attempt) shows the provider did not act: under `key` it
   * would only replay an answer it saved (a 5xx).
   */
  keyAfterEmptyLookup?: string | undefined;
  /** Told the key a request goes out under, just before it is sent, so the caller can record it. */
  onSend: (key: string) => void;
}

/**
 * A lookup that failed tells nothing about the request: whatever the provider answered (a 429, a 404 from a search
 * that is not offered, a timeout), it is an unknown outcome, never a definite answer that could settle the operation.
 */
async function lookUp<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new PaymentError("gateway_outcome_unknown", "the provider could not be asked what an earlier attempt did; retry with the same key", {
      retryAfterSeconds: isPaymentError(error) ? (error.retryAfterSeconds ?? 5) : 5,
      details: { lookupFailed: true, lookupError: isPaymentError(error) ? error.code : "unexpected" },
      cause: error,
    });
  }
}

/** Provider statuses that end a resume: it was acted on, whatever our attempt did. */
const RESUME_SETTLED: readonly string[] = ["succeeded", "authorized", "failed", "canceled"];

/**
 * Phase 2. Normally the identical request is simply (re-)sent: within the provider's key retention it answers a
 * repeat with the original result. With `lookupFirst` — past the retention, or once an attempt left the outcome
 * unknown — we first look for what an earlier attempt may have made (by our payment id, or the provider object's
 * state) and send only when that shows the provider did not act; only then may a fresh key be used.
 */
export async function sendGatewayCall(gateway: PaymentGateway, call: GatewayCall, plan: SendPlan): Promise<GatewayCallResult> {
  let key = plan.key;
  const send = () => {
    plan.onSend(key);
    return { idempotencyKey: key };
  };
  const notActed = () => {
    if (plan.keyAfterEmptyLookup !== undefined) key = plan.keyAfterEmptyLookup;
  };
  switch (call.op) {
    case "create": {
      if (plan.lookupFirst) {
        const existing = await lookUp(() => gateway.findByPaymentId(call.paymentId));
        if (existing) return { kind: "payment", payment: existing };
        notActed();
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
        send(),
      );
      return { kind: "payment", payment };
    }
    case "resume": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        // Only a settled object answers the resume; one still processing (or awaiting confirmation) is resumed.
        if (RESUME_SETTLED.includes(current.status)) return { kind: "payment", payment: current };
        if (current.status === "requires_action") notActed();
      }
      const request = {
        paymentId: call.paymentId,
        providerPaymentId: call.providerPaymentId,
        paymentMethodId: call.paymentMethodId,
        returnUrl: call.returnUrl,
        captureMethod: call.captureMethod,
      };
      return { kind: "payment", payment: await gateway.resumePayment(request, send()) };
    }
    case "capture": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        if (current.status !== "authorized") return { kind: "payment", payment: current };
        notActed();
      }
      return { kind: "payment", payment: await gateway.capture(call, send()) };
    }
    case "cancel": {
      if (plan.lookupFirst) {
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        if (current.status === "canceled") return { kind: "payment", payment: current };
        if (current.status === "authorized" || current.status === "requires_action") notActed();
      }
      return { kind: "payment", payment: await gateway.cancel(call, send()) };
    }
    case "refund": {
      if (plan.lookupFirst) {
        // The payment's own object, by the provider's id: a search by our payment id may not reach back far enough
        // (PayPal searches 31 days), and a miss here would refund twice.
        const current = await lookUp(() => gateway.retrieve(call.providerPaymentId));
        const earlier = current.refunds?.find((r) => r.refundId === call.refundId);
        if (earlier) return { kind: "refund", refund: earlier };
        notActed();
      }
      return { kind: "refund", refund: await gateway.refund(call, send()) };
    }
  }
}
