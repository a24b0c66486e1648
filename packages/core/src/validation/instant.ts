import { PaymentError } from "../errors/index.js";

/**
 * The date forms every front end accepts, with one meaning: a calendar date `2026-03-01` (UTC midnight) or a full
 * ISO 8601 instant with a time zone (`2026-03-01T12:00:00Z`, `…+02:00`, optional fraction). The calendar is checked:
 * `2026-02-30` is refused, never rolled over into March. Errors name the field; the value is not repeated.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function invalidDate(field: string): PaymentError {
  return new PaymentError("validation_error", `${field} must be a date (2026-03-01) or an ISO 8601 time with a zone (2026-03-01T12:00:00Z)`, {
    details: { field, issues: [{ path: field, message: "not a valid calendar date or ISO 8601 time" }] },
  });
}

/** The instant `text` names, or `validation_error`. */
export function parseInstant(text: string, field: string): Date {
  const trimmed = text.trim();
  const date = DATE_ONLY.exec(trimmed);
  const time = date ? null : DATE_TIME.exec(trimmed);
  const parts = date ?? time;
  if (!parts) throw invalidDate(field);
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw invalidDate(field);
  if (time) {
    const [hour, minute, second] = [Number(time[4]), Number(time[5]), Number(time[6] ?? 0)];
    if (hour > 23 || minute > 59 || second > 59) throw invalidDate(field);
    const zone = time[8]!;
    if (zone !== "Z" && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) throw invalidDate(field);
  }
  const ms = Date.parse(date ? `${trimmed}T00:00:00.000Z` : trimmed);
  if (Number.isNaN(ms)) throw invalidDate(field);
  return new Date(ms);
}

/** Refuses a window whose start is not before its end, the same way everywhere. */
export function assertWindow(from: Date | undefined, to: Date | undefined, fields: { from: string; to: string }): void {
  if (from && to && from.getTime() >= to.getTime()) {
    throw new PaymentError("validation_error", `${fields.from} must be before ${fields.to}`, {
      details: { field: fields.from, issues: [{ path: fields.from, message: `must be before ${fields.to}` }] },
    });
  }
}
