import { basename, dirname, extname, join, resolve } from "node:path";

/**
 * Where the simulated provider keeps its state for a given database: beside a SQLite file (`payments.db` →
 * `payments.sim.json`), else `./payments.sim.json`. The CLI, the example host and the quickstart all use this rule,
 * so tools pointed at one database also share one simulated provider without extra configuration.
 */
export function simulatedStateFileFor(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//.test(databaseUrl) || databaseUrl === ":memory:") return resolve("payments.sim.json");
  const file = resolve(databaseUrl);
  return join(dirname(file), `${basename(file, extname(file))}.sim.json`);
}
