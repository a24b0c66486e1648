import { assertStorableDisputeAmount, assertStorablePaymentAmounts } from "@org/payments-core";
import type { Dispute, Payment } from "@org/payments-core";

/**
 * A payment read from the file, checked: what every read hands out. JSON numbers are doubles: a digit string past
 * 2^53 in the file parses to a nearby, different number, which is never a safe integer, so the core's write check
 * (`assertStorablePaymentAmounts`, which every write here runs too) turns "a slightly different amount of money"
 * into a loud `internal` error on the way out as well.
 */
export function exactPayment(payment: Payment): Payment {
  assertStorablePaymentAmounts(payment);
  return payment;
}

/** A dispute read from the file, checked the same way: its amount and version must still be safe integers. */
export function exactDispute(dispute: Dispute): Dispute {
  assertStorableDisputeAmount(dispute);
  return dispute;
}
