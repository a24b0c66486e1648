import { type PaymentError, type PaymentErrorCode, isPaymentError } from "../../errors/index.js";
import { describeThrown, repeatsSent } from "../echo-check.js";

/**
 * Awaits `work` and returns the PaymentError it was refused with. Anything else — success, a driver error, a
 * PaymentError whose message or details repeat `echoed` (it may be card data) — fails the test with the input named.
 */
export async function refusedWith(work: () => Promise<unknown>, input: string, echoed: string = input): Promise<PaymentError> {
  const label = JSON.stringify(input);
  let result: unknown;
  try {
    result = await work();
  } catch (error) {
    if (!isPaymentError(error)) throw new Error(`input ${label}: refused with a non-PaymentError: ${describeThrown(error, [echoed])}`, { cause: error });
    if (repeatsSent(error, echoed)) throw new Error(`input ${label}: the error repeats the value`);
    return error;
  }
  throw new Error(`input ${label}: accepted (${JSON.stringify(result, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value))?.slice(0, 200)}), expected a refusal`);
}

/** The code of `refusedWith`: what most cases compare. */
export async function refusal(work: () => Promise<unknown>, input: string, echoed: string = input): Promise<PaymentErrorCode> {
  return (await refusedWith(work, input, echoed)).code;
}

/**
 * Fails unless `error` names `field` (in `details.field`, or its message), so the caller can tell which of many
 * fields to fix: compared case-insensitively, as a word of the store's own field path ("payment.description").
 */
export function expectNamesField(error: PaymentError, field: string, input: string): void {
  const named = `${String((error.details as { field?: unknown } | undefined)?.field ?? "")} ${error.message}`.toLowerCase();
  if (!named.includes(field.toLowerCase())) {
    throw new Error(`input ${JSON.stringify(input)}: refused with ${error.code}, but the error does not name the field ${field} (details.field: ${JSON.stringify((error.details as { field?: unknown } | undefined)?.field ?? null)})`);
  }
}
