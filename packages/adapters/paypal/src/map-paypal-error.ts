import { PaymentError } from "@org/payments-core";
import { ApiError, ArgumentsValidationError } from "@paypal/paypal-server-sdk";
import { answerRuleFor } from "./issue-answer-kinds.js";
import { redactSecrets } from "./redact-secrets.js";

/** What we read from a PayPal error response: `{ name, message, debug_id, details: [{ issue, field }], links }`. */
export interface PayPalErrorInfo {
  status: number;
  name: string | undefined;
  issue: string | undefined;
  /** The JSON pointer of the field PayPal objected to (never its value, which may be the client's text). */
  field: string | undefined;
  debugId: string | undefined;
  retryAfterSeconds: number | undefined;
  links: Array<{ href: string; rel: string }>;
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
  const links = Array.isArray(result?.["links"]) ? (result["links"] as Array<Record<string, unknown>>) : [];
  return {
    status: error.statusCode,
    name: typeof result?.["name"] === "string" ? result["name"] : typeof result?.["error"] === "string" ? result["error"] : undefined,
    issue: typeof first?.["issue"] === "string" ? first["issue"] : undefined,
    field: typeof first?.["field"] === "string" ? first["field"] : undefined,
    debugId: typeof result?.["debug_id"] === "string" ? result["debug_id"] : error.headers?.["paypal-debug-id"],
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
    links: links.flatMap((l) => (typeof l["href"] === "string" && typeof l["rel"] === "string" ? [{ href: l["href"], rel: l["rel"] }] : [])),
  };
}

/** The access token a failed call presented, read before the error is scrubbed (to drop exactly that one). */
export function rejectedAccessToken(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const headers = (error.request?.headers ?? {}) as Record<string, unknown>;
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  return typeof value === "string" && value.startsWith("Bearer ") ? value.slice("Bearer ".length) : undefined;
}

/**
 * A PayPal answer that is thrown, by its kind (issue-answer-kinds.ts): an invalid request as its core code, a
 * retryable one as `gateway_error` (`gateway_rate_limited` for 429), an unknown outcome as `gateway_outcome_unknown`,
 * a decline as its card code. Messages name PayPal's issue and field, never a value we sent.
 */
export function errorForAnswer(info: PayPalErrorInfo, operation: string, cause: unknown): PaymentError {
  const where = `PayPal ${operation}`;
  const details: Record<string, unknown> = { status: info.status, name: info.name, issue: info.issue, debugId: info.debugId };
  if (info.field) details["field"] = info.field;
  const said = info.issue ?? info.name ?? `HTTP ${info.status}`;
  const rule = answerRuleFor(info.status, info.issue);
  switch (rule.kind) {
    case "unknown_outcome":
      return new PaymentError("gateway_outcome_unknown", `${where}: PayPal answered ${said} (${info.status}); it may have acted`, {
        details,
        retryAfterSeconds: info.retryAfterSeconds ?? 1,
        cause,
      });
    case "retryable":
      if (info.status === 429) {
        return new PaymentError("gateway_rate_limited", `${where}: rate limited by PayPal`, {
          details,
          retryAfterSeconds: info.retryAfterSeconds ?? 1,
          cause,
        });
      }
      return new PaymentError(
        "gateway_error",
        info.status === 401 || info.status === 403
          ? `${where}: PayPal refused our credentials or permissions (${said}, ${info.status})`
          : `${where}: PayPal did not act (${said}, ${info.status}); the same request may pass later`,
        { details, retryAfterSeconds: info.retryAfterSeconds ?? (info.status === 409 ? 1 : undefined), cause },
      );
    case "invalid_request":
      return new PaymentError(rule.errorCode, `${where}: PayPal refused the request (${said}${info.field ? ` at ${info.field}` : ""})`, {
        details,
        cause,
      });
    case "declined":
    case "needs_customer":
      return new PaymentError(rule.declineCode, `${where}: PayPal declined (${said})`, { declineCode: info.issue, details, cause });
  }
}

/**
 * Any failure of a PayPal call → `PaymentError`. The rule for money safety: only a response that proves PayPal did
 * nothing may become a definite error; a timeout, a dropped connection, a 5xx or an unreadable body is
 * `gateway_outcome_unknown`. A token request that failed never sent the call itself, so it is retryable. The
 * original error is scrubbed of credentials and kept as `cause`.
 */
export function toPaymentError(error: unknown, operation: string, tokenFailure?: unknown): PaymentError {
  if (error instanceof PaymentError) return error;
  const original = tokenFailure ?? error;
  redactSecrets(original);
  const info = readPayPalError(original);
  if (tokenFailure !== undefined) {
    return new PaymentError("gateway_error", `PayPal ${operation}: no access token (${info ? `HTTP ${info.status}` : "no answer"}); nothing was sent`, {
      details: info ? { status: info.status, name: info.name } : undefined,
      retryAfterSeconds: 1,
      cause: original,
    });
  }
  if (info) return errorForAnswer(info, operation, original);
  if (original instanceof ArgumentsValidationError) {
    return new PaymentError("internal", `PayPal ${operation}: the SDK refused our arguments`, { cause: original });
  }
  // Network failure, timeout, abort, or a response the SDK could not validate: PayPal may have acted.
  return new PaymentError("gateway_outcome_unknown", `PayPal ${operation}: no definite answer from PayPal; retry with the same key`, {
    retryAfterSeconds: 1,
    cause: original,
  });
}
