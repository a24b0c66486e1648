import { PaymentError, assertWindow, parseInstant as parseCalendarInstant } from "@org/payments-core";
import { parseDuration } from "./duration.js";

const DURATION = /^\d+[smhd]$/;

/**
 * A point in time as operators type it: a duration meaning "that long ago" (`24h`), which is what one usually wants
 * at 3 a.m., or else one of the forms HTTP accepts too (core's `parseInstant`: `2026-03-01` as UTC midnight, or a
 * full ISO 8601 time with a zone), calendar checked, so `2026-02-30` is refused rather than rolled into March.
 */
export function parseInstant(text: string, flag: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  if (DURATION.test(trimmed)) return new Date(now.getTime() - parseDuration(trimmed, flag));
  try {
    return parseCalendarInstant(trimmed, flag);
  } catch (error) {
    if (!(error instanceof PaymentError)) throw error;
    // The same refusal, naming the form only the command line has as well.
    throw new PaymentError(
      "validation_error",
      `${flag} must be a duration ago (24h), a date (2026-03-01) or an ISO 8601 time with a zone (2026-03-01T12:00:00Z); impossible dates such as 2026-02-30 are refused`,
      { details: error.details, cause: error },
    );
  }
}

export interface Window {
  since: Date | undefined;
  until: Date | undefined;
}

/**
 * `--since`/`--until` as one window, refused like HTTP refuses it (`validation_error`, exit 2) when its start is not
 * before its end: `--since 24h --until 48h` is a mistake to say, not an empty page to print.
 */
export function parseWindow(options: { since?: string | undefined; until?: string | undefined }, now: Date): Window {
  const since = options.since === undefined ? undefined : parseInstant(options.since, "--since", now);
  const until = options.until === undefined ? undefined : parseInstant(options.until, "--until", now);
  assertWindow(since, until, { from: "--since", to: "--until" });
  return { since, until };
}
