// `pnpm bench`: the charge path (create + confirm under idempotency, simulated gateway) through the service beside a
// raw-driver floor that replays the very statements the adapter issued, on SQLite and PostgreSQL; prints JSON.
// Then an HTTP section: create + confirm through the mounted router beside a bare Express handler, autocannon in a
// second process. BENCH_CHARGES (per round), BENCH_ROUNDS, BENCH_HTTP_SECONDS and BENCH_ENGINES=sqlite,postgres,http tune a run.
import { postgresAvailable, testPostgresUrl } from "@org/payments-test-support/postgres";
import { benchPostgres } from "./postgres-bench.js";
import { benchHttp } from "./http-bench.js";
import { benchSqlite } from "./sqlite-bench.js";

// Measure the configuration services run in production: the stores' nested-call guard (an async-context tracker
// that costs ~15% on Node 20) is a development aid and is off there.
process.env.NODE_ENV ??= "production";

const charges = Number(process.env.BENCH_CHARGES ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgres,http").split(",");
const CONCURRENCY = 16;

const figures: unknown[] = [];
if (engines.includes("sqlite")) figures.push(await benchSqlite({ charges, rounds, concurrency: CONCURRENCY, warmup: 200 }));
if (engines.includes("postgres")) {
  figures.push(
    (await postgresAvailable())
      ? await benchPostgres({ charges, rounds, concurrency: CONCURRENCY, connections: 16, warmup: 200 })
      : { engine: "postgres", skipped: `PostgreSQL is unreachable at ${testPostgresUrl()}` },
  );
}
if (engines.includes("http")) {
  figures.push(await benchHttp({ seconds: Number(process.env.BENCH_HTTP_SECONDS ?? 8), connections: 16, rounds }));
}
process.stdout.write(`${JSON.stringify({ node: process.version, figures }, null, 2)}\n`);
