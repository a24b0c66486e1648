import { PaymentError } from "../errors/index.js";
import { CURRENCY_EXPONENTS } from "./currencies.js";

/**
 * Money is an integer number of minor units (cents, yen, fils) plus an ISO 4217 code. Amounts are JavaScript
 * numbers restricted to safe integers: exact, JSON-friendly, and far above any real payment (9e15 minor units).
 * Sums beyond that range (stats over many payments) are bigint, never a float.
 */

/** Upper-case three-letter code known to ISO 4217, or a `validation_error`. */
export function normalizeCurrency(code: unknown): string {
  if (typeof code !== "string" || !/^[A-Za-z]{3}$/.test(code)) {
    throw new PaymentError("validation_error", "currency must be a three-letter ISO 4217 code", {
      details: { field: "currency" },
    });
  }
  const upper = code.toUpperCase();
  if (!CURRENCY_EXPONENTS.has(upper)) {
    throw new PaymentError("validation_error", `unknown currency ${upper}`, { details: { field: "currency" } });
  }
  return upper;
}

export function currencyExponent(currency: string): number {
  const exponent = CURRENCY_EXPONENTS.get(currency.toUpperCase());
  if (exponent === undefined) {
    throw new PaymentError("validation_error", `unknown currency ${currency}`, { details: { field: "currency" } });
  }
  return exponent;
}

export interface AmountRule {
  /** Zero is refused unless allowed: most amounts (a charge, a refund) must be positive. */
  allowZero?: boolean;
  field?: string;
}

/** Accepts only a safe integer ≥ 1 (or ≥ 0); anything else — a float, a string, NaN — is `invalid_amount`. */
export function assertMinorUnits(value: unknown, rule: AmountRule = {}): number {
  const field = rule.field ?? "amount";
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new PaymentError("invalid_amount", `${field} must be a safe integer number of minor units`, {
      details: { field },
    });
  }
  if (value < 0 || (value === 0 && !rule.allowZero)) {
    throw new PaymentError("invalid_amount", `${field} must be ${rule.allowZero ? "zero or more" : "positive"}`, {
      details: { field },
    });
  }
  return value;
}

/**
 * Parses a decimal string in major units ("10.00", "0.5", "1200") exactly into minor units. More fraction digits
 * than the currency has ("10.005" USD) is an error, never a rounding.
 */
export function parseMajorUnits(text: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) {
    throw new PaymentError("invalid_amount", `"${text}" is not a decimal amount`, { details: { input: text } });
  }
  const [, sign, whole = "", fraction = ""] = match;
  if (fraction.length > exponent) {
    throw new PaymentError(
      "invalid_amount",
      `${currency.toUpperCase()} has ${exponent} decimal place(s); "${text}" has ${fraction.length}`,
      { details: { input: text } },
    );
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, "0")) * (sign ? -1n : 1n);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new PaymentError("invalid_amount", `"${text}" is too large`, { details: { input: text } });
  }
  return Number(minor);
}

/** Minor units to a plain decimal string in major units: 1050 USD → "10.50", 5 JPY → "5", -1 KWD → "-0.001". */
export function toMajorUnitsString(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new PaymentError("invalid_amount", "amount must be a safe integer");
  const exponent = currencyExponent(currency);
  const digits = Math.abs(amount).toString().padStart(exponent + 1, "0");
  const sign = amount < 0 ? "-" : "";
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** For people: "USD 1,234.50". Grouping is by thousands; no floating point is involved. */
export function formatMoney(amount: number, currency: string): string {
  const plain = toMajorUnitsString(amount, currency);
  const [whole = "", fraction] = plain.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}${currency.toUpperCase()} ${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}

/**
 * Splits `total` into parts proportional to integer `weights` without losing or inventing a minor unit: each part
 * is floored, then the leftover units go one each to the parts with the largest remainders (earliest first on ties).
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  assertMinorUnits(total, { allowZero: true, field: "total" });
  if (weights.length === 0) throw new PaymentError("validation_error", "allocate needs at least one weight");
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new PaymentError("validation_error", "allocation weights must be non-negative integers");
    }
  }
  const sum = weights.reduce((acc, w) => acc + BigInt(w), 0n);
  if (sum === 0n) throw new PaymentError("validation_error", "allocation weights must not all be zero");
  const big = BigInt(total);
  const parts = weights.map((w) => (big * BigInt(w)) / sum);
  const remainders = weights.map((w, index) => ({ index, remainder: (big * BigInt(w)) % sum }));
  let leftover = big - parts.reduce((acc, p) => acc + p, 0n);
  remainders.sort((x, y) => (x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (leftover === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    leftover -= 1n;
  }
  return parts.map((p) => Number(p));
}
