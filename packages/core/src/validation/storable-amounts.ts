import type { Customer, SavedPaymentMethod } from "../domain/customer.js";
import type { Dispute } from "../domain/dispute.js";
import type { Payment, Refund } from "../domain/payment.js";
import { PaymentError } from "../errors/index.js";

/**
 * The SQL stores hold amounts in 64-bit integer columns and refuse a write that is not a safe integer; the memory
 * store refuses the same writes, so that a bug making a fractional or rounded amount fails here as it would in
 * production, instead of being kept silently. `internal`: no caller input reaches a store unchecked, so such a
 * write is a bug. The message names the field, never the value.
 */
function assertSafeAmount(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) throw new PaymentError("internal", `${field} must be a safe integer`, { details: { field } });
}

/** Exported for store adapters: the port requires every store to refuse a payment write with such an amount. */
export function assertStorablePaymentAmounts(payment: Payment): void {
  assertSafeAmount(payment.amount, "payment.amount");
  assertSafeAmount(payment.amountCaptured, "payment.amountCaptured");
  assertSafeAmount(payment.amountRefunded, "payment.amountRefunded");
  assertSafeAmount(payment.amountRefundReserved, "payment.amountRefundReserved");
  assertSafeAmount(payment.version, "payment.version");
}

/** Exported for store adapters: the port requires every store to refuse a refund write with such an amount. */
export function assertStorableRefundAmount(refund: Refund): void {
  assertSafeAmount(refund.amount, "refund.amount");
}

/** Exported for store adapters: the port requires every store to refuse a dispute write with such an amount. */
export function assertStorableDisputeAmount(dispute: Dispute): void {
  assertSafeAmount(dispute.amount, "dispute.amount");
  assertSafeAmount(dispute.version, "dispute.version");
}

/**
 * Exported for store adapters: versions and card expiry are integers in every store; a write holding anything else
 * is a bug, refused as for amounts.
 */
export function assertStorableCustomerNumbers(customer: Customer): void {
  assertSafeAmount(customer.version, "customer.version");
}

export function assertStorableSavedPaymentMethodNumbers(method: SavedPaymentMethod): void {
  assertSafeAmount(method.version, "paymentMethod.version");
  if (method.expMonth !== null) assertSafeAmount(method.expMonth, "paymentMethod.expMonth");
  if (method.expYear !== null) assertSafeAmount(method.expYear, "paymentMethod.expYear");
}
