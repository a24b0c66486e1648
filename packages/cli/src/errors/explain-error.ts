import { CommanderError } from "commander";
import { PaymentError, errorCodeRule } from "@org/payments-core";
import { CliError } from "./cli-error.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

export interface ExplainedError {
  code: string;
  message: string;
  hint: string;
  exitCode: ExitCode;
  details?: Record<string, unknown> | undefined;
}

/** Every failure as `error[<code>]`, an exit code and a one-line fix; unknown errors are `internal`. */
export function explainError(error: unknown): ExplainedError {
  if (error instanceof CliError) return { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof PaymentError) {
    // Exit category and hint come from core's one error table, so a new code is classified there, once.
    const rule = errorCodeRule(error.code);
    return { code: error.code, message: error.message, details: error.details, exitCode: EXIT[rule.cliExit], hint: rule.cliHint };
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
