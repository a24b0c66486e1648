import { EventEmitter } from "node:events";
import { Readable, Writable } from "node:stream";
import type { CliResult } from "./run-cli.js";

/** The entry under test: this source tree's, or another one's (PAYMENTS_CLI_RUN_UNDER_TEST, to prove a test on old code). */
const entry = process.env.PAYMENTS_CLI_RUN_UNDER_TEST || "../../src/run.js";
const { run } = (await import(entry)) as typeof import("../../src/run.js");

export interface InProcessOptions {
  env: NodeJS.ProcessEnv;
  /** Pretend both streams are one terminal of this width (progress is drawn only on a terminal). */
  terminal?: { columns: number } | undefined;
  /**
   * For commands that run until stopped (`metrics serve`, `events dispatch`): once what they wrote to stderr so far
   * satisfies this, they get SIGTERM, as an operator's Ctrl-C — from a signal source of this run's own, never the
   * process's.
   */
  stopWhen?: ((stderrSoFar: string) => boolean) | undefined;
}

export interface InProcessResult extends CliResult {
  /** stdout and stderr interleaved as a terminal showing both would receive them. */
  combined: string;
}

/**
 * Runs one command line through the CLI's programmatic entry (`run`), in this process: the same parsing, checks and
 * commands as the binary, without a process start per case. stdin is closed (every confirmation is a no) and no
 * signal handler is installed.
 */
export async function runInProcess(args: readonly string[], options: InProcessOptions): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  let combined = "";
  const signals = new EventEmitter();
  let stopSent = false;
  const tty = options.terminal ? { isTTY: true, columns: options.terminal.columns } : {};
  const stdoutStream = Object.assign(
    {
      write(chunk: string) {
        stdout += chunk;
        combined += chunk;
        return true;
      },
    },
    tty,
  );
  const stderrStream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        const text = chunk.toString();
        stderr += text;
        combined += text;
        if (!stopSent && options.stopWhen?.(stderr)) {
          stopSent = true;
          // After this write returns: the command is past the point it announced.
          setImmediate(() => signals.emit("SIGTERM"));
        }
        callback();
      },
    }),
    tty,
  );
  const code = await run(["node", "payments-cli", ...args], {
    env: options.env,
    stdin: Readable.from([]),
    stdout: stdoutStream,
    stderr: stderrStream,
    exitCode: 0,
    ...(options.stopWhen
      ? {
          signals: { on: (signal, listener) => signals.on(signal, listener), off: (signal, listener) => signals.off(signal, listener) },
          // A second signal is never sent here, so "stop at once" never comes; nothing may exit the test process.
          exit: () => undefined,
        }
      : {}),
  });
  return { code, stdout, stderr, combined };
}
