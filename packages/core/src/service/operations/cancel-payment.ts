import { z } from "zod";
import { transitionPayment } from "../../domain/state-machine.js";
import { assertCommandAccepts, commandRefusal } from "../../domain/transitions.js";
import type { Payment, PaymentStatus } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import { persistTransition } from "../apply-gateway-result.js";
import { freeText } from "./input-fields.js";
import { loadPayment } from "./load-payment.js";
import type { CallOf, ClaimStep, OperationContext, OperationDeps, PaymentResult, SettleStep } from "./operation.js";
import { parseInput } from "./parse-input.js";
import { settlePaymentAnswer } from "./settle-payment-answer.js";

/*
 * Cancel: ends a payment before money moved. One the provider does not hold yet (pending, or waiting for a customer
 * step it never created) is canceled here without a gateway call; an authorization or an open customer step is
 * canceled at the provider.
 */

export const cancelPaymentSchema = z.object({ reason: freeText(500).pipe(z.string().min(1)).optional() }).strict();
export type CancelPaymentInput = z.input<typeof cancelPaymentSchema>;
type CancelParams = z.output<typeof cancelPaymentSchema>;

/**
 * Who cancels and under which key, and what this caller may cancel: `allowedStatuses` limits it (an owner may cancel
 * only before authorization). Decided inside the operation, under the key, so a refusal is stored and replayed.
 */
export type CancelContext = OperationContext & { allowedStatuses?: readonly PaymentStatus[] | undefined };

/** @deprecated The limit is a field of the cancel's context now (`CancelContext.allowedStatuses`). */
export type CancelPolicy = Pick<CancelContext, "allowedStatuses">;

/** Cancels a payment before money moved: pending (locally), requires_action or authorized (at the provider). */
export async function cancelPayment(
  deps: OperationDeps,
  paymentId: string,
  input: CancelPaymentInput,
  ctx: CancelContext,
): Promise<PaymentResult> {
  const parsed = parseInput(cancelPaymentSchema, input);
  const { allowedStatuses, ...operation } = ctx;
  const result = await deps.run<{ payment: Payment }>(
    "payment.cancel",
    { paymentId, ...parsed },
    operation,
    claimCancel(deps, paymentId, parsed, allowedStatuses),
  );
  return { payment: result.value.payment, replayed: result.replayed };
}

/** Phase 1: the caller's limit, then a local cancel (nothing at the provider yet) or the call to cancel there. */
function claimCancel(
  deps: OperationDeps,
  paymentId: string,
  parsed: CancelParams,
  allowedStatuses: readonly PaymentStatus[] | undefined,
): ClaimStep {
  return async (tx, actor) => {
    const payment = await loadPayment(tx, paymentId);
    if (allowedStatuses && !allowedStatuses.includes(payment.status)) {
      throw new PaymentError("forbidden", `you may cancel only a payment that is ${allowedStatuses.join(" or ")}; this one is ${payment.status}`, {
        details: { paymentId, status: payment.status },
      });
    }
    assertCommandAccepts("cancel", payment);
    if (payment.status === "pending" || (payment.status === "requires_action" && !payment.providerPaymentId)) {
      const ctx = deps.applyContext(actor, parsed.reason ?? "canceled");
      const canceled = await persistTransition(tx, payment, transitionPayment(payment, "canceled", ctx));
      return { kind: "done", paymentId, value: { payment: canceled } };
    }
    // An authorization the provider does not name cannot be canceled there.
    if (!payment.providerPaymentId) throw commandRefusal("cancel", payment);
    return {
      kind: "gateway",
      paymentId,
      gatewayKey: gatewayKeyFor(paymentId, "cancel"),
      call: { op: "cancel", paymentId, provider: payment.provider, providerPaymentId: payment.providerPaymentId },
    };
  };
}

/** Phase 3: a refused cancel leaves the payment as it was; the canceled object cancels it here. */
export const settleCancel: SettleStep<CallOf<"cancel">> = settlePaymentAnswer;
