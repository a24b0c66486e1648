import { type Payment, PaymentError, type PaymentService } from "@org/payments-core";
import type { Request } from "express";
import { type Authorize, type PaymentAction, canSee } from "../authorization.js";
import { paymentIdParam } from "../http/path-params.js";
import { principalOf } from "../http/request-context.js";

/**
 * Who may act, in one place for every route file: the payment routes and the dispute routes must answer another
 * owner's payment with the same 404 as a missing one, and refuse with the same 403, or one of them would tell a
 * caller what the other hides.
 */
export interface PaymentAccess {
  /** 403 `forbidden` unless the authorization hook allows `action` (on `payment`, for id routes). */
  allow(action: PaymentAction, req: Request, payment?: Payment): Promise<void>;
  /** The payment of an id route: another owner's payment is indistinguishable from a missing one (404). */
  visiblePayment(req: Request, action: PaymentAction): Promise<Payment>;
}

export function createPaymentAccess(service: PaymentService, authorize: Authorize): PaymentAccess {
  async function allow(action: PaymentAction, req: Request, payment?: Payment): Promise<void> {
    if (!(await authorize(action, principalOf(req), payment))) {
      throw new PaymentError("forbidden", `not allowed to ${action.replace(".", " ").replace("_", " ")}`);
    }
  }

  async function visiblePayment(req: Request, action: PaymentAction): Promise<Payment> {
    const id = paymentIdParam(req);
    const payment = await service.getPayment(id);
    if (!canSee(principalOf(req), payment)) throw new PaymentError("not_found", `payment ${id} not found`, { details: { paymentId: id } });
    await allow(action, req, payment);
    return payment;
  }

  return { allow, visiblePayment };
}
