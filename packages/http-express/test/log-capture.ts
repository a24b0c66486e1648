import { Writable } from "node:stream";
import { isCardDataFieldName, maskCardNumbers } from "@org/payments-core";

/** The widest reading (the log mask's): any Luhn-valid window of 13–19 digits, however separated. */
const holdsCard = (text: string): boolean => maskCardNumbers(text) !== text;
import { type Logger, pino } from "pino";

/**
 * A pino logger that keeps its lines in memory and redacts nothing itself: what reaches it is exactly what the
 * router chose to log, so a test can prove the router's own records are clean whatever logger a host passes.
 */
export function captureLogs(options: { logger?: (stream: Writable) => Logger } = {}): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter((line) => line.length > 0));
      done();
    },
  });
  const logger = options.logger ? options.logger(stream) : pino({ level: "debug" }, stream);
  return { logger, lines, text: () => lines.join("\n") };
}

/** pino's own fields: `time` is a 13-digit number that may pass Luhn by chance; it is the logger's, not data. */
const LOGGER_FIELDS = new Set(["time", "pid", "level"]);

/** A log line without pino's own fields (time, pid…), whose digits could match anything by chance. */
export function dataOf(line: string): string {
  const { level: _level, time: _time, pid: _pid, hostname: _hostname, ...data } = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify(data);
}

/**
 * Everything sensitive in one log line: card numbers in any string, key or number (other than pino's own fields),
 * a card-data field name whose value is not "[redacted]", and any of the given secrets (tokens) verbatim.
 */
export function sensitiveFindings(line: string, secrets: readonly string[] = []): string[] {
  const findings: string[] = [];
  for (const secret of secrets) if (secret.length > 0 && line.includes(secret)) findings.push(`secret ${secret.slice(0, 12)}…`);
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    if (holdsCard(line)) findings.push("card number in a non-JSON line");
    return findings;
  }
  const visit = (value: unknown, key: string | null, top: boolean): void => {
    if (key !== null && holdsCard(key)) findings.push(`card number in key at ${key.slice(0, 8)}…`);
    if (key !== null && isCardDataFieldName(key) && value !== "[redacted]" && value !== undefined) findings.push(`card field ${key} logged`);
    if (typeof value === "string") {
      if (holdsCard(value)) findings.push(`card number under ${key}`);
    } else if (typeof value === "number") {
      if (!(top && key !== null && LOGGER_FIELDS.has(key)) && holdsCard(String(value))) findings.push(`card number (number) under ${key}`);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key, false);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k, false);
    }
  };
  if (record !== null && typeof record === "object") for (const [k, v] of Object.entries(record)) visit(v, k, true);
  return findings;
}
