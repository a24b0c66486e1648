import { configurationError } from "../errors/index.js";

/** The card (or wallet) the customer paid with, as the host knows it: never more than the last four digits. */
export interface ReceiptPaymentMethod {
  /** "Visa", "Mastercard", "PayPal". */
  brand: string;
  /** Exactly four digits, or absent for a method without a number (a wallet). */
  last4?: string | undefined;
}

export interface ReceiptMerchant {
  name: string;
  /** Address lines, printed one per line. */
  address?: readonly string[] | undefined;
}

/**
 * How a receipt page is presented to a customer: none of this is stored on the payment, so the host supplies it.
 * Amounts and dates are formatted for `locale` (BCP 47, default "en-US") and `timeZone` (IANA, default "UTC").
 */
export interface ReceiptPresentation {
  locale?: string | undefined;
  timeZone?: string | undefined;
  merchant?: ReceiptMerchant | undefined;
  paymentMethod?: ReceiptPaymentMethod | null | undefined;
}

export interface CheckedReceiptPresentation {
  locale: string;
  timeZone: string;
  merchant: ReceiptMerchant | null;
  paymentMethod: ReceiptPaymentMethod | null;
}

const MAX_TEXT = 200;

function checkText(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim().length === 0 || value.length > MAX_TEXT) {
    throw configurationError(`receipt ${field} must be non-empty text of at most ${MAX_TEXT} characters`, { field });
  }
  return value;
}

function checkLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical !== undefined) return canonical;
  } catch {
    // falls through to the configuration error
  }
  throw configurationError("receipt locale must be a BCP 47 language tag such as en-US", { field: "locale" });
}

function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw configurationError("receipt timeZone must be an IANA time zone such as Europe/Paris", { field: "timeZone" });
  }
}

/**
 * Checks what a host passed before anything is rendered. A `last4` that is not exactly four digits is refused
 * outright: a host handing over a whole card number by mistake must not get it printed on a page.
 */
export function checkReceiptPresentation(presentation: ReceiptPresentation = {}): CheckedReceiptPresentation {
  const merchant = presentation.merchant
    ? {
        name: checkText(presentation.merchant.name, "merchant.name"),
        address: (presentation.merchant.address ?? []).map((line, i) => checkText(line, `merchant.address[${i}]`)),
      }
    : null;
  const method = presentation.paymentMethod ?? null;
  if (method !== null) {
    checkText(method.brand, "paymentMethod.brand");
    if (method.last4 !== undefined && !/^\d{4}$/.test(method.last4)) {
      throw configurationError("receipt paymentMethod.last4 must be exactly four digits", { field: "paymentMethod.last4" });
    }
  }
  return {
    locale: checkLocale(presentation.locale ?? "en-US"),
    timeZone: checkTimeZone(presentation.timeZone ?? "UTC"),
    merchant,
    paymentMethod: method === null ? null : { brand: method.brand, ...(method.last4 !== undefined ? { last4: method.last4 } : {}) },
  };
}
