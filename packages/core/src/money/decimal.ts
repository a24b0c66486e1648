import { PaymentError } from "../errors/index.js";

/**
 * An exact decimal (surge multiplier "1.5", tax rate "0.0875") as an integer scaled by 10^scale. Rates are never
 * floats: `0.1 + 0.2` has no place near money.
 */
export interface ExactDecimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d{1,18}))?$/;

export function isExactDecimalString(text: string): boolean {
  return DECIMAL_PATTERN.test(text);
}

export function parseExactDecimal(text: string, field = "value"): ExactDecimal {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) {
    throw new PaymentError("validation_error", `${field} must be a non-negative decimal string such as "1.25"`, {
      details: { field, input: text },
    });
  }
  const [, whole = "", fraction = ""] = match;
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

export function compareDecimals(a: ExactDecimal, b: ExactDecimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * `numerator / denominator` rounded half-up (half away from zero), checked to be a safe integer. Every rounding in
 * the library goes through here, once per value, so a line never drifts through intermediate roundings.
 */
export function roundHalfUp(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new PaymentError("validation_error", "denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  const result = negative ? -rounded : rounded;
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new PaymentError("invalid_amount", "result overflows the safe integer range");
  }
  return Number(result);
}

/** `amount × factor₁ × factor₂ … ÷ divisor`, exact until the single half-up rounding at the end. */
export function multiplyRoundHalfUp(amount: bigint | number, factors: readonly ExactDecimal[], divisor = 1n): number {
  let numerator = BigInt(amount);
  let scale = 0;
  for (const factor of factors) {
    numerator *= factor.units;
    scale += factor.scale;
  }
  return roundHalfUp(numerator, divisor * 10n ** BigInt(scale));
}
