/**
 * The one error type of the payment domain. Every failure a caller can act on carries a stable `code`; the HTTP
 * status follows from the code (DESIGN "Decisions") so every front end renders the same answer.
 */
export const errorHttpStatus = {
  validation_error: 400,
  invalid_amount: 400,
  invalid_cursor: 400,
  amount_too_small: 400,
  currency_not_supported: 400,
  webhook_signature_invalid: 400,
  unauthenticated: 401,
  card_declined: 402,
  insufficient_funds: 402,
  expired_card: 402,
  incorrect_cvc: 402,
  processing_error: 402,
  authentication_required: 402,
  forbidden: 403,
  not_found: 404,
  idempotency_key_in_use: 409,
  invalid_state_transition: 409,
  conflict: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  refund_exceeds_captured: 422,
  rate_limited: 429,
  internal: 500,
  gateway_error: 502,
  gateway_outcome_unknown: 503,
  gateway_rate_limited: 503,
  schema_out_of_date: 500,
} as const;

export type PaymentErrorCode = keyof typeof errorHttpStatus;

/** The card outcomes a gateway maps every decline onto; the provider's own code stays in `declineCode`. */
export const DECLINE_CODES = [
  "card_declined",
  "insufficient_funds",
  "expired_card",
  "incorrect_cvc",
  "processing_error",
  "authentication_required",
] as const;
export type DeclineCode = (typeof DECLINE_CODES)[number];

export function isDeclineCode(code: string): code is DeclineCode {
  return (DECLINE_CODES as readonly string[]).includes(code);
}

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
