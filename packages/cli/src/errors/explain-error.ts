import { CommanderError } from "commander";
import { PaymentError, type PaymentErrorCode } from "@org/payments-core";
import { CliError } from "./cli-error.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

export interface ExplainedError {
  code: string;
  message: string;
  hint: string;
  exitCode: ExitCode;
  details?: Record<string, unknown> | undefined;
}

const PAYMENT_ERRORS: Partial<Record<PaymentErrorCode, { exitCode: ExitCode; hint: string }>> = {
  validation_error: { exitCode: EXIT.usage, hint: "check the flag values; `--help` shows each option with an example" },
  invalid_cursor: { exitCode: EXIT.usage, hint: "pass the cursor printed under the previous page, unchanged, with the same filters" },
  invalid_amount: { exitCode: EXIT.usage, hint: 'type amounts in major units with at most the currency\'s decimals, e.g. "10.50"' },
  not_found: { exitCode: EXIT.notFound, hint: "check the id with `payments-cli payments list`" },
  refund_exceeds_captured: { exitCode: EXIT.refused, hint: "see what is left with `payments-cli payments show <id>`; nothing was changed" },
  invalid_state_transition: { exitCode: EXIT.refused, hint: "see the payment's status with `payments-cli payments show <id>`; nothing was changed" },
  idempotency_key_reused: { exitCode: EXIT.refused, hint: "this key was used for a different request: pass a new --idempotency-key" },
  idempotency_key_in_use: {
    exitCode: EXIT.error,
    hint: "the same operation is still held elsewhere past its lock timeout; check for a stuck payments-cli or host, then re-run",
  },
  conflict: { exitCode: EXIT.error, hint: "the payment kept changing under us; re-run the command" },
  amount_too_small: { exitCode: EXIT.refused, hint: "the provider's minimum amount applies" },
  currency_not_supported: { exitCode: EXIT.refused, hint: "the provider does not accept this currency" },
  gateway_outcome_unknown: {
    exitCode: EXIT.gatewayUnavailable,
    hint: "the provider may or may not have acted: re-run the same command (same key), or `payments-cli recover` later",
  },
  gateway_rate_limited: { exitCode: EXIT.gatewayUnavailable, hint: "the provider is rate limiting: re-run the same command in a minute" },
  gateway_error: { exitCode: EXIT.gatewayUnavailable, hint: "the provider refused or failed: check its credentials and status page, then re-run" },
  schema_out_of_date: { exitCode: EXIT.schemaOutOfDate, hint: "run `payments-cli migrate` against this database first" },
};

const CARD_ERRORS = new Set(["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error", "authentication_required"]);

/** Every failure as `error[<code>]`, an exit code and a one-line fix; unknown errors are `internal`. */
export function explainError(error: unknown): ExplainedError {
  if (error instanceof CliError) return { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof PaymentError) {
    const known = PAYMENT_ERRORS[error.code];
    if (known) return { code: error.code, message: error.message, details: error.details, ...known };
    if (CARD_ERRORS.has(error.code)) {
      return { code: error.code, message: error.message, exitCode: EXIT.refused, hint: "the card was declined; nothing to retry from here" };
    }
    return { code: error.code, message: error.message, exitCode: EXIT.error, hint: "re-run with --debug for details" };
  }
  if (error instanceof CommanderError) {
    return { code: "usage", message: error.message.replace(/^error: /, ""), exitCode: EXIT.usage, hint: "see `payments-cli <command> --help`" };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "28P01" || code === "3D000") {
    return { code: "database_unreachable", message, exitCode: EXIT.error, hint: "check --db / PAYMENTS_DATABASE_URL and that the database is up" };
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return {
      code: "not_a_database",
      message: "the file is not a SQLite database (or is damaged); it was not changed",
      exitCode: EXIT.error,
      hint: "check --db / PAYMENTS_DATABASE_URL: it must name a payments database, or a new path for `payments-cli migrate`",
    };
  }
  if (code === "SQLITE_BUSY") {
    return { code: "database_busy", message, exitCode: EXIT.error, hint: "another process held the SQLite write lock too long; re-run the command" };
  }
  return { code: "internal", message, exitCode: EXIT.error, hint: "re-run with --debug for the stack trace, and report it" };
}
