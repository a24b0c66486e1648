import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";

/** A non-negative safe integer typed on the command line ("1200"); "12.5", "1e3" and "-1" are refused. */
export function parseCount(text: string, flag: string, options: { min?: number; max?: number } = {}): number {
  const value = /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError("invalid_number", `${flag} ${quoteValue(text)} must be a whole number from ${min} to ${max}`, EXIT.usage, `pass ${flag} as digits only`);
  }
  return value;
}
