// `pnpm bench`: the charge path (create + confirm under idempotency, simulated gateway) through the service beside
// a fixed floor — the least a durable create + confirm needs on the same engine with the same durability (raw
// better-sqlite3 statements; pgbench, the C client) — in alternating rounds of one run; the latency of a charge at
// half the measured maximum rate; and, as a second figure, beside a replay of the adapter's own statements.
// Then an HTTP section: create + confirm through the mounted router beside a bare Express handler, autocannon in
// a second process. JSON on stdout, a short table on stderr.
// BENCH_CHARGES (per SQLite round), BENCH_SECONDS (per PostgreSQL round), BENCH_ROUNDS, BENCH_LATENCY_SECONDS,
// BENCH_HTTP_SECONDS and BENCH_ENGINES=sqlite,postgres,http tune a run.
import { postgresAvailable, testPostgresUrl } from "@org/payments-test-support/postgres";
import { humanTable } from "./human-table.js";
import { benchHttp } from "./http-bench.js";
import { benchPostgres } from "./postgres-bench.js";
import { benchSqlite } from "./sqlite-bench.js";
import { runContext } from "./run-context.js";

// Measure the configuration services run in production: the stores' nested-call guard (an async-context tracker
// that costs ~15% on Node 20) is a development aid and is off there.
process.env.NODE_ENV ??= "production";

const charges = Number(process.env.BENCH_CHARGES ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgres,http").split(",");
const CONCURRENCY = 16;
const context = runContext();

const figures: unknown[] = [];
if (engines.includes("sqlite")) figures.push(await benchSqlite({ charges, rounds, concurrency: CONCURRENCY, warmup: 200, latencySeconds }));
if (engines.includes("postgres")) {
  figures.push(
    (await postgresAvailable())
      ? await benchPostgres({ charges, rounds, concurrency: CONCURRENCY, connections: 16, warmup: 200, seconds, latencySeconds })
      : { engine: "postgres", skipped: `PostgreSQL is unreachable at ${testPostgresUrl()}` },
  );
}
if (engines.includes("http")) {
  figures.push(await benchHttp({ seconds: Number(process.env.BENCH_HTTP_SECONDS ?? 8), connections: 16, rounds }));
}
process.stdout.write(`${JSON.stringify({ node: process.version, ...context, figures }, null, 2)}\n`);
const table = humanTable(figures);
if (table) process.stderr.write(`\n${table}\n`);
