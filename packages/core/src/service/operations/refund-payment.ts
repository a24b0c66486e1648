import { z } from "zod";
import { buildEvent } from "../../domain/state-machine.js";
import { snapshotRefund } from "../../domain/events.js";
import type { Payment, Refund } from "../../domain/payment.js";
import { assertRefundable, reserveRefund } from "../../domain/refunds.js";
import { PaymentError } from "../../errors/index.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import type { GatewayRefund } from "../../ports/payment-gateway.js";
import { persistUpdate, settleRefund } from "../apply-gateway-result.js";
import type { GatewayCallResult } from "../gateway-call.js";
import { freeText } from "./input-fields.js";
import { loadPayment } from "./load-payment.js";
import type { CallOf, ClaimStep, OperationContext, OperationDeps, RefundResult, SettleStep } from "./operation.js";
import { parseInput } from "./parse-input.js";

/*
 * Refund: part or all of what remains refundable. The amount is reserved in the same transaction that checks the
 * ceiling (domain/refunds.ts), so concurrent refunds can never together exceed the captured amount; the provider's
 * answer settles the reservation (apply-gateway-result.ts settleRefund).
 */

export const refundPaymentSchema = z
  .object({ amount: z.number().optional(), reason: freeText(500).pipe(z.string().trim().min(1, "a refund needs a reason")) })
  .strict();
export type RefundPaymentInput = z.input<typeof refundPaymentSchema>;
type RefundParams = z.output<typeof refundPaymentSchema>;

/**
 * Refunds part or all of what remains refundable. The amount is reserved in the same transaction that checks
 * it, so concurrent refunds can never together exceed the captured amount.
 */
export async function refundPayment(
  deps: OperationDeps,
  paymentId: string,
  input: RefundPaymentInput,
  ctx: OperationContext,
): Promise<RefundResult> {
  const parsed = parseInput(refundPaymentSchema, input, [{ field: "amount", optional: true }]);
  const result = await deps.run<{ refund: Refund; payment: Payment }>(
    "payment.refund",
    { paymentId, ...parsed },
    ctx,
    claimRefund(deps, paymentId, parsed),
  );
  return { ...result.value, replayed: result.replayed };
}

/** Phase 1: the ceiling is checked and the amount reserved, with a pending refund row and `refund.created`. */
function claimRefund(deps: OperationDeps, paymentId: string, parsed: RefundParams): ClaimStep {
  return async (tx, actor) => {
    const payment = await loadPayment(tx, paymentId);
    const amount = assertRefundable(payment, parsed.amount);
    const at = deps.now().toISOString();
    const refund: Refund = {
      id: deps.newId("rf"),
      paymentId,
      amount,
      currency: payment.currency,
      status: "pending",
      reason: parsed.reason,
      actor,
      providerRefundId: null,
      failure: null,
      createdAt: at,
      updatedAt: at,
    };
    const reserved = await persistUpdate(tx, payment, reserveRefund(payment, amount), at);
    await tx.insertRefund(refund);
    await tx.appendOutbox([buildEvent("refund.created", reserved, deps.applyContext(actor, "refund"), { refund: snapshotRefund(refund) })]);
    return {
      kind: "gateway",
      paymentId,
      gatewayKey: gatewayKeyFor(paymentId, "refund", refund.id),
      call: {
        op: "refund",
        paymentId,
        provider: payment.provider,
        providerPaymentId: payment.providerPaymentId ?? "",
        refundId: refund.id,
        amount,
        currency: payment.currency,
        reason: parsed.reason,
      },
    };
  };
}

/**
 * Phase 3: the provider's refund settles ours exactly once (succeeded: the reservation becomes refunded; failed:
 * it is released). A refusal, or our own giving up, fails a refund the provider never took.
 */
export const settleRefundCall: SettleStep<CallOf<"refund">> = async (tx, call, result, ctx) => {
  const payment = await loadPayment(tx, call.paymentId);
  const refund = await tx.getRefund(call.refundId);
  if (!refund) throw new PaymentError("internal", `refund ${call.refundId} vanished before settling`);
  // A refusal (or our own giving up) says nothing about a refund a webhook has settled meanwhile, nor about one
  // the provider already holds under its own id (a webhook saw it pending): keep it; that id settles it.
  if (result.kind === "rejected" && (refund.status !== "pending" || refund.providerRefundId !== null)) {
    return { ok: true, value: { refund, payment } };
  }
  const settled = await settleRefund(tx, refund, payment, reportedRefund(call, refund, result), ctx);
  return { ok: true, value: settled };
};

/** The provider's refund, or — for a refusal or an answer that is not a refund — a failed one in its place. */
function reportedRefund(call: CallOf<"refund">, refund: Refund, result: GatewayCallResult): GatewayRefund {
  if (result.kind === "refund") return result.refund;
  return {
    providerRefundId: refund.providerRefundId ?? "",
    refundId: refund.id,
    providerPaymentId: call.providerPaymentId,
    amount: refund.amount,
    currency: refund.currency,
    status: "failed",
    failureReason: result.kind === "rejected" ? result.error.message : "unexpected gateway answer",
  };
}
