import { expect } from "vitest";
import { type PaymentErrorCode, isPaymentError } from "../../errors/index.js";

/** Codes that leave an operation pending for another attempt: a definite answer must never be one of them. */
export const RETRIED_CODES: readonly string[] = ["gateway_error", "gateway_rate_limited", "gateway_outcome_unknown", "conflict", "internal"];

export function expectDefiniteThrow(error: unknown, what: string): void {
  expect(isPaymentError(error), `${what}: threw ${String(error)}`).toBe(true);
  expect(RETRIED_CODES, `${what}: ${(error as { code?: string }).code} would be retried without end`).not.toContain((error as { code: string }).code);
}

/** What `work` rejected with; a resolution becomes an Error that says what was answered instead. */
export async function rejectionOf(work: Promise<unknown>, instead: (value: unknown) => string): Promise<unknown> {
  return work.then(
    (value) => new Error(instead(value)),
    (error: unknown) => error,
  );
}

/** Fails unless `error` is a PaymentError with `code`, naming `what` and what was thrown instead. */
export function expectCode(error: unknown, code: PaymentErrorCode, what: string): void {
  const got = isPaymentError(error) ? error.code : String(error);
  expect(isPaymentError(error, code), `${what}: expected ${code}, got ${got}`).toBe(true);
}
