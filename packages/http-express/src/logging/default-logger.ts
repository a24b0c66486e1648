import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { scrubLogLine, scrubLogValue } from "./log-scrubbing.js";

/**
 * Paths never written to logs: credentials, webhook signatures, card data (which the API refuses anyway) and
 * provider secrets. pino replaces them with "[redacted]". Kept for hosts that configure pino's `redact` by hand;
 * `paymentsLoggerOptions()` goes further and scrubs by value, not only by path.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['stripe-signature']",
  "req.headers['paypal-transmission-sig']",
  "req.headers['simulated-signature']",
  "*.password",
  "*.secret",
  "*.token",
  "*.accessToken",
  "*.cardNumber",
  "*.number",
  "*.cvc",
  "*.cvv",
  "*.clientSecret",
];

export type PaymentsLogger = Pick<Logger, "info" | "warn" | "error" | "debug">;

/**
 * pino options that keep card data, CVCs, bearer tokens and database row data out of every line, through pino's
 * own hooks: `formatters.log` scrubs the logged object (errors anywhere in it become summaries; card and
 * credential fields are redacted by name at any depth, which covers REDACTED_PATHS), the `err` serializer does the
 * same for errors pino serializes itself, and `hooks.streamWrite` scrubs the finished line, which also covers the
 * message, printf arguments, child bindings and the output of a host's own serializers (a line with nothing
 * suspect in it is passed through untouched). Spread it into your own `pino({...})`.
 */
export function paymentsLoggerOptions(): LoggerOptions {
  return {
    formatters: { log: (record) => scrubLogValue(record) as Record<string, unknown> },
    serializers: { err: (error: unknown) => scrubLogValue(error) },
    hooks: { streamWrite: scrubLogLine },
  };
}

/** The router's logger when the host passes none: JSON lines on stdout (or `destination`), scrubbed. */
export function createDefaultLogger(destination?: DestinationStream): Logger {
  const options: LoggerOptions = { ...paymentsLoggerOptions(), name: "payments", level: process.env.LOG_LEVEL ?? "info" };
  return destination ? pino(options, destination) : pino(options);
}
