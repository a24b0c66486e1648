import type { EngineFigures } from "./sqlite-bench.js";

/** The short table a person reads (stderr), beside the JSON a script reads (stdout). */
export function humanTable(figures: readonly unknown[]): string {
  const engines = figures.filter((f): f is EngineFigures => typeof f === "object" && f !== null && "fixedFloor" in f);
  if (engines.length === 0) return "";
  const rows = [
    ["engine", "service/s", "fixed floor/s", "ratio", "goal", "met", "p50 ms @½max", "p99 ms @½max", "replay floor/s", "replay ratio"],
    ...engines.map((e) => [
      e.engine,
      String(e.fixedFloor.service.chargesPerSecond),
      String(e.fixedFloor.floor.chargesPerSecond),
      e.fixedFloor.ratio.toFixed(2),
      `≥ ${e.fixedFloor.goal}`,
      e.fixedFloor.meetsGoal ? "yes" : "no",
      String(e.latencyAtHalfRate.p50Ms),
      String(e.latencyAtHalfRate.p99Ms),
      String(e.replay.floor.chargesPerSecond),
      e.replay.ratio.toFixed(2),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  const sequential = engines.flatMap((e) =>
    e.oneInFlight === undefined
      ? []
      : [`${e.engine}, one charge in flight (nothing to share a COMMIT with): service ${e.oneInFlight.service.chargesPerSecond}/s, fixed floor ${e.oneInFlight.floor.chargesPerSecond}/s, ratio ${e.oneInFlight.ratio.toFixed(2)}`],
  );
  const receipts = engines.flatMap((e) =>
    e.withReceiptNumbers === undefined
      ? []
      : [`${e.engine}, fixed floor with gap-free receipt numbers (the counter held from its last statement to COMMIT): ${e.withReceiptNumbers.floor.chargesPerSecond}/s, service ratio ${e.withReceiptNumbers.ratio.toFixed(2)}`],
  );
  return [
    "charges/s: create + confirm. fixed floor = 3 transactions, 13 statements on the bare driver (SQLite: better-sqlite3; PostgreSQL: pgbench, 16 clients).",
    "replay floor = the adapter's own statements replayed on the driver (moves with the design; second figure only).",
    ...rows.map(line),
    ...sequential,
    ...receipts,
  ].join("\n");
}
