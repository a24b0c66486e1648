/**
 * Every stable error code, with everything any part of the library decides from it. One table, read by every
 * classifier: the HTTP status a router renders, the Retry-After it implies, whether the idempotent executor stores the
 * error as the request's outcome (so a retry replays it) or leaves the key free for a corrected retry, what the error
 * means when a gateway throws it (declined / invalid request / retryable / unknown outcome), and the CLI's exit
 * category and one-line hint. Adding a code is one row; nothing can classify it differently elsewhere.
 */

/** What a thrown gateway error tells about the provider's action (see `classifyGatewayError`). */
export type GatewayAnswerKind = "declined" | "invalid_request" | "retryable" | "unknown_outcome";

/** The CLI's exit categories (the numbers are the CLI's interface; `EXIT` in the CLI maps these names). */
export type CliExitCategory = "error" | "usage" | "refused" | "notFound" | "gatewayUnavailable" | "schemaOutOfDate";

export interface ErrorCodeRule {
  readonly httpStatus: number;
  /** Retry-After (seconds) a front end sends when the error itself names none; absent: no header. */
  readonly retryAfterSeconds?: number;
  /**
   * True when the error is the answer to the request and is stored under its idempotency key for replay. False for
   * refusals a corrected retry may get past (bad input), contention (conflict, key in use) and failures that say
   * nothing yet about the request (gateway errors, internal).
   */
  readonly storedForReplay: boolean;
  /** The kind of provider answer this code is when a gateway throws it. */
  readonly gatewayAnswer: GatewayAnswerKind;
  readonly cliExit: CliExitCategory;
  /** What an operator does next; shown by the CLI under the message. */
  readonly cliHint: string;
}

const DECLINED_HINT = "the card was declined; nothing to retry from here";
const DEFAULT_HINT = "re-run with --debug for details";

export const ERROR_CODES = {
  validation_error: {
    httpStatus: 400,
    storedForReplay: false,
    gatewayAnswer: "invalid_request",
    cliExit: "usage",
    cliHint: "check the flag values; `--help` shows each option with an example",
  },
  invalid_amount: {
    httpStatus: 400,
    storedForReplay: false,
    gatewayAnswer: "invalid_request",
    cliExit: "usage",
    cliHint: 'type amounts in major units with at most the currency\'s decimals, e.g. "10.50"',
  },
  invalid_cursor: {
    httpStatus: 400,
    storedForReplay: true,
    gatewayAnswer: "unknown_outcome",
    cliExit: "usage",
    cliHint: "pass the cursor printed under the previous page, unchanged, with the same filters",
  },
  amount_too_small: {
    httpStatus: 400,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "refused",
    cliHint: "the provider's minimum amount applies",
  },
  currency_not_supported: {
    httpStatus: 400,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "refused",
    cliHint: "the provider does not accept this currency",
  },
  webhook_signature_invalid: { httpStatus: 400, storedForReplay: true, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  unauthenticated: { httpStatus: 401, storedForReplay: true, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  card_declined: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  insufficient_funds: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  expired_card: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  incorrect_cvc: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  processing_error: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  authentication_required: { httpStatus: 402, storedForReplay: true, gatewayAnswer: "declined", cliExit: "refused", cliHint: DECLINED_HINT },
  forbidden: { httpStatus: 403, storedForReplay: true, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  not_found: {
    httpStatus: 404,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "notFound",
    cliHint: "check the id with `payments-cli payments list`",
  },
  idempotency_key_in_use: {
    httpStatus: 409,
    retryAfterSeconds: 1,
    storedForReplay: false,
    gatewayAnswer: "unknown_outcome",
    cliExit: "error",
    cliHint: "the same operation is still held elsewhere past its lock timeout; check for a stuck payments-cli or host, then re-run",
  },
  invalid_state_transition: {
    httpStatus: 409,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "refused",
    cliHint: "see the payment's status with `payments-cli payments show <id>`; nothing was changed",
  },
  payment_not_editable: {
    httpStatus: 409,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "refused",
    cliHint: "once confirmed, a payment changes only its description and metadata; nothing was changed",
  },
  conflict: {
    httpStatus: 409,
    storedForReplay: false,
    gatewayAnswer: "retryable",
    cliExit: "error",
    cliHint: "the payment kept changing under us; re-run the command",
  },
  payload_too_large: { httpStatus: 413, storedForReplay: true, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  idempotency_key_reused: {
    httpStatus: 422,
    storedForReplay: false,
    gatewayAnswer: "unknown_outcome",
    cliExit: "refused",
    cliHint: "this key was used for a different request: pass a new --idempotency-key",
  },
  refund_exceeds_captured: {
    httpStatus: 422,
    storedForReplay: true,
    gatewayAnswer: "invalid_request",
    cliExit: "refused",
    cliHint: "see what is left with `payments-cli payments show <id>`; nothing was changed",
  },
  rate_limited: { httpStatus: 429, retryAfterSeconds: 1, storedForReplay: true, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  internal: { httpStatus: 500, storedForReplay: false, gatewayAnswer: "unknown_outcome", cliExit: "error", cliHint: DEFAULT_HINT },
  configuration_error: {
    httpStatus: 500,
    storedForReplay: false,
    gatewayAnswer: "unknown_outcome",
    cliExit: "error",
    cliHint: "check the options the library was set up with (the message names the one at fault)",
  },
  gateway_error: {
    httpStatus: 502,
    storedForReplay: false,
    gatewayAnswer: "retryable",
    cliExit: "gatewayUnavailable",
    cliHint: "the provider refused or failed: check its credentials and status page, then re-run",
  },
  gateway_outcome_unknown: {
    httpStatus: 503,
    retryAfterSeconds: 1,
    storedForReplay: false,
    gatewayAnswer: "unknown_outcome",
    cliExit: "gatewayUnavailable",
    cliHint: "the provider may or may not have acted: re-run the same command (same key), or `payments-cli recover` later",
  },
  gateway_rate_limited: {
    httpStatus: 503,
    retryAfterSeconds: 1,
    storedForReplay: false,
    gatewayAnswer: "retryable",
    cliExit: "gatewayUnavailable",
    cliHint: "the provider is rate limiting: re-run the same command in a minute",
  },
  schema_out_of_date: {
    httpStatus: 500,
    storedForReplay: true,
    gatewayAnswer: "unknown_outcome",
    cliExit: "schemaOutOfDate",
    cliHint: "run `payments-cli migrate` against this database first",
  },
} as const satisfies Record<string, ErrorCodeRule>;

export type PaymentErrorCode = keyof typeof ERROR_CODES;

export const PAYMENT_ERROR_CODES = Object.keys(ERROR_CODES) as PaymentErrorCode[];

/** The rule for a code; a string that is no code (a foreign error's) gets `internal`'s. */
export function errorCodeRule(code: string): ErrorCodeRule {
  return Object.hasOwn(ERROR_CODES, code) ? ERROR_CODES[code as PaymentErrorCode] : ERROR_CODES.internal;
}

/** The HTTP status of each code, as before the table (kept: hosts map codes with it). */
export const errorHttpStatus = Object.fromEntries(PAYMENT_ERROR_CODES.map((code) => [code, ERROR_CODES[code].httpStatus])) as {
  readonly [C in PaymentErrorCode]: (typeof ERROR_CODES)[C]["httpStatus"];
};

type DeclinedCode = { [C in PaymentErrorCode]: (typeof ERROR_CODES)[C]["gatewayAnswer"] extends "declined" ? C : never }[PaymentErrorCode];

/** The card outcomes a gateway maps every decline onto; the provider's own code stays in `declineCode`. */
export const DECLINE_CODES = PAYMENT_ERROR_CODES.filter((code) => ERROR_CODES[code].gatewayAnswer === "declined") as readonly DeclinedCode[];
export type DeclineCode = DeclinedCode;

export function isDeclineCode(code: string): code is DeclineCode {
  return (DECLINE_CODES as readonly string[]).includes(code);
}

/**
 * True when an operation that met this error is left between phases (at `gateway_pending`) for a retry or recovery
 * to finish: the provider's answer was not definite.
 */
export function leavesOperationPending(code: string): boolean {
  const answer = errorCodeRule(code).gatewayAnswer;
  return answer === "retryable" || answer === "unknown_outcome";
}
