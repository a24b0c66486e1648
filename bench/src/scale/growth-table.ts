import type { SizeResult } from "./main.js";

const cell = (ms: number, p99?: number) => (p99 === undefined ? `${ms}` : `${ms} / ${p99}`);

/**
 * One engine's growth table: a row per measurement, a column per size (ms; `p50 / p99` for per-operation figures,
 * `total / slowest step` for the drain and the walk), `SCAN` where the plan reads all of payments, and the growth
 * from the smallest to the largest size. Then bytes per payment by table at the largest size, and each plan.
 */
export function growthTable(engine: string, results: readonly SizeResult[]): string {
  const names = results[0]!.measurements.map((m) => m.name);
  const header = ["measurement", ...results.map((r) => `${r.size.toLocaleString("en-US")} (ms)`), "growth", "plan"];
  const rows = names.map((name) => {
    const at = results.map((r) => r.measurements.find((m) => m.name === name)!);
    const first = at[0]!.ms;
    const last = at.at(-1)!.ms;
    const growth = first > 0 ? `${(last / first).toFixed(1)}×` : "-";
    const scans = at.map((m) => (m.plan ? (m.plan.fullScanOfPayments ? "SCAN" : "index") : "")).filter(Boolean);
    return [name, ...at.map((m) => cell(m.ms, m.p99Ms)), growth, [...new Set(scans)].join("→")];
  });
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  const largest = results.at(-1)!;
  const perPayment = (bytes: Record<string, number>) => {
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    const tables = Object.entries(bytes)
      .sort((a, b) => b[1] - a[1])
      .map(([table, size]) => `${table} ${Math.round(size / largest.size)}`)
      .join(", ");
    return `${Math.round(total / largest.size)} total — ${tables}`;
  };
  // Which heap or index the kept bytes are in (those of a byte per payment or more), to see what a change saves.
  const structures = Object.entries(largest.retainedStructureBytes ?? {})
    .map(([name, size]) => [name, Math.round(size / largest.size)] as const)
    .filter(([, perPaymentBytes]) => perPaymentBytes >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, perPaymentBytes]) => `${name} ${perPaymentBytes}`)
    .join(", ");
  const plans = largest.measurements
    .filter((m) => m.plan)
    .map((m) => `  ${m.name}${m.plan!.fullScanOfPayments ? "  [FULL SCAN of payments]" : ""}\n${m.plan!.plan.map((p) => `      ${p}`).join("\n")}`);
  return [
    `== ${engine}: growth (seeded in ${results.map((r) => `${r.seedSeconds} s`).join(", ")}; planner statistics: ${results.map((r) => r.statistics).join(", ")})`,
    line(header),
    ...rows.map(line),
    `bytes per payment at ${largest.size.toLocaleString("en-US")}, a year with no retention: ${perPayment(largest.bytes)}`,
    `bytes per payment kept after the default retention: ${perPayment(largest.retainedBytes)} (goal ≤ 2048)`,
    `  by heap and index: ${structures}`,
    `plans at ${largest.size.toLocaleString("en-US")}:`,
    ...plans,
  ].join("\n");
}
