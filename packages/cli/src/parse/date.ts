import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { parseDuration } from "./duration.js";

/**
 * A point in time as operators type it: `2026-03-01` (UTC midnight), a full ISO timestamp, or a duration meaning
 * "that long ago" (`24h`), which is what one usually wants at 3 a.m.
 */
export function parseInstant(text: string, flag: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  if (/^\d+[smhd]$/.test(trimmed)) return new Date(now.getTime() - parseDuration(trimmed, flag));
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00.000Z` : trimmed;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new CliError("invalid_date", `${flag} "${text}" is not a date`, EXIT.usage, "use 2026-03-01, 2026-03-01T12:00:00Z, or a duration ago such as 24h");
  }
  return new Date(ms);
}
