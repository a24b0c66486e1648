import { PaymentError } from "@org/payments-core";
import type { Payment } from "@org/payments-core";

const AMOUNT_FIELDS = ["amount", "amountCaptured", "amountRefunded", "amountRefundReserved", "version"] as const;

/**
 * Money is a safe integer of minor units. JSON numbers are doubles: a digit string past 2^53 in the file parses to a
 * nearby, different number, which is never a safe integer, so checking every amount when a payment leaves the file
 * (and before one goes in) turns "a slightly different amount of money" into a loud `internal` error. The message
 * names the field, never the value.
 */
export function assertExactAmounts(payment: Payment, where: "stored" | "written"): void {
  for (const field of AMOUNT_FIELDS) {
    if (!Number.isSafeInteger(payment[field])) {
      throw new PaymentError("internal", `${where} payment.${field} is not a safe integer`, { details: { field: `payment.${field}` } });
    }
  }
}

/** A payment read from the file, checked: what every read hands out. */
export function exactPayment(payment: Payment): Payment {
  assertExactAmounts(payment, "stored");
  return payment;
}
