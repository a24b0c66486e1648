#!/usr/bin/env node
// The kit mutation check: runs the store and gateway kits against the real memory store and simulated gateway and
// against each mutant (one rule broken), in one vitest process, then prints mutant → cases that caught it. The
// mutants' kit cases fail on purpose and are not the verdict; the verdict tests are (see kit-verdict.ts). Exits 1
// when the unmutated adapters fail their kit, a mutant gets past a case it names, or the run itself broke. A case
// that ran out of time is reported as timed out and never counts as catching a mutant.
import { fileURLToPath } from "node:url";
import { startVitest } from "vitest/node";

const config = fileURLToPath(new URL("./vitest.config.ts", import.meta.url));
const started = Date.now();

/** Says nothing while the run goes: hundreds of mutant cases fail on purpose. */
const quiet = {};
const vitest = await startVitest("test", [], { config, watch: false, reporters: [quiet], passWithNoTests: false });
const verdicts = [];
const problems = [];
// Store kit first, then gateway kit, whichever worker finished first.
const modules = [...vitest.state.getTestModules()].sort((a, b) => a.moduleId.localeCompare(b.moduleId)).reverse();
for (const module of modules) {
  for (const error of module.errors()) problems.push(`${module.moduleId}: ${error.message}`);
  for (const test of module.children.allTests()) {
    const verdict = test.meta().kitMutation;
    if (!verdict) continue;
    const state = test.result().state;
    verdicts.push({ ...verdict, ok: state === "passed", error: test.result().errors?.[0]?.message });
  }
}
for (const error of vitest.state.getUnhandledErrors?.() ?? []) problems.push(`unhandled: ${error?.message ?? String(error)}`);
await vitest.close();
if (verdicts.filter((v) => v.subject === "baseline").length !== 2) problems.push("expected one baseline verdict for each kit");

const list = (keys) => (keys.length ? keys.join(", ") : "-");
const rows = verdicts.map((v) => [
  `${v.kit}: ${v.subject}`,
  v.ok ? v.outcome : `${v.outcome} ✗`,
  v.subject === "baseline" ? `${v.passed} passed, ${v.skipped} skipped` : list(v.caughtBy),
  list(v.missedBy),
  v.timedOut?.length ? `${list(v.alsoFailed)}; timed out: ${list(v.timedOut)}` : list(v.alsoFailed),
]);
const header = ["mutant", "verdict", "caught by (named)", "named, not failing", "other cases failing (and any timed out)"];
const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
const line = (cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const row of rows) console.log(line(row));

const failedVerdicts = verdicts.filter((v) => !v.ok);
const mutants = verdicts.filter((v) => v.subject !== "baseline");
const gaps = mutants.filter((v) => v.outcome === "known gap");
const caught = mutants.filter((v) => v.ok && v.outcome === "caught").length;
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${mutants.length} mutants: ${caught} caught, ${gaps.length} known gaps, ${failedVerdicts.length} verdicts failing; ${seconds} s`);
for (const v of gaps) console.log(`  known gap ${v.kit}: ${v.subject} — ${v.knownGap}`);
for (const v of failedVerdicts) console.log(`  ✗ ${v.kit}: ${v.subject} — ${v.breaks}: ${v.error ?? v.outcome}`);
for (const problem of problems) console.log(`  ✗ ${problem}`);
process.exitCode = failedVerdicts.length > 0 || problems.length > 0 || verdicts.length === 0 ? 1 : 0;
