import type { PaymentStore } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import type { HeldLock, HeldLocks } from "./held-locks.js";

export type StopSignal = "SIGINT" | "SIGTERM";
const SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM"];

/** Where signals come from (the process), passed in so that an in-process run never touches the real handlers. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

/** After the operation in flight finished, how long the command may take to print its result before we exit. */
const GRACE_MS = 2_000;

export function exitCodeFor(signal: StopSignal): ExitCode {
  return signal === "SIGINT" ? EXIT.interrupted : EXIT.terminated;
}

function describe(lock: HeldLock): string {
  const what = lock.operation.replace(/^payment\./, "");
  return lock.paymentId ? `the ${what} of ${lock.paymentId}` : `the ${what}`;
}

/**
 * What SIGINT (Ctrl-C) and SIGTERM do while a command holds the database, so that stopping never leaves an
 * operation locked for `lockTimeoutMs` (every re-run refused as "in use" meanwhile):
 * - nothing in flight (reading, or waiting at a prompt): stop at once;
 * - an operation in flight (claimed, the provider being called): let it finish and settle, then stop; no new
 *   operation is started meanwhile. The provider call is never cut off half-way;
 * - a second signal: stop now, releasing the locks still held. The operation stays at `gateway_pending`, exactly as
 *   after a timeout, and the message says how to finish it (re-run the same command, or `payments-cli recover`).
 * A command that stops by itself (the outbox dispatcher) takes the first signal instead: `stopRequested()`.
 */
export class Interrupts {
  #signal: StopSignal | null = null;
  #handledByCommand = false;
  #stoppedNow = false;
  #resolveStop: ((signal: StopSignal) => void) | null = null;
  readonly #stop: Promise<StopSignal>;
  #graceTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #listeners = new Map<StopSignal, () => void>();

  constructor(
    private readonly source: SignalSource,
    private readonly locks: HeldLocks,
    private readonly store: PaymentStore,
    private readonly tell: (text: string) => void,
    private readonly exit: (code: ExitCode) => void,
  ) {
    this.#stop = new Promise((resolve) => (this.#resolveStop = resolve));
  }

  install(): void {
    for (const signal of SIGNALS) {
      const listener = () => void this.#onSignal(signal);
      this.#listeners.set(signal, listener);
      this.source.on(signal, listener);
    }
  }

  dispose(): void {
    for (const [signal, listener] of this.#listeners) this.source.off(signal, listener);
    this.#listeners.clear();
    this.#unsubscribe?.();
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
  }

  /** For a command that winds down by itself: resolves on the first signal, which then no longer stops the process. */
  stopRequested(): Promise<StopSignal> {
    this.#handledByCommand = true;
    return this.#stop;
  }

  async #onSignal(signal: StopSignal): Promise<void> {
    if (this.#signal !== null) return this.#stopNow(this.#signal);
    this.#signal = signal;
    this.#resolveStop?.(signal);
    if (this.#handledByCommand) {
      this.tell(`${signal}: finishing the work in flight, then stopping (send it again to stop at once)`);
      return;
    }
    const code = exitCodeFor(signal);
    this.locks.refuseNewLocks(
      () =>
        new CliError(
          "interrupted",
          `stopped by ${signal} before another operation began`,
          code,
          "what finished is saved; re-run the same command to do the rest",
        ),
    );
    // A transaction still open may be committing a lock right now: its outcome decides which case this is.
    await this.locks.transactionsClosed();
    if (this.#stoppedNow) return;
    if (this.locks.held.length === 0) {
      this.tell(`${signal}: stopped; nothing was in flight`);
      return this.exit(code);
    }
    const what = this.locks.held.map(describe).join(", ") || "the operation in flight";
    this.tell(
      `${signal}: finishing ${what} first, so that nothing is left locked (the provider call is not cut off).\n` +
        `${signal === "SIGINT" ? "Press Ctrl-C again" : "Send SIGTERM again"} to stop at once: it stays resumable.`,
    );
    const whenIdle = () => {
      if (!this.locks.idle || this.#graceTimer) return;
      // The command is now printing its result (or refusing its next operation); give it a moment, then stop.
      this.#graceTimer = setTimeout(() => {
        this.tell(`${signal}: stopped after ${what} finished`);
        this.exit(code);
      }, GRACE_MS);
      this.#graceTimer.unref();
    };
    this.#unsubscribe = this.locks.onChange(whenIdle);
    whenIdle();
  }

  async #stopNow(signal: StopSignal): Promise<void> {
    if (this.#stoppedNow) return;
    this.#stoppedNow = true;
    const code = exitCodeFor(signal);
    if (this.#handledByCommand || this.locks.held.length === 0) {
      this.tell(`${signal}: stopped`);
      return this.exit(code);
    }
    const pending = this.locks.held;
    try {
      await this.locks.releaseAll(this.store, new Date().toISOString());
      const lines = pending.map(
        (lock) =>
          `  ${describe(lock)} (key ${lock.key}, scope ${lock.scope}): the provider may or may not have acted; its lock is released`,
      );
      this.tell(
        `${signal}: stopped with an operation in flight:\n${lines.join("\n")}\n` +
          "To finish it exactly once: re-run the same command (same payment, amount, reason and --idempotency-key), " +
          "or run `payments-cli recover --older-than 0s`. The provider sees the same request and acts at most once.",
      );
    } catch (error) {
      this.tell(
        `${signal}: stopped, but its lock could not be released (${error instanceof Error ? error.message : String(error)}).\n` +
          "It expires by itself within a minute; then re-run the same command, or run `payments-cli recover`.",
      );
    }
    this.exit(code);
  }
}
