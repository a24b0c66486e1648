import { PaymentError, isPaymentError } from "@org/payments-core";
import { coreDeclineCode } from "./decline-codes.js";

/** The fields of stripe-node's StripeError that the mapping reads; structural, so a second SDK copy still maps. */
interface StripeErrorLike {
  type: string;
  rawType?: string | undefined;
  statusCode?: number | undefined;
  code?: string | undefined;
  decline_code?: string | undefined;
  param?: string | undefined;
  message: string;
  headers?: Record<string, string> | undefined;
}

export function isStripeError(error: unknown): error is StripeErrorLike {
  if (!(error instanceof Error)) return false;
  const type: unknown = (error as Error & { type?: unknown }).type;
  return typeof type === "string" && type.startsWith("Stripe");
}

/** The operation being mapped: the same Stripe error means different things for a capture and for a refund. */
export type StripeOperation = "create" | "resume" | "capture" | "cancel" | "refund" | "read";

function retryAfter(error: StripeErrorLike, fallback: number): number {
  const header = error.headers?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : fallback;
}

function unknownOutcome(error: unknown, why: string): PaymentError {
  return new PaymentError(
    "gateway_outcome_unknown",
    `Stripe's answer is unknown (${why}); retry with the same idempotency key`,
    { retryAfterSeconds: 1, cause: error, details: { provider: "stripe" } },
  );
}

/**
 * Any error from a Stripe call → PaymentError, keeping the original as `cause`. The rule that matters most: when
 * Stripe may have acted (connection lost, timeout, 5xx, a 409 on a key still in flight) the answer is
 * `gateway_outcome_unknown`, never a decline, so the core retries with the same key instead of failing a payment
 * that may have been charged. Messages never echo credentials (401/403 bodies mention the key).
 */
export function mapStripeError(error: unknown, operation: StripeOperation): PaymentError {
  if (isPaymentError(error)) return error;
  if (!isStripeError(error)) return unknownOutcome(error, error instanceof Error ? error.message : "unexpected error");
  const status = error.statusCode;
  switch (error.type) {
    case "StripeConnectionError":
      return unknownOutcome(error, "connection failed or timed out");
    case "StripeCardError": {
      const code = coreDeclineCode(error.code, error.decline_code);
      return new PaymentError(code, error.message || "The card was declined", {
        declineCode: error.decline_code ?? error.code,
        cause: error,
      });
    }
    case "StripeRateLimitError":
      return new PaymentError("gateway_rate_limited", "Stripe is rate limiting requests; retry later", {
        retryAfterSeconds: retryAfter(error, 1),
        cause: error,
      });
    case "StripeAuthenticationError":
    case "StripePermissionError":
      return new PaymentError("gateway_error", `Stripe refused this account's credentials (HTTP ${status ?? "?"})`, {
        cause: error,
        details: { provider: "stripe", status },
      });
    case "StripeIdempotencyError":
      if (status === 409) return unknownOutcome(error, "a request with this idempotency key is still in flight");
      return new PaymentError("gateway_error", "Stripe saw this idempotency key with different parameters", {
        cause: error,
        details: { provider: "stripe", status },
      });
    case "StripeInvalidRequestError": {
      if (error.code === "amount_too_small") {
        return new PaymentError("amount_too_small", error.message, { cause: error, details: { provider: "stripe" } });
      }
      if (error.param === "currency" || error.code === "currency_not_supported") {
        return new PaymentError("currency_not_supported", error.message, { cause: error, details: { provider: "stripe" } });
      }
      if (error.code === "payment_intent_unexpected_state") {
        return new PaymentError("invalid_state_transition", error.message, { cause: error, details: { provider: "stripe" } });
      }
      if (operation === "refund" && (error.code === "amount_too_large" || error.code === "charge_already_refunded")) {
        return new PaymentError("refund_exceeds_captured", error.message, { cause: error, details: { provider: "stripe" } });
      }
      if (error.code === "amount_too_large" || error.param === "amount" || error.param === "amount_to_capture") {
        return new PaymentError("invalid_amount", error.message, { cause: error, details: { provider: "stripe" } });
      }
      if (status === 404 || error.code === "resource_missing") {
        return new PaymentError("not_found", error.message, { cause: error, details: { provider: "stripe" } });
      }
      return new PaymentError("gateway_error", `Stripe rejected the request: ${error.message}`, {
        cause: error,
        details: { provider: "stripe", status, code: error.code, param: error.param },
      });
    }
    default:
      // StripeAPIError and anything newer: a 409 conflict or a 5xx (or an unreadable body) may hide a success.
      if (status === undefined || status === 409 || status >= 500) return unknownOutcome(error, `HTTP ${status ?? "?"}`);
      return new PaymentError("gateway_error", `Stripe failed the request (HTTP ${status})`, {
        cause: error,
        details: { provider: "stripe", status },
      });
  }
}
