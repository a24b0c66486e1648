import { PaymentError, type PaymentErrorCode } from "@org/payments-core";
import type { AcmeAnswer } from "./acme-client.js";

/**
 * Acme's refusals of the request itself (400, 404, 409): nothing was done, so each is an invalid request the caller
 * may correct. Acme documents them all (API.md, "Errors").
 */
const REFUSED_REQUEST: Readonly<Record<string, PaymentErrorCode>> = {
  parameter_missing: "validation_error",
  parameter_invalid: "validation_error",
  unknown_card: "validation_error",
  invalid_amount: "invalid_amount",
  amount_exceeds_capturable: "invalid_amount",
  amount_below_minimum: "amount_too_small",
  currency_not_supported: "currency_not_supported",
  amount_exceeds_refundable: "refund_exceeds_captured",
  not_found: "not_found",
  invalid_state: "invalid_state_transition",
};

/** Acme's parameter names as our request fields, so a refusal names the field the caller can correct. */
const FIELD_OF_PARAM: Readonly<Record<string, string>> = {
  card: "paymentMethodId",
  amount: "amount",
  currency: "currency",
  capture: "captureMethod",
};

function acmeErrorOf(body: unknown): { code?: string; param?: string } {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === "object" && error !== null ? (error as { code?: string; param?: string }) : {};
}

/**
 * Any answer that is neither a 2xx nor a 402 decline → the one PaymentError it means (README, "Answer table").
 * Acme's message is never passed on (it may quote what was sent, a card token); its code, parameter, HTTP status and
 * request id go in `details`.
 */
export function mapAcmeError(answer: AcmeAnswer): PaymentError {
  const { code, param } = acmeErrorOf(answer.body);
  const details: Record<string, unknown> = { provider: "acme", status: answer.status };
  if (code !== undefined) details.acmeCode = code;
  if (answer.requestId !== undefined) details.requestId = answer.requestId;
  const field = param === undefined ? undefined : FIELD_OF_PARAM[param];
  if (field !== undefined) details.field = field;

  const refused = code === undefined ? undefined : REFUSED_REQUEST[code];
  if (refused !== undefined && [400, 404, 409].includes(answer.status)) {
    return new PaymentError(refused, `Acme refused the request (${code})`, { details });
  }
  if (answer.status === 401 || answer.status === 403) {
    // A bad API key: nothing was done, and nothing will be until an operator fixes the configuration.
    return new PaymentError("gateway_error", `Acme refused this account's credentials (HTTP ${answer.status})`, { details });
  }
  if (answer.status === 429) {
    return new PaymentError("gateway_rate_limited", "Acme is rate limiting requests; retry later", {
      retryAfterSeconds: answer.retryAfterSeconds ?? 1,
      details,
    });
  }
  if (answer.status === 503) {
    // Acme answers 503 before reading the request (maintenance): it certainly did not act.
    return new PaymentError("gateway_error", "Acme is unavailable; nothing was done", { retryAfterSeconds: answer.retryAfterSeconds, details });
  }
  if (answer.status === 422 && code === "idempotency_key_reused") {
    // Our request changed between two sends under one key: the first one may have acted, and this key can only ever
    // answer 422 again. The core must look the charge up, then use a fresh key if there is none.
    return new PaymentError("gateway_outcome_unknown", "Acme holds another request under this idempotency key", {
      retryAfterSeconds: 1,
      details: { ...details, sameKeyReplays: true },
    });
  }
  // A 500 (Acme: "may or may not have been carried out"), or anything Acme does not document: it may have acted.
  return new PaymentError("gateway_outcome_unknown", `Acme's answer is unknown (HTTP ${answer.status})`, { retryAfterSeconds: 1, details });
}
