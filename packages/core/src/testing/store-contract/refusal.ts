import { type PaymentErrorCode, isPaymentError } from "../../errors/index.js";

/**
 * Awaits `work` and returns the PaymentError code it was refused with. Anything else — success, a driver error, a
 * PaymentError whose message or details repeat `echoed` (it may be card data) — fails the test with the input named.
 */
export async function refusal(work: () => Promise<unknown>, input: string, echoed: string = input): Promise<PaymentErrorCode> {
  const label = JSON.stringify(input);
  let result: unknown;
  try {
    result = await work();
  } catch (error) {
    if (!isPaymentError(error)) throw new Error(`input ${label}: refused with a non-PaymentError: ${String(error)}`, { cause: error });
    const escaped = JSON.stringify(echoed).slice(1, -1);
    if (echoed.length >= 3 && (error.message.includes(echoed) || JSON.stringify(error.details ?? {}).includes(escaped))) {
      throw new Error(`input ${label}: the error repeats the value`);
    }
    return error.code;
  }
  throw new Error(`input ${label}: accepted (${JSON.stringify(result, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value))?.slice(0, 200)}), expected a refusal`);
}
