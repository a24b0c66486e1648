import { type PaymentErrorCode, errorHttpStatus } from "./error-codes.js";

/**
 * The one error type of the payment domain. Every failure a caller can act on carries a stable `code`; everything
 * decided from the code (HTTP status, replay, retry, CLI exit) is read from `ERROR_CODES` (error-codes.ts).
 */
export interface PaymentErrorOptions {
  declineCode?: string | undefined;
  details?: Record<string, unknown> | undefined;
  /** Seconds a client should wait before retrying (rate limits, unknown gateway outcomes). */
  retryAfterSeconds?: number | undefined;
  /** True when this error is the stored outcome of an earlier request with the same idempotency key. */
  replayed?: boolean | undefined;
  cause?: unknown;
}

/** The JSON shape of an error, as stored on idempotency records and rendered by the HTTP router. */
export interface PaymentErrorBody {
  code: PaymentErrorCode;
  message: string;
  declineCode?: string;
  details?: Record<string, unknown>;
}

export class PaymentError extends Error {
  override readonly name = "PaymentError";
  readonly code: PaymentErrorCode;
  readonly declineCode: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly replayed: boolean;

  constructor(code: PaymentErrorCode, message: string, options: PaymentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.declineCode = options.declineCode;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.replayed = options.replayed ?? false;
  }

  get httpStatus(): number {
    return errorHttpStatus[this.code];
  }

  toJSON(): PaymentErrorBody {
    const body: PaymentErrorBody = { code: this.code, message: this.message };
    if (this.declineCode !== undefined) body.declineCode = this.declineCode;
    if (this.details !== undefined) body.details = this.details;
    return body;
  }

  static fromJSON(body: PaymentErrorBody, options: { replayed?: boolean } = {}): PaymentError {
    return new PaymentError(body.code, body.message, {
      declineCode: body.declineCode,
      details: body.details,
      replayed: options.replayed,
    });
  }
}

export function isPaymentError(value: unknown, code?: PaymentErrorCode): value is PaymentError {
  return value instanceof PaymentError && (code === undefined || value.code === code);
}

/**
 * A mistake in how the library was set up (a missing option, contradictory options): thrown at construction, the
 * same way by every package, so a host's start-up check can tell it from a request's failure.
 */
export function configurationError(message: string, details?: Record<string, unknown>): PaymentError {
  return new PaymentError("configuration_error", message, details === undefined ? {} : { details });
}
