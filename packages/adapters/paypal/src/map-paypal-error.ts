import { PaymentError } from "@org/payments-core";
import { ApiError, ArgumentsValidationError } from "@paypal/paypal-server-sdk";
import { redactSecrets } from "./redact-secrets.js";

/** What we read from a PayPal error response: `{ name, message, debug_id, details: [{ issue, description }] }`. */
export interface PayPalErrorInfo {
  status: number;
  name: string | undefined;
  issue: string | undefined;
  description: string | undefined;
  debugId: string | undefined;
  retryAfterSeconds: number | undefined;
}

export function readPayPalError(error: unknown): PayPalErrorInfo | undefined {
  if (!(error instanceof ApiError)) return undefined;
  let result = error.result as Record<string, unknown> | undefined;
  if (result === undefined && typeof error.body === "string") {
    try {
      result = JSON.parse(error.body) as Record<string, unknown>;
    } catch {
      result = undefined;
    }
  }
  const details = Array.isArray(result?.["details"]) ? (result["details"] as Array<Record<string, unknown>>) : [];
  const first = details[0];
  const retryAfter = Number(error.headers?.["retry-after"]);
  return {
    status: error.statusCode,
    name: typeof result?.["name"] === "string" ? result["name"] : typeof result?.["error"] === "string" ? result["error"] : undefined,
    issue: typeof first?.["issue"] === "string" ? first["issue"] : undefined,
    description: typeof first?.["description"] === "string" ? first["description"] : undefined,
    debugId: typeof result?.["debug_id"] === "string" ? result["debug_id"] : error.headers?.["paypal-debug-id"],
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
  };
}

const ISSUE_CODES: Readonly<Record<string, "invalid_amount" | "currency_not_supported" | "refund_exceeds_captured">> = {
  DECIMAL_PRECISION: "invalid_amount",
  DECIMALS_NOT_SUPPORTED: "invalid_amount",
  CANNOT_BE_ZERO_OR_NEGATIVE: "invalid_amount",
  AMOUNT_MISMATCH: "invalid_amount",
  MAX_CAPTURE_AMOUNT_EXCEEDED: "invalid_amount",
  INVALID_CURRENCY_CODE: "currency_not_supported",
  CURRENCY_NOT_SUPPORTED: "currency_not_supported",
  REFUND_AMOUNT_EXCEEDED: "refund_exceeds_captured",
  CAPTURE_FULLY_REFUNDED: "refund_exceeds_captured",
};

/**
 * Any failure of a PayPal call → `PaymentError` (declines are handled by the caller before this, as they are answers,
 * not errors). The rule for money safety: only a response that proves PayPal did nothing may become a definite error;
 * a timeout, a dropped connection, a 5xx or an unreadable body is `gateway_outcome_unknown`, to be retried with the
 * same PayPal-Request-Id. The original error is scrubbed of credentials and kept as `cause`.
 */
export function toPaymentError(error: unknown, operation: string, tokenFailure?: unknown): PaymentError {
  if (error instanceof PaymentError) return error;
  const original = tokenFailure ?? error;
  redactSecrets(original);
  const info = readPayPalError(original);
  const where = `PayPal ${operation}`;
  if (info) {
    const details = { status: info.status, name: info.name, issue: info.issue, debugId: info.debugId };
    if (info.status === 401 || info.status === 403) {
      return new PaymentError("gateway_error", `${where}: PayPal refused our credentials (${info.status})`, { details, cause: original });
    }
    if (info.status === 429) {
      return new PaymentError("gateway_rate_limited", `${where}: rate limited by PayPal`, {
        details,
        retryAfterSeconds: info.retryAfterSeconds ?? 1,
        cause: original,
      });
    }
    if (info.status === 408 || info.status >= 500) {
      return new PaymentError("gateway_outcome_unknown", `${where}: PayPal answered ${info.status}; retry with the same key`, {
        details,
        retryAfterSeconds: info.retryAfterSeconds ?? 1,
        cause: original,
      });
    }
    if (info.status === 404) {
      return new PaymentError("not_found", `${where}: not found at PayPal`, { details, cause: original });
    }
    const code = info.issue ? ISSUE_CODES[info.issue] : undefined;
    return new PaymentError(code ?? "gateway_error", `${where}: ${info.issue ?? info.name ?? `HTTP ${info.status}`}`, {
      declineCode: info.issue,
      details,
      cause: original,
    });
  }
  if (original instanceof ArgumentsValidationError) {
    return new PaymentError("internal", `${where}: the SDK refused our arguments`, { cause: original });
  }
  // Network failure, timeout, abort, or a response the SDK could not validate: PayPal may have acted.
  return new PaymentError("gateway_outcome_unknown", `${where}: no definite answer from PayPal; retry with the same key`, {
    retryAfterSeconds: 1,
    cause: original,
  });
}
