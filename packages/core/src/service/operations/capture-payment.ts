import { z } from "zod";
import { assertCommandAccepts, commandRefusal } from "../../domain/transitions.js";
import type { Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import { loadPayment } from "./load-payment.js";
import type { CallOf, ClaimStep, OperationContext, OperationDeps, PaymentResult, SettleStep } from "./operation.js";
import { parseInput } from "./parse-input.js";
import { settlePaymentAnswer } from "./settle-payment-answer.js";

/*
 * Capture: takes an authorization's money, in full or in part (the rest of the authorization is released). Nothing
 * changes locally before the provider answers; its answer moves the payment to succeeded.
 */

export const capturePaymentSchema = z.object({ amount: z.number().optional() }).strict();
export type CapturePaymentInput = z.input<typeof capturePaymentSchema>;
type CaptureParams = z.output<typeof capturePaymentSchema>;

/** Captures an authorized payment, in full or in part (the rest of the authorization is released). */
export async function capturePayment(
  deps: OperationDeps,
  paymentId: string,
  input: CapturePaymentInput,
  ctx: OperationContext,
): Promise<PaymentResult> {
  const parsed = parseInput(capturePaymentSchema, input, [{ field: "amount", optional: true }]);
  const result = await deps.run<{ payment: Payment }>("payment.capture", { paymentId, ...parsed }, ctx, claimCapture(deps, paymentId, parsed));
  return { payment: result.value.payment, replayed: result.replayed };
}

/** Phase 1: an authorization the provider holds, and an amount it can capture; the call is the capture. */
function claimCapture(deps: OperationDeps, paymentId: string, parsed: CaptureParams): ClaimStep {
  return async (tx) => {
    const payment = await loadPayment(tx, paymentId);
    assertCommandAccepts("capture", payment);
    if (!payment.providerPaymentId) throw commandRefusal("capture", payment);
    const amount = parsed.amount ?? payment.amount;
    if (amount > payment.amount) {
      throw new PaymentError("invalid_amount", `cannot capture ${amount}: only ${payment.amount} was authorized`, {
        details: { field: "amount", authorized: payment.amount },
      });
    }
    if (amount < payment.amount && !deps.gatewayFor(payment.provider).capabilities.partialCapture) {
      throw new PaymentError("validation_error", `${payment.provider} does not support partial capture`);
    }
    return {
      kind: "gateway",
      paymentId,
      gatewayKey: gatewayKeyFor(paymentId, "capture"),
      call: {
        op: "capture",
        paymentId,
        provider: payment.provider,
        providerPaymentId: payment.providerPaymentId,
        amount,
        currency: payment.currency,
      },
    };
  };
}

/** Phase 3: a refused capture leaves the authorization as it was; the captured object makes the payment succeeded. */
export const settleCapture: SettleStep<CallOf<"capture">> = settlePaymentAnswer;
