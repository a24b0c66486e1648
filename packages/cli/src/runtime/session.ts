import type { Command } from "commander";
import { colourEnabled, createColours } from "../output/colours.js";
import { Output, type WritableLike } from "../output/output.js";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import { safeForTerminal } from "../errors/safe-text.js";
import { Interrupts, type SignalSource } from "./interrupts.js";
import { type GlobalOptions, type Runtime, openRuntime } from "./runtime.js";

/** The process's surroundings, passed in rather than reached for, so that every command sees the same ones. */
export interface CliSession {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: WritableLike;
  stderr: WritableLike & NodeJS.WritableStream;
  /** What the process exits with; commands set it (drift found, aborted…). */
  exitCode: ExitCode;
  /**
   * SIGINT/SIGTERM and a way to exit at once: the binary passes the process. Without them (a run inside a test
   * process) signals are left to their defaults.
   */
  signals?: SignalSource | undefined;
  exit?: ((code: ExitCode) => void) | undefined;
}

export interface CommandContext {
  session: CliSession;
  globals: GlobalOptions;
  out: Output;
  now: Date;
}

export interface RunningRuntime extends Runtime {
  /** How this run reacts to SIGINT/SIGTERM; undefined when the session has no signals. */
  interrupts: Interrupts | undefined;
}

export function contextFor(command: Command, session: CliSession): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const colours = createColours(colourEnabled(session.stdout, session.env, globals.color !== false));
  return { session, globals, out: new Output(globals.json === true, colours, session.stdout, session.stderr), now: new Date() };
}

/**
 * Runs `work` with an open runtime and always closes it, so a pg pool never keeps the process alive. While it runs,
 * a signal never leaves an idempotency lock behind (see Interrupts).
 */
export async function withRuntime(context: CommandContext, work: (runtime: RunningRuntime) => Promise<ExitCode | void>): Promise<void> {
  const runtime = await openRuntime(context.globals, context.session.env);
  const { signals, exit } = context.session;
  const interrupts =
    signals && exit
      ? new Interrupts(signals, runtime.locks, runtime.rawStore, (text) => context.out.note(safeForTerminal(text)), exit)
      : undefined;
  interrupts?.install();
  try {
    context.session.exitCode = (await work({ ...runtime, interrupts })) ?? EXIT.ok;
  } finally {
    interrupts?.dispose();
    context.out.clearProgress();
    await runtime.close();
  }
}
