import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import { PaymentError } from "../../errors/index.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";

/** The customer an operation acts on, read inside its transaction; `not_found` if there is none. */
export async function loadCustomer(tx: Pick<PaymentStoreTx, "getCustomer">, customerId: string): Promise<Customer> {
  const customer = await tx.getCustomer(customerId);
  if (!customer) throw new PaymentError("not_found", `customer ${customerId} not found`, { details: { customerId } });
  return customer;
}

/** A customer that may take a new method or a charge: not deleted. */
export async function loadLiveCustomer(tx: Pick<PaymentStoreTx, "getCustomer">, customerId: string): Promise<Customer> {
  const customer = await loadCustomer(tx, customerId);
  if (customer.deletedAt !== null) {
    throw new PaymentError("invalid_state_transition", `customer ${customerId} was deleted`, { details: { customerId } });
  }
  return customer;
}

export async function loadSavedMethod(tx: Pick<PaymentStoreTx, "getSavedPaymentMethod">, methodId: string): Promise<SavedPaymentMethod> {
  const method = await tx.getSavedPaymentMethod(methodId);
  if (!method) throw new PaymentError("not_found", `payment method ${methodId} not found`, { details: { paymentMethodId: methodId } });
  return method;
}

/** Stores a customer change under its version guard; a lost race is a retryable `conflict`. */
export async function storeCustomer(tx: PaymentStoreTx, current: Customer, changes: Partial<Customer>, at: string): Promise<Customer> {
  const stored = await tx.updateCustomer({ ...current, ...changes, updatedAt: at, version: current.version + 1 }, current.version);
  if (!stored) throw new PaymentError("conflict", `customer ${current.id} changed concurrently`);
  return stored;
}

export async function storeSavedMethod(tx: PaymentStoreTx, current: SavedPaymentMethod, changes: Partial<SavedPaymentMethod>, at: string): Promise<SavedPaymentMethod> {
  const stored = await tx.updateSavedPaymentMethod({ ...current, ...changes, updatedAt: at, version: current.version + 1 }, current.version);
  if (!stored) throw new PaymentError("conflict", `payment method ${current.id} changed concurrently`);
  return stored;
}
