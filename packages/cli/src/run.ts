import { CommanderError } from "commander";
import { explainError } from "./errors/explain-error.js";
import { EXIT, type ExitCode } from "./errors/exit-codes.js";
import { redactSecrets } from "./errors/redact.js";
import { safeForTerminal } from "./errors/safe-text.js";
import { colourEnabled, createColours } from "./output/colours.js";
import { createProgram } from "./program.js";
import type { CliSession } from "./runtime/session.js";

/** Parses and runs one command line; returns the exit code instead of exiting, so the caller decides. */
export async function run(argv: readonly string[], session: CliSession): Promise<ExitCode> {
  const program = createProgram(session);
  try {
    await program.parseAsync([...argv]);
    return session.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && (error.code === "commander.helpDisplayed" || error.code === "commander.version")) {
      return EXIT.ok;
    }
    // `payments-cli` or `payments-cli payments` alone: commander printed the help to stderr.
    if (error instanceof CommanderError && error.code === "commander.help") return EXIT.usage;
    const explained = explainError(error);
    // Messages may quote what was typed: no secret, card number or control character reaches the terminal.
    const clean = (text: string) => safeForTerminal(redactSecrets(text));
    const message = clean(explained.message);
    const colours = createColours(colourEnabled(session.stderr, session.env, !argv.includes("--no-color")));
    session.stderr.write(`${colours.red(`error[${explained.code}]`)}: ${message}\n  ${colours.dim("fix:")} ${explained.hint}\n`);
    if (argv.includes("--debug") && error instanceof Error) {
      session.stderr.write(`${clean(error.stack ?? String(error))}\n`);
      if (error.cause !== undefined) session.stderr.write(`caused by: ${clean(error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause))}\n`);
    }
    if (argv.includes("--json")) {
      const body = { error: { code: explained.code, message, hint: explained.hint, exitCode: explained.exitCode, details: explained.details } };
      session.stdout.write(`${JSON.stringify(body, (_key, value: unknown) => (typeof value === "string" ? clean(value) : value), 2)}\n`);
    }
    return explained.exitCode;
  }
}
