import { PaymentError, currencyExponent } from "@org/payments-core";

/**
 * Where Stripe's amount unit differs from ISO 4217's minor unit. Core amounts are always ISO minor units; these are
 * converted exactly (integer arithmetic only) at the edge of every Stripe call. From Stripe's "Supported currencies"
 * page (zero-decimal list, three-decimal list and "special cases"):
 * - MGA: ISO exponent 2, but Stripe treats it as zero-decimal → Stripe amount = ISO amount / 100; an ISO amount that
 *   is not a whole number of ariary cannot be sent and is `invalid_amount`.
 * - ISK: ISO exponent 0, but Stripe keeps a two-decimal representation for backwards compatibility (the decimals
 *   are always 00) → Stripe amount = ISO amount × 100.
 * - UGX: ISO exponent 0; listed by Stripe as zero-decimal but, like ISK, sent as a two-decimal value whose decimals
 *   are 00 (a charge read by Stripe as "120.00 USh" was sent as 12000) → × 100.
 * - HUF, TWD: ISO exponent 2 and Stripe charges take two decimals too; Stripe only treats them as zero-decimal for
 *   payouts, which this adapter does not make → no conversion.
 * - Other zero-decimal currencies at Stripe (BIF CLP DJF GNF JPY KMF KRW PYG RWF VND VUV XAF XOF XPF) are ISO
 *   exponent 0 too → no conversion.
 * - BHD JOD KWD OMR TND: three decimals at both, but Stripe requires the last digit to be 0 → an amount not
 *   divisible by 10 is `invalid_amount` before any call.
 */
const STRIPE_DIVIDES_BY_100 = new Set(["MGA"]);
const STRIPE_MULTIPLIES_BY_100 = new Set(["ISK", "UGX"]);
export const STRIPE_THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);
export const STRIPE_ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(
  "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split(" "),
);

/**
 * ISO codes Stripe does not present charges in: three- and four-decimal currencies outside Stripe's three-decimal
 * list (no exact mapping exists) and ISO funds codes. Any other code is sent, and Stripe's own refusal is mapped to
 * `currency_not_supported`.
 */
const NOT_AT_STRIPE = new Set(["IQD", "LYD", "CLF", "UYW", "BOV", "CHE", "CHW", "COU", "MXV", "USN", "UYI"]);

/**
 * Stripe's documented minimum charge amounts, in ISO minor units (equal to Stripe's units for these currencies).
 * Stripe may also refuse amounts that convert to less than its minimum in the account's settlement currency; that
 * refusal arrives from the API and maps to `amount_too_small` as well.
 */
export const STRIPE_MINIMUM_AMOUNTS: Readonly<Record<string, number>> = Object.freeze({
  USD: 50, AED: 200, AUD: 50, BGN: 100, BRL: 50, CAD: 50, CHF: 50, CZK: 1500, DKK: 250, EUR: 50, GBP: 30,
  HKD: 400, HUF: 17500, INR: 50, JPY: 50, MXN: 1000, MYR: 200, NOK: 300, NZD: 50, PLN: 200, RON: 200, SEK: 300,
  SGD: 50, THB: 1000,
});

export function assertStripeCurrency(currency: string): string {
  const upper = currency.toUpperCase();
  currencyExponent(upper); // unknown to ISO 4217 → validation_error from core
  if (NOT_AT_STRIPE.has(upper)) {
    throw new PaymentError("currency_not_supported", `Stripe does not accept charges in ${upper}`, {
      details: { currency: upper, provider: "stripe" },
    });
  }
  return upper;
}

/** ISO minor units → the integer Stripe expects in `amount` fields. Throws `invalid_amount` if not representable. */
export function toStripeAmount(amount: number, currency: string): number {
  const upper = assertStripeCurrency(currency);
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new PaymentError("invalid_amount", "amount must be a safe integer number of minor units");
  }
  if (STRIPE_DIVIDES_BY_100.has(upper)) {
    if (amount % 100 !== 0) {
      throw new PaymentError("invalid_amount", `Stripe charges ${upper} in whole units: ${amount} is not a multiple of 100`, {
        details: { currency: upper, amount },
      });
    }
    return amount / 100;
  }
  if (STRIPE_MULTIPLIES_BY_100.has(upper)) {
    const scaled = amount * 100;
    if (!Number.isSafeInteger(scaled)) throw new PaymentError("invalid_amount", "amount is too large for Stripe");
    return scaled;
  }
  if (STRIPE_THREE_DECIMAL_CURRENCIES.has(upper) && amount % 10 !== 0) {
    throw new PaymentError("invalid_amount", `Stripe requires ${upper} amounts to end in 0 (got ${amount})`, {
      details: { currency: upper, amount },
    });
  }
  return amount;
}

/** Stripe's integer amount → ISO minor units; the exact inverse of `toStripeAmount`. */
export function fromStripeAmount(stripeAmount: number, currency: string): number {
  const upper = currency.toUpperCase();
  if (STRIPE_DIVIDES_BY_100.has(upper)) return stripeAmount * 100;
  if (STRIPE_MULTIPLIES_BY_100.has(upper)) {
    if (stripeAmount % 100 !== 0) {
      // Stripe promises the two trailing digits are 00; anything else would be silently rounded, so refuse it.
      throw new PaymentError("gateway_error", `Stripe returned ${stripeAmount} ${upper}, which is not whole units`);
    }
    return stripeAmount / 100;
  }
  return stripeAmount;
}

/** `amount_too_small` before calling Stripe when the currency has a documented minimum. */
export function assertStripeMinimum(amount: number, currency: string): void {
  const minimum = STRIPE_MINIMUM_AMOUNTS[currency.toUpperCase()];
  if (minimum !== undefined && amount < minimum) {
    throw new PaymentError("amount_too_small", `Stripe's minimum charge in ${currency.toUpperCase()} is ${minimum} minor units`, {
      details: { currency: currency.toUpperCase(), minimum, amount },
    });
  }
}
