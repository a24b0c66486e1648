import { PaymentError, assertMinorUnits, currencyExponent, parseMajorUnits, toMajorUnitsString } from "@org/payments-core";

/**
 * PayPal's currencies for REST payments (developer.paypal.com/api/rest/reference/currency-codes/). The OpenAPI
 * documents only say `currency_code` is ISO 4217 with three letters, so this list is owned here. No currency with
 * three decimals (KWD, BHD, TND, ...) is accepted by PayPal, whatever ISO says.
 */
export const PAYPAL_CURRENCIES = [
  "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "ILS",
  "JPY", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "SEK", "SGD", "THB", "TWD", "USD",
] as const;

const SUPPORTED: ReadonlySet<string> = new Set(PAYPAL_CURRENCIES);

/**
 * Currencies PayPal takes without decimals. JPY has none in ISO either; HUF and TWD have two in ISO 4217 (and so in
 * the core's minor units) but PayPal rejects fractions (DECIMAL_PRECISION), so their amounts must be whole forints
 * or dollars: 150000 HUF minor units is "1500", while 150050 is refused with `invalid_amount`.
 */
const WITHOUT_DECIMALS: ReadonlySet<string> = new Set(["HUF", "JPY", "TWD"]);

/** The smallest amount PayPal can take, in core minor units: one whole unit where PayPal has no decimals. */
export const PAYPAL_MINIMUM_AMOUNTS: Readonly<Record<string, number>> = { HUF: 100, TWD: 100 };

/**
 * `amount_too_small` below the declared minimum, checked before the amount is converted: 99 HUF minor units is under
 * the one forint PayPal can take, and saying so (rather than "not a whole amount") tells the caller what to change.
 */
export function assertPayPalMinimum(amount: number, currency: string): void {
  const code = currency.toUpperCase();
  const minimum = PAYPAL_MINIMUM_AMOUNTS[code];
  if (minimum !== undefined && Number.isSafeInteger(amount) && amount >= 1 && amount < minimum) {
    throw new PaymentError("amount_too_small", `PayPal's smallest ${code} amount is ${minimum} minor units`, {
      details: { currency: code, minimum, amount },
    });
  }
}

export function assertPayPalCurrency(currency: string): string {
  const code = currency.toUpperCase();
  if (!SUPPORTED.has(code)) {
    throw new PaymentError("currency_not_supported", `PayPal does not accept ${code}`, {
      details: { currency: code, supported: [...PAYPAL_CURRENCIES] },
    });
  }
  return code;
}

function decimalsAtPayPal(currency: string): number {
  return WITHOUT_DECIMALS.has(currency) ? 0 : currencyExponent(currency);
}

/** Core minor units → PayPal's decimal string, exactly ("10.50", "1500" for HUF 1500.00, "1200" for JPY). */
export function toPayPalValue(amount: number, currency: string): string {
  const code = assertPayPalCurrency(currency);
  assertMinorUnits(amount);
  const dropped = currencyExponent(code) - decimalsAtPayPal(code);
  if (dropped === 0) return toMajorUnitsString(amount, code);
  const unit = 10 ** dropped;
  if (amount % unit !== 0) {
    throw new PaymentError(
      "invalid_amount",
      `PayPal takes ${code} without decimals: ${amount} minor units is not a whole amount`,
      { details: { currency: code, amount } },
    );
  }
  return String(amount / unit);
}

/** PayPal's decimal string → core minor units, exactly; a value with more decimals than ISO allows is refused. */
export function fromPayPalValue(value: string, currency: string): number {
  return parseMajorUnits(value, currency.toUpperCase());
}
