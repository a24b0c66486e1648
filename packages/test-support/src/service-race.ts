import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Races the payment service from separate Node processes, each with many concurrent callers, over one database and
 * one simulated provider (its state in a shared file): what two host processes, or a host and the CLI, do. Each
 * process loads the store adapter from its BUILT dist, as a host would, so the test covers the published code.
 */

export interface RacerConfig {
  /** How the child opens its store: `await import(module)[factory](options)`. */
  store: { module: string; factory: string; options: Record<string, unknown> };
  /** The simulated gateway's state file, shared by every process. */
  stateFile: string;
  mode: "confirm" | "refund";
  paymentId: string;
  /** Concurrent callers in this process. */
  callers: number;
  /** confirm: the payment's owner (the scope) and the one key every caller uses. */
  owner?: string;
  key?: string;
  /**
   * confirm: the payment method each caller sends (default `pm_card_visa`); null sends none, so the payment's own
   * (an off-session payment's saved method) is charged.
   */
  paymentMethodId?: string | null;
  /** refund: each caller uses its own key `<keyPrefix>-<index>` and asks for `amount`. */
  keyPrefix?: string;
  amount?: number;
}

export interface RacerOutcome {
  ok: boolean;
  replayed?: boolean;
  status?: string;
  amount?: number;
  code?: string;
  /** confirm: how many times this caller was told `idempotency_key_in_use` before its answer. */
  inUse?: number;
}

export interface RacerReport {
  /** Gateway calls this process made, by method name. */
  calls: Record<string, number>;
  outcomes: RacerOutcome[];
}

const RACER = fileURLToPath(new URL("./service-racer-process.js", import.meta.url));

/** Runs one racing process to completion; rejects with its stderr if it fails. */
export function runServiceRacer(config: RacerConfig): Promise<RacerReport> {
  if (!existsSync(config.store.module)) {
    return Promise.reject(new Error(`build the adapter first: ${config.store.module} is missing`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RACER, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as RacerReport) : reject(new Error(`racer exited ${code}: ${err}`))));
  });
}

/** Total gateway calls of one method across the racing processes. */
export function sumGatewayCalls(reports: readonly RacerReport[], method: string): number {
  return reports.reduce((total, report) => total + (report.calls[method] ?? 0), 0);
}
