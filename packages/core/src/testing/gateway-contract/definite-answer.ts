import { expect } from "vitest";
import { type PaymentErrorCode, isPaymentError, leavesOperationPending } from "../../errors/index.js";
import { describeThrown, expectNoEcho } from "../echo-check.js";

/**
 * True for a code a caller or the core would send again: the error table's retryable and unknown-outcome answers
 * (which leave an operation pending), a lost race (`conflict`) and a bug (`internal`). A definite answer is none.
 */
export function wouldBeRetried(code: string): boolean {
  return leavesOperationPending(code) || code === "conflict" || code === "internal";
}

/** Fails the case with `message` alone: no `expected true` diff to read past. */
export function failUnless(condition: boolean, message: string): void {
  if (!condition) expect.fail(message);
}

/**
 * Fails unless `error` is a PaymentError the core would not send again, and one that does not repeat any of `sent`
 * (what the case sent that may not be echoed: a payment method, card data). Failure messages never print `sent`.
 */
export function expectDefiniteThrow(error: unknown, what: string, sent: readonly string[] = []): void {
  failUnless(isPaymentError(error), `${what}: threw ${describeThrown(error, sent)}`);
  const code = (error as { code: string }).code;
  failUnless(!wouldBeRetried(code), `${what}: ${code} would be retried without end`);
  expectNoEcho(error, sent, what);
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
  const got = isPaymentError(error) ? error.code : describeThrown(error);
  failUnless(isPaymentError(error, code), `${what}: expected ${code}, got ${got}`);
}
