import type { Customer, Payment } from "@org/payments-core";
import type { Principal } from "./principal.js";

export type PaymentAction =
  | "payment.create"
  /** Create a payment that charges a saved method without the customer present (`offSession: true`). */
  | "payment.create_off_session"
  | "payment.read"
  | "payment.list_all"
  | "payment.confirm"
  /** Confirm an off-session payment still `pending`: the charge itself, made without the customer. */
  | "payment.confirm_off_session"
  | "payment.cancel"
  | "payment.cancel_authorized"
  /** Cancel an off-session payment (a charge the host decided on, not the customer's own checkout). */
  | "payment.cancel_off_session"
  | "payment.capture"
  | "payment.update"
  /** An update naming more than description and metadata (amount, currency, lines, references, customer). */
  | "payment.update_priced"
  | "payment.refund"
  | "refund.read"
  | "dispute.read"
  | "dispute.read_all"
  | "receipt.read"
  | "stats.read"
  | "metrics.read"
  /** Name an owner other than the token's `sub`: `owner` in POST /payments and POST /customers. */
  | "owner.act_for"
  | "customer.create"
  | "customer.read"
  | "customer.list_all"
  | "customer.update"
  | "customer.delete"
  | "payment_method.save"
  | "payment_method.read"
  | "payment_method.confirm"
  | "payment_method.detach";

/**
 * The authorization hook: may `principal` do `action` (on `payment`, for payment id routes; on `customer`, for
 * customer routes)? The customer comes fourth so that a hook written before customers still fits.
 */
export type Authorize = (action: PaymentAction, principal: Principal, payment?: Payment, customer?: Customer) => boolean | Promise<boolean>;

/** What a customer's own token may do, on its own payments and customers. */
const OWNER_ACTIONS: ReadonlySet<PaymentAction> = new Set([
  "payment.create",
  "payment.read",
  "payment.confirm",
  "payment.cancel",
  "refund.read",
  // A payment's disputes are the owner's to see (their charge was disputed); the queue across payments is not.
  "dispute.read",
  "receipt.read",
  // Their own customer record and cards on file: saving, finishing a save the bank challenged, removing.
  "customer.create",
  "customer.read",
  "customer.update",
  "customer.delete",
  "payment_method.save",
  "payment_method.read",
  "payment_method.confirm",
  "payment_method.detach",
]);

/** Of the owner's actions, those asked without a resource (nothing exists yet to be theirs). */
const OWNER_UNSCOPED: ReadonlySet<PaymentAction> = new Set(["payment.create", "customer.create"]);

/**
 * A host service acting for owners (a booking service charging a no-show fee, a back office saving a card over the
 * phone): everything an owner may do, for any owner, plus charging off-session and annotating payments after
 * confirmation. Not the operator's powers: no capture, refund, stats, metrics, everyone's lists or the disputes queue.
 */
const SERVICE_ACTIONS: ReadonlySet<PaymentAction> = new Set([
  ...OWNER_ACTIONS,
  "payment.create_off_session",
  "payment.confirm_off_session",
  "payment.cancel_off_session",
  "payment.update",
  "owner.act_for",
]);

/**
 * DESIGN's roles. Owners create, confirm and cancel their pending payments, read their own payments, refunds,
 * disputes and receipts, and manage their own customer and saved methods — but never charge a saved method
 * off-session, confirm an off-session payment that is still pending, or cancel one (their card would be charged,
 * or a charge the host decided on undone, by their token alone). The service role does all an owner does for any
 * owner, plus off-session charges and updates of description and metadata. Capture, refunds, priced updates, stats,
 * metrics, everyone's lists, the disputes queue and cancelling an authorization need the admin role.
 * Status-dependent rules (an owner cancels only before authorization) are passed into the operation instead of
 * decided here, so a retried request replays its stored answer even after the status moved on.
 */
export const defaultAuthorize: Authorize = (action, principal, payment, customer) => {
  if (principal.admin) return true;
  if (principal.service === true) return SERVICE_ACTIONS.has(action);
  if (!OWNER_ACTIONS.has(action)) return false;
  const owner = payment?.owner ?? customer?.owner;
  if (owner === undefined) return OWNER_UNSCOPED.has(action);
  return owner === principal.sub;
};

/**
 * Whether the principal may know the payment exists at all; if not, id routes answer 404, never 403. A service
 * acts for any owner, so it sees every payment by id (its lists still name the owner).
 */
export function canSee(principal: Principal, payment: Payment): boolean {
  return principal.admin || principal.service === true || payment.owner === principal.sub;
}

/** The same rule for a customer: another owner's is answered like one that does not exist. */
export function canSeeCustomer(principal: Principal, customer: Customer): boolean {
  return principal.admin || principal.service === true || customer.owner === principal.sub;
}
