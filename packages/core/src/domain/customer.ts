import type { NextAction, PaymentFailure } from "./payment.js";

/**
 * A customer: the person a host charges again without them present (a rider's card on file, a guest's balance at
 * check-out). It belongs to an owner (the user the host's tokens name), holds the provider's own customer id per
 * provider (set when a provider first needs one), and its saved payment methods.
 */
export interface Customer {
  /** Ours: `cus_…`. */
  id: string;
  /** The user it belongs to (a JWT `sub`): only they, a host service acting for them, or an admin may use it. */
  owner: string;
  email: string | null;
  name: string | null;
  metadata: Record<string, string>;
  /** The provider's customer id, by provider (Stripe `cus_…`, PayPal's vault customer id). */
  providerCustomerIds: Record<string, string>;
  /** The saved method an off-session charge uses when it names none; null when there is none. */
  defaultPaymentMethodId: string | null;
  /**
   * When it was deleted: a deleted customer keeps its record (payments name it) but holds no active method and
   * takes no new one. Null while it is live.
   */
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every stored change increments it by one. */
  version: number;
}

export const SAVED_PAYMENT_METHOD_STATUSES = ["pending", "requires_action", "active", "failed", "detaching", "detached"] as const;
/**
 * pending: being saved at the provider; requires_action: the bank asks the customer to authenticate the saving;
 * active: chargeable; failed: the provider refused to save it; detaching: removed here, never chargeable again, still
 * to be removed at the provider (a detach re-sends until it is); detached: removed here and at the provider.
 */
export type SavedPaymentMethodStatus = (typeof SAVED_PAYMENT_METHOD_STATUSES)[number];

/**
 * A payment method saved for a customer. What is stored is the provider's reusable token and what a person needs to
 * recognise the card (brand, last four digits, expiry): never a card number, never a CVC.
 */
export interface SavedPaymentMethod {
  /** Ours: `spm_…`. */
  id: string;
  customerId: string;
  owner: string;
  provider: string;
  status: SavedPaymentMethodStatus;
  /** `card`, `paypal`, … as the provider says. */
  type: string;
  brand: string | null;
  /** The last four digits, when the provider says (cards). */
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  /** The provider's reusable token (Stripe `pm_…`, PayPal's payment token id), once saved. */
  providerPaymentMethodId: string | null;
  /** The provider's setup object while saving (Stripe `seti_…`, PayPal's setup token). */
  providerSetupId: string | null;
  /** What the customer must do to finish saving (status requires_action). */
  nextAction: NextAction | null;
  /** Why saving failed (status failed). */
  lastError: PaymentFailure | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}
