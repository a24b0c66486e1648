import { PaymentError } from "@org/payments-core";
import type { Payment, Refund } from "@org/payments-core";

const PAYMENT_INTEGERS = ["amount", "amountCaptured", "amountRefunded", "amountRefundReserved", "version"] as const;

/**
 * Money is a safe integer of minor units. JSON numbers are doubles: a digit string past 2^53 in the file parses to a
 * nearby, different number, which is never a safe integer, so checking every amount when a payment leaves the file
 * turns "a slightly different amount of money" into a loud `internal` error. A write of a fraction, NaN or 2^53 is
 * refused the same way before it reaches the file (JSON would keep 0.5, and write NaN as null). `internal`: the
 * service checks every amount a caller sends, so such a value here is a bug. Messages name the field, never the value.
 */
function assertSafeInteger(value: number, field: string, where: "stored" | "written"): void {
  if (!Number.isSafeInteger(value)) throw new PaymentError("internal", `${where} ${field} is not a safe integer`, { details: { field } });
}

export function assertExactAmounts(payment: Payment, where: "stored" | "written"): void {
  for (const field of PAYMENT_INTEGERS) assertSafeInteger(payment[field], `payment.${field}`, where);
}

export function assertExactRefundAmount(refund: Refund): void {
  assertSafeInteger(refund.amount, "refund.amount", "written");
}

/** A payment read from the file, checked: what every read hands out. */
export function exactPayment(payment: Payment): Payment {
  assertExactAmounts(payment, "stored");
  return payment;
}
