import { PaymentError } from "../errors/index.js";
import { formatMoney } from "../money/money.js";
import type { Payment, PaymentStatus } from "./payment.js";
import { COMMAND_STATUSES, commandRefusal } from "./transitions.js";

/**
 * The refund ceiling and its bookkeeping. A payment always keeps captured ≥ refunded + reserved: a refund reserves
 * its amount in the same transaction that checks the ceiling, so concurrent refunds can never together exceed what
 * was captured; settling moves the reservation into `amountRefunded`, a failure releases it.
 */

/** Statuses a refund may start from (the captured ones; a fully refunded payment answers "nothing is left"). */
export const REFUNDABLE_STATUSES: readonly PaymentStatus[] = COMMAND_STATUSES.refund.accepts;

/** What may still be refunded: captured, less what was refunded and what refunds in flight hold. */
export function refundableAmount(payment: Payment): number {
  return payment.amountCaptured - payment.amountRefunded - payment.amountRefundReserved;
}

/**
 * Checks a refund of `requested` (default: all that is refundable) against the payment's status and ceiling, and
 * returns the amount to refund. Throws `invalid_state_transition` or `refund_exceeds_captured`, changing nothing.
 */
export function assertRefundable(payment: Payment, requested?: number): number {
  if (!(REFUNDABLE_STATUSES as readonly string[]).includes(payment.status)) throw commandRefusal("refund", payment);
  const refundable = refundableAmount(payment);
  const amount = requested ?? refundable;
  if (amount > 0 && amount <= refundable) return amount;
  const m = (minor: number) => formatMoney(minor, payment.currency);
  throw new PaymentError(
    "refund_exceeds_captured",
    refundable === 0
      ? `nothing is left to refund on ${payment.id}: ${m(payment.amountCaptured)} captured, ${m(payment.amountRefunded)} refunded`
      : `a refund of ${m(amount)} exceeds the ${m(refundable)} still refundable on ${payment.id}`,
    { details: { paymentId: payment.id, requested: amount, refundable } },
  );
}

/** Which captured status the refunded amount leaves a payment in. */
export function capturedStatusAfter(amountCaptured: number, amountRefunded: number): "succeeded" | "partially_refunded" | "refunded" {
  if (amountRefunded <= 0) return "succeeded";
  return amountRefunded >= amountCaptured ? "refunded" : "partially_refunded";
}

/** The payment's amounts once a refund of `amount` is reserved (checked by `assertRefundable` first). */
export function reserveRefund(payment: Payment, amount: number): Pick<Payment, "amountRefundReserved"> {
  return { amountRefundReserved: payment.amountRefundReserved + amount };
}

/** The payment's amounts and status once a reserved refund of `amount` succeeded. */
export function settleReservedRefund(
  payment: Payment,
  amount: number,
): Pick<Payment, "amountRefunded" | "amountRefundReserved"> & { status: PaymentStatus } {
  const amountRefunded = payment.amountRefunded + amount;
  return {
    amountRefunded,
    amountRefundReserved: payment.amountRefundReserved - amount,
    // Every refund of a captured payment counts towards "refunded", also a first one of the whole amount.
    status: amountRefunded >= payment.amountCaptured ? "refunded" : "partially_refunded",
  };
}

/** The payment's amounts once a reserved refund of `amount` failed: the reservation is released. */
export function releaseRefund(payment: Payment, amount: number): Pick<Payment, "amountRefundReserved"> {
  return { amountRefundReserved: Math.max(0, payment.amountRefundReserved - amount) };
}

/**
 * The payment's amounts and status once a refund of `amount` that had succeeded is failed by the provider: it no
 * longer counts as refunded. A payment not in a captured status keeps its status.
 */
export function reverseSettledRefund(payment: Payment, amount: number): Pick<Payment, "amountRefunded"> & { status: PaymentStatus } {
  const amountRefunded = Math.max(0, payment.amountRefunded - amount);
  if (!(REFUNDABLE_STATUSES as readonly string[]).includes(payment.status)) return { amountRefunded, status: payment.status };
  return { amountRefunded, status: amountRefunded === 0 ? "succeeded" : "partially_refunded" };
}
