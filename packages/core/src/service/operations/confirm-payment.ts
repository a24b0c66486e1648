import { z } from "zod";
import { refuseConfirmation, transitionPayment } from "../../domain/state-machine.js";
import { assertCommandAccepts } from "../../domain/transitions.js";
import type { Payment } from "../../domain/payment.js";
import { PaymentError, type PaymentErrorBody, isDeclineCode } from "../../errors/index.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import { advancePayment, persistTransition } from "../apply-gateway-result.js";
import { paymentMethodIdSchema, redirectUrl } from "./input-fields.js";
import { loadPayment } from "./load-payment.js";
import type { CallOf, ClaimStep, OperationContext, OperationDeps, PaymentResult, SettleStep } from "./operation.js";
import { parseInput } from "./parse-input.js";
import { answeredPayment, refusalOutcome } from "./settle-payment-answer.js";
import { recordMethodSavedWithPayment, savedMethodCallFields, savedMethodOf } from "../customers/charge-saved-method.js";

/*
 * Confirm: charges (or, for manual capture, authorizes) a pending payment through a `create` call; on a payment in
 * `requires_action` it resumes after the customer completed the step, through a `resume` call. Both settle the same
 * way (settleConfirmation): a decline fails the payment, a refused request puts it back where the confirm found it.
 */

export const confirmPaymentSchema = z
  .object({
    paymentMethodId: paymentMethodIdSchema.optional(),
    returnUrl: redirectUrl.optional(),
    cancelUrl: redirectUrl.optional(),
    /** Save the method for later off-session charges of the payment's customer (Stripe setup_future_usage, PayPal vault). */
    savePaymentMethod: z.boolean().optional(),
  })
  .strict();
export type ConfirmPaymentInput = z.input<typeof confirmPaymentSchema>;
type ConfirmParams = z.output<typeof confirmPaymentSchema>;

/**
 * Charges (or, for manual capture, authorizes) a pending payment; on a payment in `requires_action` it resumes
 * after the customer completed the step. Declines answer with their card error code and leave it `failed`.
 */
export async function confirmPayment(
  deps: OperationDeps,
  paymentId: string,
  input: ConfirmPaymentInput,
  ctx: OperationContext,
): Promise<PaymentResult> {
  const parsed = parseInput(confirmPaymentSchema, input);
  const result = await deps.run<{ payment: Payment }>("payment.confirm", { paymentId, ...parsed }, ctx, claimConfirm(deps, paymentId, parsed));
  return { payment: result.value.payment, replayed: result.replayed };
}

/** Phase 1: the payment moves to processing, and the call is a resume (a customer step is done) or a create. */
function claimConfirm(deps: OperationDeps, paymentId: string, parsed: ConfirmParams): ClaimStep {
  return async (tx, actor) => {
    const payment = await loadPayment(tx, paymentId);
    assertCommandAccepts("confirm", payment);
    const applyCtx = deps.applyContext(actor, payment.status === "requires_action" ? "resumed" : "confirmed");
    const paymentMethodId = parsed.paymentMethodId ?? payment.paymentMethodId;
    const saved = await savedMethodOf(tx, payment, paymentMethodId);
    // A saved method is ours (`spm_…`): the provider is sent its token, checked when it was saved.
    if (payment.status === "pending" && saved === null) assertConfirmable(deps, payment, paymentMethodId);
    const savedFields = payment.status === "pending" ? await savedMethodCallFields(tx, payment, saved, parsed.savePaymentMethod === true) : {};
    if (payment.status === "requires_action" && payment.providerPaymentId) {
      const moved = await persistTransition(
        tx,
        payment,
        transitionPayment(payment, "processing", applyCtx, { paymentMethodId, nextAction: null }),
      );
      return {
        kind: "gateway",
        paymentId,
        gatewayKey: gatewayKeyFor(paymentId, "resume", String(moved.version)),
        call: {
          op: "resume",
          paymentId,
          provider: payment.provider,
          providerPaymentId: payment.providerPaymentId,
          // The customer came back to authenticate an off-session charge: the provider is sent its own token.
          paymentMethodId: saved?.providerPaymentMethodId ?? paymentMethodId,
          returnUrl: parsed.returnUrl ?? null,
          captureMethod: payment.captureMethod,
          previousNextAction: payment.nextAction,
        },
      };
    }
    const moved = await persistTransition(tx, payment, transitionPayment(payment, "processing", applyCtx, { paymentMethodId }));
    return {
      kind: "gateway",
      paymentId,
      // A payment confirmed before (and refused as an invalid request) gets a key of its own per attempt: the
      // provider remembers the refused request under the old key.
      gatewayKey: payment.version === 1 ? gatewayKeyFor(paymentId, "confirm") : gatewayKeyFor(paymentId, "confirm", `v${moved.version}`),
      call: {
        op: "create",
        paymentId,
        provider: moved.provider,
        amount: moved.amount,
        currency: moved.currency,
        captureMethod: moved.captureMethod,
        paymentMethodId,
        returnUrl: parsed.returnUrl ?? null,
        cancelUrl: parsed.cancelUrl ?? null,
        description: moved.description,
        customerId: moved.customerId,
        customerEmail: moved.customerEmail,
        ...savedFields,
      },
    };
  };
}

/**
 * Everything a first confirm needs that can be known without the provider, checked before the payment moves: a
 * refused request (validation_error, not stored under the key) leaves the payment exactly as it was.
 */
function assertConfirmable(deps: OperationDeps, payment: Payment, paymentMethodId: string | null): void {
  const gateway = deps.gatewayFor(payment.provider);
  if (paymentMethodId === null) {
    if (!gateway.capabilities.paymentMethodRequired) return;
    throw new PaymentError("validation_error", `${payment.provider} needs a payment method to confirm: pass paymentMethodId`, {
      details: { paymentId: payment.id, issues: [{ path: "paymentMethodId", message: "is required by this provider" }] },
    });
  }
  const refused = gateway.checkPaymentMethod?.(paymentMethodId) ?? null;
  if (refused) throw refused;
}

/**
 * Phase 3 of a create or a resume. A decline fails the payment and answers with its card error code. A request the
 * provider refused itself moved no money: the payment goes back to where the confirm found it (pending, or
 * requires_action with its customer step), confirmable again with a corrected request under a new key.
 */
export const settleConfirmation: SettleStep<CallOf<"create" | "resume">> = async (tx, call, result, ctx) => {
  const payment = await loadPayment(tx, call.paymentId);
  if (result.kind === "rejected") {
    if (payment.status === "processing") {
      const lastError = { code: result.error.code, message: result.error.message, declineCode: result.error.declineCode };
      if (result.answer === "declined") {
        const failed = await persistTransition(tx, payment, transitionPayment(payment, "failed", ctx, { lastError }));
        return refusalOutcome(result.error, failed.id);
      }
      const back = call.op === "create" ? "pending" : "requires_action";
      const nextAction = call.op === "resume" ? (call.previousNextAction ?? null) : null;
      const refusedCtx = { ...ctx, reason: `refused by ${call.provider}: ${result.error.code}` };
      await persistTransition(tx, payment, refuseConfirmation(payment, back, refusedCtx, { lastError, nextAction }));
    }
    return refusalOutcome(result.error, payment.id);
  }
  const reported = answeredPayment(result);
  const next = await advancePayment(tx, payment, reported, ctx);
  // A method saved while paying is recorded by the answer that took the money: the create's (Stripe), or the resume's
  // after the payer approved (PayPal saves at capture). The payment gets there once, so the method is saved once.
  if (reported.savedMethod && next.status !== payment.status && (next.status === "succeeded" || next.status === "authorized")) {
    await recordMethodSavedWithPayment(tx, next, reported, ctx);
  }
  if (next.status === "failed") return { ok: false, error: declineError(next) };
  return { ok: true, value: { payment: next } };
};

/** The answer to a confirm the provider declined: the payment's card error code, else `card_declined`. */
function declineError(payment: Payment): PaymentErrorBody {
  const failure = payment.lastError;
  const code = failure && isDeclineCode(failure.code) ? failure.code : "card_declined";
  const body: PaymentErrorBody = {
    code,
    message: failure?.message ?? "the payment was declined",
    details: { paymentId: payment.id },
  };
  if (failure?.declineCode !== undefined) body.declineCode = failure.declineCode;
  return body;
}
