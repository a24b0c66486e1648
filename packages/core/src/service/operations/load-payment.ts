import type { Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";

/** The `not_found` an operation (or a read) answers for a payment id the store does not know. */
export function paymentNotFound(paymentId: string): PaymentError {
  return new PaymentError("not_found", `payment ${paymentId} not found`, { details: { paymentId } });
}

/** The payment an operation acts on, read inside its transaction; `not_found` if there is none. */
export async function loadPayment(tx: PaymentStoreTx, paymentId: string): Promise<Payment> {
  const payment = await tx.getPayment(paymentId);
  if (!payment) throw paymentNotFound(paymentId);
  return payment;
}
