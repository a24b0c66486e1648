import { PaymentError, textProblem } from "@org/payments-core";
import type { Request } from "express";

/**
 * The payment id of an id route. An id no payment can have (a control character, a lone surrogate, a card number,
 * more than 200 characters) is answered like any unknown id — 404, the same as another owner's payment — without
 * repeating it and without asking the store, which might refuse the text with an error of its own.
 */
export function paymentIdParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== "string" || textProblem(id, { min: 1, max: 200, refuseCardNumbers: "identifier" }) !== null) {
    throw new PaymentError("not_found", "no payment has this id", { details: { field: "id" } });
  }
  return id;
}

/**
 * The provider and the provider's payment id of the lookup route, under the same rule as a payment id: text no
 * payment can name (a control character, a card number, more than 200 characters) is 404 without asking the store.
 */
export function providerIdParams(req: Request): { provider: string; providerPaymentId: string } {
  const nameable = (value: unknown): string => {
    if (typeof value !== "string" || textProblem(value, { min: 1, max: 200, refuseCardNumbers: "identifier" }) !== null) {
      throw new PaymentError("not_found", "no payment has this provider id", { details: { field: "providerPaymentId" } });
    }
    return value;
  };
  return { provider: nameable(req.params.provider), providerPaymentId: nameable(req.params.providerPaymentId) };
}

/**
 * The dispute id of `GET /disputes/:id`, under the payment id's rule: text no dispute can have is 404 without being
 * repeated and without asking the store.
 */
export function disputeIdParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== "string" || textProblem(id, { min: 1, max: 200, refuseCardNumbers: "identifier" }) !== null) {
    throw new PaymentError("not_found", "no dispute has this id", { details: { field: "id" } });
  }
  return id;
}

/**
 * The customer id of a customer route, under the payment id's rule: text no customer can have is 404 without being
 * repeated and without asking the store.
 */
export function customerIdParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== "string" || textProblem(id, { min: 1, max: 200, refuseCardNumbers: "identifier" }) !== null) {
    throw new PaymentError("not_found", "no customer has this id", { details: { field: "id" } });
  }
  return id;
}

/** The saved method id of `/customers/:id/payment-methods/:methodId`, under the same rule. */
export function methodIdParam(req: Request): string {
  const id = req.params.methodId;
  if (typeof id !== "string" || textProblem(id, { min: 1, max: 200, refuseCardNumbers: "identifier" }) !== null) {
    throw new PaymentError("not_found", "no payment method has this id", { details: { field: "methodId" } });
  }
  return id;
}
