import { type Customer, type PaymentService, type SavedPaymentMethod, isPaymentError } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";

/*
 * A customer or saved method the operator named, or `not_found` (exit 7) with a fix that points at the right list:
 * core's not_found hint names `payments list`, which is no help in finding a customer.
 */

function notFound(what: string, id: string, list: string): CliError {
  return new CliError("not_found", `${what} ${id} not found`, EXIT.notFound, `check the id with \`payments-cli ${list}\``);
}

async function orNotFound<T>(read: () => Promise<T>, error: () => CliError): Promise<T> {
  try {
    return await read();
  } catch (caught) {
    if (isPaymentError(caught, "not_found")) throw error();
    throw caught;
  }
}

export function customerById(service: PaymentService, id: string): Promise<Customer> {
  return orNotFound(() => service.getCustomer(id), () => notFound("customer", id, "customers list"));
}

/** The customer's saved methods, oldest first, detached ones included (for the record). */
export function methodsOf(service: PaymentService, customerId: string): Promise<SavedPaymentMethod[]> {
  return orNotFound(() => service.listSavedPaymentMethods(customerId), () => notFound("customer", customerId, "customers list"));
}

export function methodById(service: PaymentService, id: string): Promise<SavedPaymentMethod> {
  return orNotFound(() => service.getSavedPaymentMethod(id), () => notFound("payment method", id, "methods list --customer <cus_…>"));
}
