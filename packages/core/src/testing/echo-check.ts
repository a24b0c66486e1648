import { isPaymentError } from "../errors/index.js";
import { maskCardNumbers } from "../validation/card-data.js";

/*
 * Errors go to logs, API answers and CI output: one that repeats what was sent (a card number, a payment method,
 * a value that could be card data) leaks it there. Both kits hold adapters to that, and never print it themselves.
 */

/** Shorter values (a 2-letter code, a small amount) appear in any text by chance and prove nothing. */
const SHORTEST_ECHO = 3;

/** Whether `error`'s message or details repeat `sent`. */
export function repeatsSent(error: unknown, sent: string): boolean {
  if (sent.length < SHORTEST_ECHO || typeof error !== "object" || error === null) return false;
  const message = String((error as { message?: unknown }).message ?? "");
  // Details are compared as JSON, where `sent` would appear escaped.
  const escaped = JSON.stringify(sent).slice(1, -1);
  const details = isPaymentError(error) ? JSON.stringify(error.details ?? {}) : "";
  return message.includes(sent) || details.includes(escaped);
}

/** Fails (throws, naming `what`) when `error` repeats any of `sent`; the value itself is never printed. */
export function expectNoEcho(error: unknown, sent: readonly string[], what: string): void {
  const echoed = sent.filter((value) => repeatsSent(error, value));
  if (echoed.length > 0) throw new Error(`${what}: the error repeats a value that was sent (${echoed.length} of them); an error must say what is wrong, never repeat the input`);
}

/**
 * `error` for a failure message, safe to print: the code (for a PaymentError) and message, with every value in
 * `sent` replaced and anything that could be a card number masked.
 */
export function describeThrown(error: unknown, sent: readonly string[] = []): string {
  let text = isPaymentError(error) ? `${error.code} (${error.message})` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  for (const value of sent) if (value.length >= SHORTEST_ECHO) text = text.replaceAll(value, "[what was sent]");
  return maskCardNumbers(text);
}
