import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";

/** A 3-letter currency code, in any case; stored codes are upper case. */
export function parseCurrency(text: string, flag = "--currency"): string {
  if (!/^[A-Za-z]{3}$/.test(text)) {
    throw new CliError("invalid_currency", `${flag} ${quoteValue(text)} is not a 3-letter ISO 4217 code`, EXIT.usage, `e.g. ${flag} EUR`);
  }
  return text.toUpperCase();
}
