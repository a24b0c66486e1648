import { PaymentError, type PaymentErrorBody } from "../../errors/index.js";
import type { GatewayPayment } from "../../ports/payment-gateway.js";
import type { StoredOutcome } from "../../ports/payment-store.js";
import { advancePayment } from "../apply-gateway-result.js";
import type { GatewayCallResult } from "../gateway-call.js";
import type { CallOf, SettleStep } from "./operation.js";
import { loadPayment } from "./load-payment.js";

/** A provider's refusal as the operation's stored outcome, naming the payment it was about. */
export function refusalOutcome(error: PaymentErrorBody, paymentId: string): StoredOutcome {
  return { ok: false, error: { ...error, details: { ...error.details, paymentId } } };
}

/** The payment object a payment call is answered with; a refund here is the gateway's bug, not an answer. */
export function answeredPayment(result: Exclude<GatewayCallResult, { kind: "rejected" }>): GatewayPayment {
  if (result.kind !== "payment") throw new PaymentError("internal", "gateway answered a payment call with a refund");
  return result.payment;
}

/**
 * Phase 3 of a call on an existing provider object (capture, cancel): a refusal changes nothing here (the provider
 * kept the object as it was); the object it answers with moves the payment forward along the table.
 */
export const settlePaymentAnswer: SettleStep<CallOf<"capture" | "cancel">> = async (tx, call, result, ctx) => {
  const payment = await loadPayment(tx, call.paymentId);
  if (result.kind === "rejected") return refusalOutcome(result.error, payment.id);
  const next = await advancePayment(tx, payment, answeredPayment(result), ctx);
  return { ok: true, value: { payment: next } };
};
