import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A hundred years: longer is a typo, and "that long ago" must stay a date JavaScript can represent. */
const MAX_DURATION_MS = 36_500 * UNIT_MS.d;

/** `30s`, `5m`, `24h`, `30d` → milliseconds. Integers only: an operator never needs "1.5h", and floats are ambiguous. */
export function parseDuration(text: string, flag = "duration"): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!(ms <= MAX_DURATION_MS)) {
    throw new CliError("invalid_duration", `${flag} ${quoteValue(text)} is not a duration of at most 36500d`, EXIT.usage, "write durations as 30s, 5m, 24h or 30d");
  }
  return ms;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["d", UNIT_MS.d], ["h", UNIT_MS.h], ["m", UNIT_MS.m]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
