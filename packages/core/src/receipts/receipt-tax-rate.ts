import type { LineItem } from "../domain/payment.js";
import { isExactDecimalString } from "../money/decimal.js";

/**
 * Fare quotes name the rate in their tax line's description, `Tax (0.0875)`: the line is all a stored payment
 * keeps, so the receipt reads the rate back from there (core's fare tests pin that wording). The rate stays an
 * exact decimal string; it is shown as a percentage by the renderer, never turned into a float.
 */
const RATE_SUFFIX = /^(.*?)\s*\(([0-9.]+)\)$/;

export interface TaxLineRate {
  /** The description without the rate: "Tax". */
  label: string;
  /** The exact rate as written by the tariff: "0.0875". */
  rate: string;
}

export function taxLineRate(line: LineItem): TaxLineRate | null {
  if (line.kind !== "tax") return null;
  const match = RATE_SUFFIX.exec(line.description);
  if (!match) return null;
  const [, label = "", rate = ""] = match;
  return isExactDecimalString(rate) ? { label: label.length > 0 ? label : "Tax", rate } : null;
}

/** The rate every tax line shares, or null when there is no tax line, one without a rate, or rates differ. */
export function receiptTaxRate(lines: readonly LineItem[]): string | null {
  const taxLines = lines.filter((line) => line.kind === "tax");
  if (taxLines.length === 0) return null;
  const rates = new Set(taxLines.map((line) => taxLineRate(line)?.rate ?? null));
  const [only] = [...rates];
  return rates.size === 1 && only !== undefined ? only : null;
}
