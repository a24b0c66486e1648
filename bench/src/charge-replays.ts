// `pnpm --filter @org/payments-bench bench:charge-replays` (never in CI): what the PostgreSQL charge's round trips
// cost, statement by statement. One charge is captured from the adapter, then replayed on node-pg (16 connections)
// as it is and without the reads a different design could skip, rounds alternating, medians. The variants are cuts
// of the captured statements, each checked to find what it cuts: a change of the adapter's statements stops this
// with an error instead of measuring something else. JSON on stdout, a table on stderr.
// BENCH_SECONDS (per round, default 4) and BENCH_ROUNDS (default 5) tune a run.
import { createPostgresStore, migrate } from "@org/payments-postgres";
import { createTestSchema } from "@org/payments-test-support/postgres";
import pg from "pg";
import { captureCharge } from "./capture-charge.js";
import { median } from "./compare-with-floor.js";
import { runForDuration } from "./run-for-duration.js";
import type { ReplayStatement } from "./statement-capture.js";

process.env.NODE_ENV ??= "production";
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 16;

const isBoundary = (statement: ReplayStatement) => /^\s*(start transaction|begin|commit)\b/i.test(statement.sql);

function find(statements: readonly ReplayStatement[], what: string, test: (sql: string) => boolean): ReplayStatement {
  const found = statements.filter((statement) => test(statement.sql));
  if (found.length !== 1) throw new Error(`charge replays: expected one ${what} in the captured charge, found ${found.length}`);
  return found[0]!;
}

/** The variants, from the captured charge (create; confirm's read and statement; settle's read and statement; look-up). */
function variants(charge: readonly ReplayStatement[]): Record<string, ReplayStatement[]> {
  const settle = find(charge, "settle statement", (sql) => /^with "rc" as/.test(sql));
  const lookUp = find(charge, "held-webhook look-up", (sql) => /^select \* from "webhook_inbox"/.test(sql));
  const settleRead = charge[charge.indexOf(settle) - 1]!;
  if (!/^select \* from "payments"/.test(settleRead.sql)) throw new Error("charge replays: the settle does not start with its read");
  const without = (...cut: ReplayStatement[]) => charge.filter((statement) => !cut.includes(statement));
  return {
    "as it is": [...charge],
    "without the settle's re-read of the payment": without(settleRead),
    "without the held-webhook look-up": without(lookUp),
    "without both": without(settleRead, lookUp),
  };
}

const schema = await createTestSchema("payments_bench_charge_replays");
try {
  const { replay } = await captureCharge(async (log) => {
    const store = await createPostgresStore({ connectionString: schema.url, max: 1, log });
    await migrate(store);
    return store;
  });
  const url = new URL(schema.url);
  url.searchParams.delete("schema");
  const pool = new pg.Pool({ connectionString: url.toString(), max: CONNECTIONS, options: `-c search_path="${schema.schema}"` });
  const names = new Map<string, string>();
  const nameOf = (sql: string) => names.get(sql) ?? (names.set(sql, `r${names.size}`), names.get(sql)!);
  let n = 0;
  const run = async (steps: readonly ReplayStatement[]) => {
    const mine = n++;
    const client = await pool.connect();
    const send = (statement: ReplayStatement) =>
      isBoundary(statement) ? client.query(statement.sql) : client.query({ name: nameOf(statement.sql), text: statement.sql, values: statement.parameters(mine) });
    try {
      for (const step of steps) await send(step);
    } finally {
      client.release();
    }
  };
  const all = Object.entries(variants(replay));
  for (const [, steps] of all) await runForDuration(1, CONNECTIONS, () => run(steps));
  const measured = new Map<string, number[]>(all.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, steps] of all) measured.get(name)!.push(await runForDuration(seconds, CONNECTIONS, () => run(steps)));
  }
  await pool.end();
  const figures = [...measured].map(([variant, perRound]) => ({ variant, chargesPerSecond: median(perRound), rounds: perRound }));
  process.stdout.write(`${JSON.stringify({ node: process.version, connections: CONNECTIONS, secondsPerRound: seconds, figures }, null, 2)}\n`);
  const width = Math.max(...figures.map((figure) => figure.variant.length));
  process.stderr.write(`\nreplayed charges/s on node-pg, ${CONNECTIONS} connections, median of ${rounds} alternating rounds:\n`);
  for (const figure of figures) process.stderr.write(`${figure.variant.padEnd(width)}  ${figure.chargesPerSecond}\n`);
} finally {
  await schema.drop();
}
