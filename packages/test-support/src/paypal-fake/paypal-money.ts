/**
 * PayPal's own view of money, independent of @org/payments-core on purpose: the fake imitates PayPal, so it must not
 * share the adapter's conversion code (a shared bug would then pass every test).
 *
 * Currencies and decimals from PayPal's currency-codes reference (developer.paypal.com/api/rest/reference/currency-codes/):
 * HUF, JPY and TWD are sent without decimals; no three-decimal currency is accepted.
 */
export const PAYPAL_CURRENCIES: ReadonlySet<string> = new Set(
  "AUD BRL CAD CNY CZK DKK EUR HKD HUF ILS JPY MYR MXN TWD NZD NOK PHP PLN GBP SGD SEK CHF THB USD".split(" "),
);
const WITHOUT_DECIMALS: ReadonlySet<string> = new Set(["HUF", "JPY", "TWD"]);

export function paypalDecimals(currency: string): number {
  return WITHOUT_DECIMALS.has(currency) ? 0 : 2;
}

export type ValueProblem = "INVALID_CURRENCY_CODE" | "DECIMAL_PRECISION" | "INVALID_PARAMETER_VALUE";

/** A PayPal money value in the currency's smallest PayPal unit, or the issue PayPal would report. */
export function parseValue(currency: unknown, value: unknown): { units: bigint } | { issue: ValueProblem } {
  if (typeof currency !== "string" || !PAYPAL_CURRENCIES.has(currency)) return { issue: "INVALID_CURRENCY_CODE" };
  if (typeof value !== "string") return { issue: "INVALID_PARAMETER_VALUE" };
  // The OpenAPI pattern for money.value.
  if (!/^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$/.test(value)) return { issue: "INVALID_PARAMETER_VALUE" };
  const [whole = "", fraction = ""] = value.split(".");
  const decimals = paypalDecimals(currency);
  if (fraction.length > decimals) return { issue: "DECIMAL_PRECISION" };
  return { units: BigInt((whole || "0") + fraction.padEnd(decimals, "0")) };
}

export function formatValue(units: bigint, currency: string): string {
  const decimals = paypalDecimals(currency);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

export interface MoneyObject {
  currency_code: string;
  value: string;
}

export function moneyObject(units: bigint, currency: string): MoneyObject {
  return { currency_code: currency, value: formatValue(units, currency) };
}
