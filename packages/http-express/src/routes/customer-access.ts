import { type Customer, PaymentError, type PaymentService, type SavedPaymentMethod, isPaymentError } from "@org/payments-core";
import type { Request } from "express";
import { type Authorize, type PaymentAction, canSeeCustomer } from "../authorization.js";
import { customerIdParam, methodIdParam } from "../http/path-params.js";
import { principalOf } from "../http/request-context.js";

/**
 * Who may act on a customer and its saved methods. Another owner's customer is answered with exactly the bytes of
 * a customer that does not exist (one error built here for both), and so is a method of another customer: an owner
 * probing ids learns nothing.
 */
export interface CustomerAccess {
  /** The customer of a customer route, visible to the caller and allowed `action`. */
  visibleCustomer(req: Request, action: PaymentAction): Promise<Customer>;
  /** The saved method of a method route: the visible customer's own, else 404. */
  visibleMethod(req: Request, action: PaymentAction): Promise<{ customer: Customer; method: SavedPaymentMethod }>;
  /** 403 `forbidden` unless the authorization hook allows `action` (on `customer`, when given). */
  allow(action: PaymentAction, req: Request, customer?: Customer): Promise<void>;
}

function customerNotFound(id: string): PaymentError {
  return new PaymentError("not_found", `customer ${id} not found`, { details: { customerId: id } });
}

function methodNotFound(id: string): PaymentError {
  return new PaymentError("not_found", `payment method ${id} not found`, { details: { paymentMethodId: id } });
}

/** The store's answer, with its not_found replaced by ours (so a missing and a hidden record read the same). */
async function found<T>(read: () => Promise<T>, notFound: () => PaymentError): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isPaymentError(error, "not_found")) throw notFound();
    throw error;
  }
}

export function createCustomerAccess(service: PaymentService, authorize: Authorize): CustomerAccess {
  async function allow(action: PaymentAction, req: Request, customer?: Customer): Promise<void> {
    if (!(await authorize(action, principalOf(req), undefined, customer))) {
      throw new PaymentError("forbidden", `not allowed to ${action.replace(".", " ").replaceAll("_", " ")}`);
    }
  }

  async function visibleCustomer(req: Request, action: PaymentAction): Promise<Customer> {
    const id = customerIdParam(req);
    const customer = await found(() => service.getCustomer(id), () => customerNotFound(id));
    if (!canSeeCustomer(principalOf(req), customer)) throw customerNotFound(id);
    await allow(action, req, customer);
    return customer;
  }

  async function visibleMethod(req: Request, action: PaymentAction): Promise<{ customer: Customer; method: SavedPaymentMethod }> {
    const customer = await visibleCustomer(req, action);
    const methodId = methodIdParam(req);
    const method = await found(() => service.getSavedPaymentMethod(methodId), () => methodNotFound(methodId));
    if (method.customerId !== customer.id) throw methodNotFound(methodId);
    return { customer, method };
  }

  return { visibleCustomer, visibleMethod, allow };
}
