import {
  assertStorableCustomerNumbers,
  assertStorableDisputeAmount,
  assertStorablePaymentAmounts,
  assertStorableSavedPaymentMethodNumbers,
} from "@org/payments-core";
import type { Customer, Dispute, Payment, SavedPaymentMethod } from "@org/payments-core";

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

/** A customer read from the file: its version must still be a safe integer (the compare-and-set counts on it). */
export function exactCustomer(customer: Customer): Customer {
  assertStorableCustomerNumbers(customer);
  return customer;
}

/** A saved method read from the file: its version and card expiry must still be safe integers. */
export function exactSavedPaymentMethod(method: SavedPaymentMethod): SavedPaymentMethod {
  assertStorableSavedPaymentMethodNumbers(method);
  return method;
}
