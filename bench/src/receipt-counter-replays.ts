// `pnpm --filter @org/payments-bench bench:receipt-counter` (never in CI): where the PostgreSQL charge's time goes
// around the year's receipt counter. One charge is captured from the adapter, then replayed on node-pg (16
// connections) in variants that change only how the settle takes its receipt number, rounds alternating, medians.
// The variants are edits of the captured SQL, checked to apply: a change of the adapter's statements stops this with
// an error instead of measuring something else. JSON on stdout, a table on stderr.
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

/** A step of a replayed charge: one statement, or several sent at once on a pipelining connection. */
type Step = ReplayStatement | { pipelined: ReplayStatement[] };

const isBoundary = (statement: ReplayStatement) => /^\s*(start transaction|begin|commit)\b/i.test(statement.sql);

function find(statements: readonly ReplayStatement[], what: string, test: (sql: string) => boolean): ReplayStatement {
  const found = statements.filter((statement) => test(statement.sql));
  if (found.length !== 1) throw new Error(`receipt-counter replays: expected one ${what} in the captured charge, found ${found.length}`);
  return found[0]!;
}

function edited(statement: ReplayStatement, from: RegExp, to: string, what: string): ReplayStatement {
  const sql = statement.sql.replace(from, to);
  if (sql === statement.sql) throw new Error(`receipt-counter replays: could not ${what}; the adapter's statements changed`);
  return { sql, parameters: statement.parameters };
}

/** The variants, from the captured charge (create; confirm's read and statement; settle's read, BEGIN, receipt, writes, COMMIT; look-up). */
function variants(charge: readonly ReplayStatement[]): Record<string, Step[]> {
  const claim = find(charge, "receipt claim", (sql) => /^with "claimed" as \(insert into "receipts"/.test(sql));
  const writes = find(charge, "settle statement", (sql) => /"receipts"/.test(sql) && /update "payments"/.test(sql));
  const lookUp = find(charge, "held-webhook look-up", (sql) => /^select \* from "webhook_inbox"/.test(sql));
  const at = (statement: ReplayStatement) => charge.indexOf(statement);
  const begin = charge[at(claim) - 1]!;
  const commit = charge[at(writes) + 1]!;
  if (!isBoundary(begin) || !isBoundary(commit)) throw new Error("receipt-counter replays: the settle is not BEGIN, receipt, writes, COMMIT");
  const beforeSettle = charge.slice(0, at(begin));
  const settleRead = beforeSettle[beforeSettle.length - 1]!;
  if (!/^select \* from "payments"/.test(settleRead.sql)) throw new Error("receipt-counter replays: the settle does not start with its read");

  // The writes without the receipt's numbering (its parameters kept, typed, unread): no counter, no receipt.
  const unnumbered = edited(writes, /"w0" as \(insert into "receipts" \([^)]*\) values \(\$1, \$2, \$3, \$4\) on conflict \("payment_id"\) do update set "number" = "excluded"\."number"\)/, `"w0" as (select $1::text, $2::text, $3::bigint, $4::timestamptz)`, "take the numbering out");
  // The counter and the receipt in the writes' own statement, the number formatted in SQL, after the writes' parameters.
  const offset = writes.parameters(0).length;
  const counter = `"taken" as (insert into "receipt_counters" ("year", "last_number") values ($${offset + 5}, 1) on conflict ("year") do update set "last_number" = receipt_counters.last_number + 1 returning "last_number"), "numbered" as (insert into "receipts" ("payment_id", "number", "year", "issued_at") select $${offset + 1}, 'R-' || $${offset + 3}::bigint || '-' || lpad("last_number"::text, 6, '0') || $${offset + 2}::text, $${offset + 3}::bigint, $${offset + 4}::timestamptz from "taken" returning "number"), `;
  const numberedInside: ReplayStatement = {
    sql: unnumbered.sql.replace(/^with /, `with ${counter}`),
    parameters: (n) => [...writes.parameters(n), ...claim.parameters(n)],
  };
  const confirm = beforeSettle.slice(0, -1);
  return {
    "as it is": [...charge],
    "without the settle's re-read and the held-webhook look-up": charge.filter((statement) => statement !== settleRead && statement !== lookUp),
    "without any receipt number": [...confirm, begin, unnumbered, commit],
    "number taken in the settle's one statement, no BEGIN or COMMIT": [...confirm, numberedInside],
    "the same statement inside BEGIN … COMMIT": [...confirm, begin, numberedInside, commit],
    "BEGIN and COMMIT pipelined with their neighbours": [...beforeSettle, { pipelined: [begin, claim] }, { pipelined: [writes, commit] }, lookUp],
  };
}

const schema = await createTestSchema("payments_bench_receipts");
try {
  const { replay } = await captureCharge(async (log) => {
    const store = await createPostgresStore({ connectionString: schema.url, max: 1, log });
    await migrate(store);
    return store;
  });
  const url = new URL(schema.url);
  url.searchParams.delete("schema");
  // node-pg's pipeline mode sends a query without waiting for the one before; each still gets its own answer.
  const pool = new pg.Pool({ connectionString: url.toString(), max: CONNECTIONS, pipeline: true, options: `-c search_path="${schema.schema}"` } as pg.PoolConfig);
  const names = new Map<string, string>();
  const nameOf = (sql: string) => names.get(sql) ?? (names.set(sql, `r${names.size}`), names.get(sql)!);
  let n = 0;
  const run = async (steps: readonly Step[]) => {
    const mine = n++;
    const client = await pool.connect();
    const send = (statement: ReplayStatement) =>
      isBoundary(statement) ? client.query(statement.sql) : client.query({ name: nameOf(statement.sql), text: statement.sql, values: statement.parameters(mine) });
    try {
      for (const step of steps) {
        if ("pipelined" in step) await Promise.all(step.pipelined.map(send));
        else await send(step);
      }
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
