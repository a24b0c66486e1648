import type { Payment } from "@org/payments-core";
import type { Principal } from "./principal.js";

export type PaymentAction =
  | "payment.create"
  | "payment.read"
  | "payment.list_all"
  | "payment.confirm"
  | "payment.cancel"
  | "payment.cancel_authorized"
  | "payment.capture"
  | "payment.update"
  | "payment.refund"
  | "refund.read"
  | "dispute.read"
  | "dispute.read_all"
  | "receipt.read"
  | "stats.read"
  | "metrics.read";

/** The authorization hook: may `principal` do `action` (on `payment`, for id routes)? */
export type Authorize = (action: PaymentAction, principal: Principal, payment?: Payment) => boolean | Promise<boolean>;

const OWNER_ACTIONS: ReadonlySet<PaymentAction> = new Set([
  "payment.create",
  "payment.read",
  "payment.confirm",
  "payment.cancel",
  "refund.read",
  // A payment's disputes are the owner's to see (their charge was disputed); the queue across payments is not.
  "dispute.read",
  "receipt.read",
]);

/**
 * DESIGN's roles: owners create, confirm, cancel their pending payments and read their own payments, refunds,
 * disputes and receipts; capture, refunds, updates, stats, metrics, everyone's list, the disputes of every payment
 * (`dispute.read_all`: GET /disputes, GET /disputes/:id) and cancelling an authorization need the admin
 * role (an update can change the amount a host priced: a host that lets owners update says so in its own hook).
 * Status-dependent rules (an owner cancels only before authorization) are passed into the operation instead of
 * decided here, so a retried request replays its stored answer even after the status moved on.
 */
export const defaultAuthorize: Authorize = (action, principal, payment) => {
  if (principal.admin) return true;
  if (!OWNER_ACTIONS.has(action)) return false;
  if (payment === undefined) return action === "payment.create";
  return payment.owner === principal.sub;
};

/** Whether the principal may know the payment exists at all; if not, id routes answer 404, never 403. */
export function canSee(principal: Principal, payment: Payment): boolean {
  return principal.admin || payment.owner === principal.sub;
}
