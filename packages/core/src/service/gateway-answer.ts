import { type GatewayAnswerKind, type PaymentErrorBody, errorCodeRule, isPaymentError } from "../errors/index.js";

/**
 * The five kinds every provider answer maps to (ports/payment-gateway.ts). Four can be thrown; "needs the customer"
 * is always a returned `requires_action` payment. The error-code table decides (`gatewayAnswer` in error-codes.ts),
 * so no answer can fall between kinds:
 * - declined: the buyer's funding was refused; the payment fails.
 * - invalid_request: the provider refused the request itself and moved no money; the payment stays where it was.
 * - retryable: the provider certainly did not act; the same request may succeed later, within the attempt policy.
 * - unknown_outcome: the provider may have acted; look the object up by our payment id before sending again.
 *
 * Anything unrecognised may have acted: it is an unknown outcome.
 */
export function classifyGatewayError(error: unknown): GatewayAnswerKind {
  if (!isPaymentError(error)) return "unknown_outcome";
  // An adapter that cannot rule out an earlier, hidden try (an SDK's own retry) marks its refusal so.
  if (error.details?.["mayHaveActed"] === true) return "unknown_outcome";
  return errorCodeRule(error.code).gatewayAnswer;
}

/** True when a definite answer: the operation settles now (a decline fails, an invalid request changes nothing). */
export function isDefiniteAnswer(kind: GatewayAnswerKind): boolean {
  return kind === "declined" || kind === "invalid_request";
}

/** True when the provider said re-sending under the same key can only replay this answer (a saved 5xx). */
export function sameKeyReplays(error: PaymentErrorBody | null): boolean {
  return error?.details?.["sameKeyReplays"] === true;
}

/**
 * How long and how often an operation without a definite answer is tried again (client retries, recovery and
 * reconcile all count). When spent, an operation the provider never acted on resolves as refused; one whose outcome
 * is still unknown is flagged for an operator (`payments-cli recover --flagged`).
 */
export interface GatewayRetryPolicy {
  /** Sends without a definite answer before the policy is spent (default 8). */
  maxAttempts: number;
  /** Age of the operation, from its first send, after which the policy is spent (default 24 h). */
  maxAgeMs: number;
}

export const DEFAULT_GATEWAY_RETRY_POLICY: GatewayRetryPolicy = { maxAttempts: 8, maxAgeMs: 24 * 3_600_000 };

export function isPolicySpent(policy: GatewayRetryPolicy, attempts: number, firstSentAt: string | null, now: Date): boolean {
  if (attempts >= policy.maxAttempts) return true;
  return firstSentAt !== null && now.getTime() - Date.parse(firstSentAt) >= policy.maxAgeMs;
}
