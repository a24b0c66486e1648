import type { Command } from "commander";
import { colourEnabled, createColours } from "../output/colours.js";
import { Output, type WritableLike } from "../output/output.js";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import { type GlobalOptions, type Runtime, openRuntime } from "./runtime.js";

/** The process's surroundings, passed in rather than reached for, so that every command sees the same ones. */
export interface CliSession {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: WritableLike;
  stderr: WritableLike & NodeJS.WritableStream;
  /** What the process exits with; commands set it (drift found, aborted…). */
  exitCode: ExitCode;
}

export interface CommandContext {
  session: CliSession;
  globals: GlobalOptions;
  out: Output;
  now: Date;
}

export function contextFor(command: Command, session: CliSession): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const colours = createColours(colourEnabled(session.stdout, session.env, globals.color !== false));
  return { session, globals, out: new Output(globals.json === true, colours, session.stdout, session.stderr), now: new Date() };
}

/** Runs `work` with an open runtime and always closes it, so a pg pool never keeps the process alive. */
export async function withRuntime(context: CommandContext, work: (runtime: Runtime) => Promise<ExitCode | void>): Promise<void> {
  const runtime = await openRuntime(context.globals, context.session.env);
  try {
    context.session.exitCode = (await work(runtime)) ?? EXIT.ok;
  } finally {
    context.out.clearProgress();
    await runtime.close();
  }
}
