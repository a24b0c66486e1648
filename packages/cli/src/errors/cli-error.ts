import type { ExitCode } from "./exit-codes.js";

/** An error the CLI itself raises, with the exit code it implies and the one-line fix printed under it. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint: string,
  ) {
    super(message);
  }
}
