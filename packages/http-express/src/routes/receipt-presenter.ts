import { type Payment, type ReceiptPresentation, checkReceiptPresentation } from "@org/payments-core";
import type { ReceiptOptions } from "./receipt-options.js";

export type ReceiptPresenter = (payment: Payment) => Promise<ReceiptPresentation>;

/**
 * The presentation of one payment's receipt page from the router's receipt options. The fixed parts (locale, time
 * zone, merchant) are checked once, when the router is created, so a typo in a time zone fails the deploy rather
 * than the first customer; the payment method is asked of the host per payment.
 */
export function createReceiptPresenter(options: ReceiptOptions = {}): ReceiptPresenter {
  const fixed = checkReceiptPresentation({ locale: options.locale, timeZone: options.timeZone, merchant: options.merchant });
  const base: ReceiptPresentation = { locale: fixed.locale, timeZone: fixed.timeZone, merchant: fixed.merchant ?? undefined };
  return async (payment) => ({ ...base, paymentMethod: (await options.paymentMethod?.(payment)) ?? null });
}
