import { resolve } from "node:path";
import { simulatedStateFileFor } from "@org/payments-core/simulated";

export const DEFAULT_DATABASE = "./payments.db";

export type Connection =
  | { kind: "sqlite"; filename: string; display: string }
  | { kind: "postgres"; url: string; display: string };

/** `--db`, else PAYMENTS_DATABASE_URL, else ./payments.db; a postgres:// URL (with `?schema=`) selects PostgreSQL. */
export function resolveConnection(flag: string | undefined, env: NodeJS.ProcessEnv): Connection {
  const value = flag ?? (env.PAYMENTS_DATABASE_URL || undefined) ?? DEFAULT_DATABASE;
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: "postgres", url: value, display: redactUrl(value) };
  const filename = value.startsWith("file:") ? value.slice("file:".length) : value;
  return { kind: "sqlite", filename, display: filename };
}

/** The URL without its password, for messages: secrets never reach a terminal or a log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "****";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":****@");
  }
}

/**
 * The simulated provider's state file: PAYMENTS_SIMULATED_STATE, else beside the SQLite file
 * (`payments.db` → `payments.sim.json`), else ./payments.sim.json — so the CLI, a host and the demo that share a
 * database also share one simulated provider without extra configuration.
 */
export function simulatedStateFile(connection: Connection, env: NodeJS.ProcessEnv): string {
  if (env.PAYMENTS_SIMULATED_STATE) return resolve(env.PAYMENTS_SIMULATED_STATE);
  return simulatedStateFileFor(connection.kind === "sqlite" ? connection.filename : "postgres://");
}
