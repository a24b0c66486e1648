// `pnpm bench:scale` (never in CI): seeds a year of payments at growing sizes — rows copied from what the service
// itself writes — and prints, per engine, how each list filter, stats, a charge, a refund, an outbox drain,
// reconcile's page walk and the idempotency purge cost at each size, with the plan of every payments query and a
// flag where it scans the table. JSON on stdout, the growth tables on stderr.
//
// BENCH_SCALE_SIZES (SQLite, default 10000,100000,1000000), BENCH_SCALE_PG_SIZES (default 300000),
// BENCH_SCALE_ENGINES=sqlite,postgres, BENCH_SCALE_CHARGES (300), BENCH_SCALE_REFUNDS (50), BENCH_SCALE_RUNS (5),
// BENCH_SCALE_BACKLOG (outbox events left pending per size, 3000), BENCH_SCALE_DIR (where the SQLite file goes),
// BENCH_SCALE_OPTIMIZE=0 (skip the store's optimize() after seeding), BENCH_SCALE_KEEP=1 (leave the database behind).
import { createPaymentService, ulidIdGenerator } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { type ScaleEngine, postgresEngine, sqliteEngine } from "./engines.js";
import { type Measurement, measureAll, statementRecorder } from "./measure.js";
import { seedKeys } from "./seed-keys.js";
import { seedCopies } from "./seeder.js";
import { TEMPLATE_SHARES, makeTemplates } from "./templates.js";
import { growthTable } from "./growth-table.js";
import { runContext } from "../run-context.js";

process.env.NODE_ENV ??= "production";

const sizesOf = (text: string) => text.split(",").map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const sqliteSizes = sizesOf(process.env.BENCH_SCALE_SIZES ?? "10000,100000,1000000");
const postgresSizes = sizesOf(process.env.BENCH_SCALE_PG_SIZES ?? "300000");
const engines = (process.env.BENCH_SCALE_ENGINES ?? "sqlite,postgres").split(",");
const charges = Number(process.env.BENCH_SCALE_CHARGES ?? 300);
const refunds = Number(process.env.BENCH_SCALE_REFUNDS ?? 50);
const runs = Number(process.env.BENCH_SCALE_RUNS ?? 5);
const backlog = Number(process.env.BENCH_SCALE_BACKLOG ?? 3000);
const SEED_CHUNK = 25_000;
const context = runContext();

export interface SizeResult {
  size: number;
  seedSeconds: number;
  /** Whether planner statistics were refreshed after seeding (the store's `optimize()`), and how long it took. */
  statistics: string;
  bytes: Record<string, number>;
  /** After the measurements' last step, the default retention pass (see ScaleEngine.retainedBytes). */
  retainedBytes: Record<string, number>;
  /** The same, per table heap and per index (engines.ts `structureBytes`). */
  retainedStructureBytes: Record<string, number>;
  measurements: Measurement[];
}

const log = (line: string) => process.stderr.write(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** One engine, growing one database through the sizes: each step seeds only the difference. */
async function scaleEngine(engine: ScaleEngine, sizes: readonly number[]): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  try {
    const recorder = statementRecorder();
    let store = await engine.openStore(recorder.log);
    const service = () => createPaymentService({ store, gateways: [createSimulatedGateway()], ids: ulidIdGenerator() });
    const templates = await makeTemplates(service());
    let seeded = 0;
    for (const size of sizes) {
      const started = performance.now();
      if (engine.name === "sqlite") await store.close();
      const seeder = await engine.openSeeder();
      // The backlog's payments are 3 events each; the copies between the last size and this one are new.
      await seedCopies(seeder, templates, seedKeys(seeded, size, Date.now(), TEMPLATE_SHARES, Math.ceil(backlog / 3)), SEED_CHUNK);
      await seeder.close();
      if (engine.name === "sqlite") store = await engine.openStore(recorder.log);
      const seedSeconds = Math.round((performance.now() - started) / 100) / 10;
      // A year-old deployment has refreshed its planner statistics on the schedule the store offers; without that
      // the plans are those of an empty database. BENCH_SCALE_OPTIMIZE=0 measures without.
      let statistics = "none";
      const optimize = (store as { optimize?: () => Promise<void> }).optimize;
      if (process.env.BENCH_SCALE_OPTIMIZE !== "0" && typeof optimize === "function") {
        const startedOptimize = performance.now();
        await optimize.call(store);
        statistics = `store.optimize() ${Math.round(performance.now() - startedOptimize)} ms`;
      }
      log(`${engine.name}: seeded ${size} payments (${size - seeded} new) in ${seedSeconds} s; statistics: ${statistics}; measuring`);
      seeded = size;
      const bytes = await engine.tableBytes();
      const measurements = await measureAll({ store, service: service(), statements: recorder, explain: engine.explain, runs, charges, refunds }, size);
      const retainedBytes = await engine.retainedBytes();
      const retainedStructureBytes = await engine.structureBytes();
      results.push({ size, seedSeconds, statistics, bytes, retainedBytes, retainedStructureBytes, measurements });
      log(`${engine.name}: measured ${size}`);
    }
    await store.close();
    return results;
  } finally {
    await engine.dispose();
  }
}

const report: Record<string, SizeResult[] | { skipped: string }> = {};
if (engines.includes("sqlite") && sqliteSizes.length > 0) report.sqlite = await scaleEngine(await sqliteEngine(), sqliteSizes);
if (engines.includes("postgres") && postgresSizes.length > 0) {
  report.postgres = (await postgresAvailable()) ? await scaleEngine(await postgresEngine(), postgresSizes) : { skipped: "PostgreSQL is unreachable" };
}
process.stdout.write(`${JSON.stringify({ node: process.version, ...context, report }, null, 2)}\n`);
for (const [engine, results] of Object.entries(report)) if (Array.isArray(results)) process.stderr.write(`\n${growthTable(engine, results)}\n`);
