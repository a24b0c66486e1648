import { PaymentError, isPaymentError, type PaymentErrorCode } from "@org/payments-core";
import { coreDeclineCode } from "./decline-codes.js";
import {
  DECLINE_LIKE_CODES,
  KEY_IN_USE_CODE,
  REFUND_REFUSAL_CODES,
  UNEXPECTED_STATE_CODES,
  isOneOf,
} from "./stripe-error-codes.js";

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
  requestId?: string | undefined;
}

export function isStripeError(error: unknown): error is StripeErrorLike {
  if (!(error instanceof Error)) return false;
  const type: unknown = (error as Error & { type?: unknown }).type;
  return typeof type === "string" && type.startsWith("Stripe");
}

/** The operation being mapped: the same Stripe error means different things for a capture and for a refund. */
export type StripeOperation = "create" | "resume" | "capture" | "cancel" | "refund" | "read" | "setup" | "resume_setup" | "detach";

function retryAfter(error: StripeErrorLike, fallback: number): number {
  const header = error.headers?.["retry-after"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : fallback;
}

/** What every mapped error carries for operators: Stripe's own classification, never its free-text message. */
function detailsOf(error: StripeErrorLike): Record<string, unknown> {
  const details: Record<string, unknown> = { provider: "stripe" };
  if (error.statusCode !== undefined) details.status = error.statusCode;
  if (error.rawType !== undefined) details.stripeType = error.rawType;
  if (error.code !== undefined) details.stripeCode = error.code;
  if (error.param !== undefined) details.param = error.param;
  if (error.requestId !== undefined) details.requestId = error.requestId;
  return details;
}

function unknownOutcome(error: unknown, why: string, details: Record<string, unknown>, sameKeyReplays: boolean): PaymentError {
  const next = sameKeyReplays
    ? "look the object up by payment id; the same key would only replay this answer"
    : "look the object up by payment id, then retry with the same idempotency key";
  return new PaymentError("gateway_outcome_unknown", `Stripe's answer is unknown (${why}); ${next}`, {
    retryAfterSeconds: 1,
    cause: error,
    details: sameKeyReplays ? { ...details, sameKeyReplays: true } : details,
  });
}

function invalid(code: PaymentErrorCode, message: string, error: StripeErrorLike, extra: Record<string, unknown> = {}): PaymentError {
  return new PaymentError(code, message, { cause: error, details: { ...detailsOf(error), ...extra } });
}

/** Our request fields as Stripe names them, so a refused parameter names the field the caller can correct. */
const FIELD_OF_PARAM: Readonly<Record<string, string>> = {
  payment_method: "paymentMethodId",
  customer: "customerId",
  receipt_email: "customerEmail",
  description: "description",
  return_url: "returnUrl",
  amount: "amount",
  currency: "currency",
};

/**
 * A 400/404 `invalid_request_error`: Stripe refused the request itself and moved no money. Stripe's message is never
 * passed on, because it quotes what was sent ("No such PaymentMethod: 'pm_…'"): the code and parameter are kept in
 * `details` instead.
 */
function invalidRequest(error: StripeErrorLike, operation: StripeOperation): PaymentError {
  const code = error.code;
  const param = error.param;
  if (isOneOf(DECLINE_LIKE_CODES, code)) {
    return new PaymentError(coreDeclineCode(code, error.decline_code), "Stripe declined the payment method", {
      declineCode: error.decline_code ?? code,
      cause: error,
      details: detailsOf(error),
    });
  }
  if (code === "amount_too_small") {
    return invalid("amount_too_small", "The amount is below Stripe's minimum charge for this currency", error);
  }
  if (param === "currency" || code === "currency_not_supported") {
    return invalid("currency_not_supported", "Stripe does not accept this currency for this account", error);
  }
  if (isOneOf(UNEXPECTED_STATE_CODES, code)) {
    const subject = operation === "setup" || operation === "resume_setup" ? "SetupIntent" : "PaymentIntent";
    return invalid("invalid_state_transition", `Stripe refused the ${operation}: the ${subject} is not in a state that allows it`, error);
  }
  if (operation === "refund" && code === "amount_too_large") {
    return invalid("refund_exceeds_captured", "Stripe refused the refund: it exceeds what is left to refund", error);
  }
  if (code === "amount_too_large" || code === "invalid_charge_amount" || param === "amount" || param === "amount_to_capture") {
    return invalid("invalid_amount", "Stripe refused the amount", error);
  }
  if (code === "resource_missing" || error.statusCode === 404) {
    // A missing object named by the caller (their payment method, their customer) is theirs to correct; the objects
    // named by our own ids (the PaymentIntent of a capture or refund, any read) are simply not there.
    const callerField = param === undefined ? undefined : FIELD_OF_PARAM[param];
    if ((operation === "create" || operation === "resume" || operation === "setup") && param !== undefined && param !== "intent" && param !== "id") {
      return invalid("validation_error", `Stripe has no object for ${callerField ?? param}`, error, { field: callerField ?? param });
    }
    return invalid("not_found", "Stripe has no such object", error);
  }
  const field = param === undefined ? undefined : FIELD_OF_PARAM[param];
  return invalid(
    "validation_error",
    `Stripe refused the request as invalid (${code ?? "no code"}${param === undefined ? "" : `, parameter ${param}`})`,
    error,
    field === undefined ? {} : { field },
  );
}

/**
 * Any error from a Stripe call → PaymentError of exactly one of the core's answer kinds (table in the README), with
 * the original as `cause`. The rules that matter most:
 * - When Stripe may have acted (connection lost, timeout, 5xx, a concurrent request on the key) the answer is
 *   `gateway_outcome_unknown`, never a decline, so the core looks the object up instead of failing a payment that may
 *   have been charged.
 * - Stripe saves the answer of every request whose endpoint began executing, a 500 included, and replays it for the
 *   same key: a 5xx on a mutating call therefore carries `details.sameKeyReplays`, so the core does not wait for the
 *   key to expire but looks up, then uses a fresh key if nothing was made.
 * - A saved 4xx can never turn into a success under its key, so no 4xx is "retryable": it is an invalid request or
 *   a decline. Only the answers Stripe gives before its idempotency layer (401, 403, 429) are retried as they are.
 * Messages never echo credentials (401/403 bodies mention the key) nor what the caller sent.
 */
export function mapStripeError(error: unknown, operation: StripeOperation): PaymentError {
  if (isPaymentError(error)) return error;
  if (!isStripeError(error)) {
    return unknownOutcome(error, "unexpected error", { provider: "stripe" }, false);
  }
  const status = error.statusCode;
  const mutating = operation !== "read";
  if (status === 409 || error.code === KEY_IN_USE_CODE) {
    // The first request with this key is still running: this one was neither executed nor saved. Its outcome is the
    // first one's, so: look up, then retry with the same key (which replays the first answer once it is saved).
    // stripe-node gives it as a StripeAPIError today; whatever class a later SDK picks, it is this case.
    return unknownOutcome(error, "a request with this idempotency key is still in flight", detailsOf(error), false);
  }
  switch (error.type) {
    case "StripeConnectionError":
      // Either nothing arrived or Stripe acted and the answer was lost; a saved answer (if any) is the real one.
      return unknownOutcome(error, "connection failed or timed out", detailsOf(error), false);
    case "StripeCardError": {
      const code = coreDeclineCode(error.code, error.decline_code);
      return new PaymentError(code, error.message || "The card was declined", {
        declineCode: error.decline_code ?? error.code,
        cause: error,
        details: detailsOf(error),
      });
    }
    case "StripeRateLimitError":
      // Stripe's rate limiter runs before its idempotency layer: nothing was saved, the same key is fine later.
      // But stripe-node may have sent this request once already (its own retry of a dropped connection), and that
      // hidden first try may have acted: on a mutating call the core must not read this as "certainly did nothing".
      return new PaymentError("gateway_rate_limited", "Stripe is rate limiting requests; retry later", {
        retryAfterSeconds: retryAfter(error, 1),
        cause: error,
        details: mutating ? { ...detailsOf(error), mayHaveActed: true } : detailsOf(error),
      });
    case "StripeAuthenticationError":
    case "StripePermissionError":
      return new PaymentError("gateway_error", `Stripe refused this account's credentials (HTTP ${status ?? "?"})`, {
        cause: error,
        details: mutating ? { ...detailsOf(error), mayHaveActed: true } : detailsOf(error),
      });
    case "StripeIdempotencyError":
      // 400: this key was first used with other parameters. Stripe did execute that first request, so what it made
      // must be found by payment id; the key itself can only ever answer this error again.
      return unknownOutcome(error, "the idempotency key was first used with other parameters", detailsOf(error), true);
    case "StripeInvalidRequestError":
      return invalidRequest(error, operation);
    default: {
      // StripeAPIError and anything newer.
      if (status === undefined || status >= 500 || status === 424) {
        const replayed = error.headers?.["idempotent-replayed"] === "true";
        const details = replayed ? { ...detailsOf(error), replayed: true } : detailsOf(error);
        return unknownOutcome(error, `HTTP ${status ?? "with an unreadable body"}`, details, mutating && status !== undefined);
      }
      return invalid("validation_error", `Stripe refused the request (HTTP ${status})`, error);
    }
  }
}

/**
 * The code of a refund Stripe refused outright (charge disputed, already refunded, not refundable, …), or null when
 * the error is anything else. Such a refund is answered as a `failed` refund, never thrown as retryable.
 */
export function refundRefusalOf(error: unknown): string | null {
  if (!isStripeError(error) || error.type !== "StripeInvalidRequestError") return null;
  return isOneOf(REFUND_REFUSAL_CODES, error.code) ? error.code : null;
}
