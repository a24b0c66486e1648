import { type Logger, pino } from "pino";

/**
 * Paths never written to logs: credentials, webhook signatures, card data (which the API refuses anyway) and
 * provider secrets. pino replaces them with "[redacted]".
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

export function createDefaultLogger(): PaymentsLogger {
  return pino({ name: "payments", level: process.env.LOG_LEVEL ?? "info", redact: { paths: REDACTED_PATHS, censor: "[redacted]" } });
}
