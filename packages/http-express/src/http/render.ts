import { PaymentError, type PaymentErrorBody, canonicalJson, errorCodeRule, maskCardNumbers } from "@org/payments-core";
import type { Response } from "express";

/**
 * JSON with keys sorted: a stored idempotent outcome read back from any database (jsonb reorders keys) renders to
 * exactly the same bytes as the first response.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type("application/json").send(canonicalJson(body));
}

/** Sends a result, marking replays of an earlier request with the same Idempotency-Key. */
export function sendOutcome(res: Response, status: number, body: unknown, replayed: boolean): void {
  if (replayed) res.setHeader("Idempotent-Replayed", "true");
  sendJson(res, status, body);
}

/**
 * An error body never repeats a card number, whichever message or detail carries one (a zod message naming an
 * unknown key, an issue path through a metadata key, a provider's message). Masking is deterministic, so a
 * replayed error still renders to the same bytes.
 */
function withoutCardNumbers(value: unknown): unknown {
  if (typeof value === "string") return maskCardNumbers(value);
  if (Array.isArray(value)) return value.map(withoutCardNumbers);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, inner] of Object.entries(value)) out[maskCardNumbers(key)] = withoutCardNumbers(inner);
    return out;
  }
  return value;
}

export const INTERNAL_MESSAGE = "internal error";

export type ErrorBody = { error: PaymentErrorBody & { requestId?: string } };

export function errorBody(error: PaymentError): ErrorBody {
  return { error: withoutCardNumbers(error.toJSON()) as PaymentErrorBody };
}

/**
 * A server-side failure says only that it happened and which request it was (to find its log line): its message
 * and details may hold a driver's text or stored row data. Only a message the router wrote for the host's
 * developer (a mounting mistake) is kept.
 */
function internalBody(res: Response, publicMessage: string | undefined): ErrorBody {
  const requestId = res.getHeader("X-Request-Id");
  return { error: { code: "internal", message: publicMessage ?? INTERNAL_MESSAGE, ...(typeof requestId === "string" ? { requestId } : {}) } };
}

/** Renders a PaymentError with its status, Retry-After where it or its code's rule names one, and the replay marker. */
export function sendError(res: Response, error: PaymentError, options: { publicMessage?: string } = {}): void {
  if (error.replayed) res.setHeader("Idempotent-Replayed", "true");
  // The error's own wait (a rate limiter's window) wins; otherwise the code's rule says whether a retry should wait.
  const retryAfter = error.retryAfterSeconds ?? errorCodeRule(error.code).retryAfterSeconds;
  if (retryAfter !== undefined) res.setHeader("Retry-After", String(Math.ceil(retryAfter)));
  if (error.code === "unauthenticated") res.setHeader("WWW-Authenticate", 'Bearer realm="payments"');
  sendJson(res, error.httpStatus, error.httpStatus === 500 ? internalBody(res, options.publicMessage) : errorBody(error));
}

export function toPaymentError(error: unknown): PaymentError {
  if (error instanceof PaymentError) return error;
  const status = (error as { status?: number; type?: string } | null)?.status;
  const type = (error as { type?: string } | null)?.type;
  // body-parser's errors: keep the client's mistake a 4xx with a stable code, never a stack trace.
  if (type === "entity.too.large" || status === 413) return new PaymentError("payload_too_large", "the request body is too large");
  if (type === "entity.parse.failed") return new PaymentError("validation_error", "the request body is not valid JSON");
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return new PaymentError("validation_error", "unsupported request body encoding");
  }
  if (status !== undefined && status >= 400 && status < 500) return new PaymentError("validation_error", "malformed request");
  return new PaymentError("internal", INTERNAL_MESSAGE, { cause: error });
}
