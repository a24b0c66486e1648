import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FINGERPRINT, GATEWAY_REQUEST, eventJson, outcomeJson } from "./floor-rows.js";

export const PGBENCH = process.env.BENCH_PGBENCH ?? "/usr/bin/pgbench";

/** A per-charge value in the script: `prefix` + the round + the client + a random number, unique in practice. */
const unique = (prefix: string, suffix = "") =>
  `'${prefix}' || CAST(:round AS text) || '_' || CAST(:client_id AS text) || '_' || CAST(:n AS text)${suffix ? ` || '${suffix}'` : ""}`;

// pgbench reads `:name` in a script as a variable, so JSON's `":` gets a space (same bytes to within a few).
const quote = (text: string) => `'${text.replace(/'/g, "''").replace(/":/g, '": ')}'`;

/**
 * The fixed PostgreSQL floor as a pgbench custom script: the same 3 transactions and 13 statements as the SQLite
 * floor (see fixed-floor-sqlite.ts), on tables the caller migrated with our migrations. One script run is one
 * charge, so pgbench's tps is charges per second.
 *
 * `receiptNumbers`: the floor of what the product promises on top, a gap-free receipt number per year for every
 * payment that succeeds (ReceiptsTx). Gap-free means the year's one counter row is held from taking a number to
 * COMMIT: settles queue for it, each through its commit's WAL flush. Here it is taken in the settle's last
 * statement, which also writes the receipt and the payment's number (13 statements still); it is then held across
 * that statement's answer and the COMMIT that pgbench sends next, and across nothing else.
 */
export function pgbenchScript(options: { receiptNumbers?: boolean } = {}): string {
  const at = "2026-01-01T00:00:00.000Z";
  const id = unique("pay_");
  const createKey = unique("create-");
  const confirmKey = unique("confirm-");
  const createLock = unique("lock_c");
  const confirmLock = unique("lock_f");
  // Payload sizes as a charge stores them; the content is constant (only its size matters to the database).
  const created = quote(eventJson("evt_x", "payment.created", "pay_x", "pending", at));
  const succeeded = quote(eventJson("evt_x", "payment.succeeded", "pay_x", "succeeded", at));
  const pendingOutcome = quote(outcomeJson("pay_x", "pending", at));
  const succeededOutcome = quote(outcomeJson("pay_x", "succeeded", at));
  const claim = (key: string, operation: string, paymentId: string, lock: string, gatewayKey: string, gatewayRequest: string) =>
    `INSERT INTO idempotency_records (scope, key, operation, fingerprint, payment_id, recovery_point, lock_id, locked_at, gateway_key, gateway_request, gateway_sent_at, gateway_attempts, last_gateway_error, flagged_at, outcome_unknown_since, gateway_last_sent_at, outcome, created_at, updated_at, expires_at) VALUES ('user_bench', ${key}, '${operation}', '${FINGERPRINT}', ${paymentId}, 'started', ${lock}, now(), ${gatewayKey}, ${gatewayRequest}, NULL, 0, NULL, NULL, NULL, NULL, NULL, now(), now(), now() + interval '1 day');`;
  const complete = (key: string, lock: string, outcome: string) =>
    `UPDATE idempotency_records SET recovery_point = 'finished', lock_id = NULL, locked_at = NULL, outcome = ${outcome}::jsonb, updated_at = now() WHERE scope = 'user_bench' AND key = ${key} AND lock_id = ${lock};`;
  const history = (n: number, from: string, to: string, reason: string) =>
    `INSERT INTO payment_history (id, payment_id, from_status, to_status, at, actor, reason, kind, details) VALUES (${unique("his_", `_${n}`)}, ${id}, ${from}, '${to}', now(), 'user_bench', '${reason}', 'transition', NULL);`;
  const outbox = (n: number, type: string, event: string) =>
    `INSERT INTO outbox (event_id, payment_id, type, event, status, attempts, next_attempt_at, leased_by, leased_until, last_error, delivered_at, created_at) VALUES (${unique("evt_", `_${n}`)}, ${id}, '${type}', ${event}::jsonb, 'pending', 0, now(), NULL, NULL, NULL, NULL, now());`;
  // The year's counter is taken in the transaction's last statement, with the receipt and the payment's number: held
  // from there to COMMIT only. Padded to six digits, more past a million (as formatReceiptNumber).
  const numbered = `WITH taken AS (INSERT INTO receipt_counters (year, last_number) VALUES (2026, 1) ON CONFLICT (year) DO UPDATE SET last_number = receipt_counters.last_number + 1 RETURNING last_number), numbered AS (INSERT INTO receipts (payment_id, number, year, issued_at) SELECT ${id}, 'R-2026-' || lpad(CAST(last_number AS text), greatest(6, length(CAST(last_number AS text))), '0'), 2026, now() FROM taken RETURNING number) `;
  const succeed = (withReceipt: boolean) =>
    `${withReceipt ? numbered : ""}UPDATE payments SET status = 'succeeded', provider_payment_id = ${unique("sim_pi_")}, payment_method_type = 'card', amount_captured = 1999, ${withReceipt ? "receipt_number = (SELECT number FROM numbered), " : ""}updated_at = now(), version = version + 1 WHERE id = ${id} AND version = 2;`;
  const settleRest = [history(3, "'processing'", "succeeded", "gateway create"), outbox(2, "payment.succeeded", succeeded), complete(confirmKey, confirmLock, succeededOutcome)];
  return [
    "\\set n random(1, 9000000000000)",
    "BEGIN;",
    claim(createKey, "payment.create", "NULL", createLock, "NULL", "NULL"),
    `INSERT INTO payments (id, owner, amount, currency, status, provider, provider_payment_id, payment_method_id, payment_method_type, checkout_session_id, customer_id, customer_email, refs, description, capture_method, amount_captured, amount_refunded, amount_refund_reserved, authorization_expires_at, next_action, last_error, disputed, line_items, metadata, receipt_number, created_at, updated_at, version) VALUES (${id}, 'user_bench', 1999, 'USD', 'pending', 'simulated', NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, 'automatic', 0, 0, 0, NULL, NULL, NULL, false, '[]', '{}', NULL, now(), now(), 1);`,
    history(1, "NULL", "pending", "created"),
    outbox(1, "payment.created", created),
    complete(createKey, createLock, pendingOutcome),
    "COMMIT;",
    "BEGIN;",
    claim(confirmKey, "payment.confirm", id, confirmLock, `${id} || chr(58) || 'confirm'`, `${quote(GATEWAY_REQUEST)}::jsonb`),
    `UPDATE payments SET status = 'processing', payment_method_id = 'pm_card_visa', updated_at = now(), version = version + 1 WHERE id = ${id} AND version = 1;`,
    history(2, "'pending'", "processing", "confirmed"),
    `UPDATE idempotency_records SET recovery_point = 'gateway_pending', gateway_sent_at = now(), updated_at = now() WHERE scope = 'user_bench' AND key = ${confirmKey} AND lock_id = ${confirmLock};`,
    "COMMIT;",
    "BEGIN;",
    ...(options.receiptNumbers === true ? [...settleRest, succeed(true)] : [succeed(false), ...settleRest]),
    "COMMIT;",
    "",
  ].join("\n");
}

export interface PgbenchRun {
  chargesPerSecond: number;
  /** Charges the round completed, and pgbench's own failed count (a floor round must have none). */
  charges: number;
  failed: number;
}

/**
 * Runs pgbench with the floor script for `seconds` on `clients` connections (the C client: its cost is the
 * server's and the protocol's, not ours), with the tables found through `schema`. `round` makes keys unique
 * across rounds. Prepared statements (`-M prepared`): the cheapest way a client can send them.
 */
export async function runPgbench(options: { url: string; schema: string; clients: number; seconds: number; round: number; receiptNumbers?: boolean }): Promise<PgbenchRun> {
  const dir = mkdtempSync(join(tmpdir(), "payments-pgbench-"));
  const script = join(dir, "floor.sql");
  writeFileSync(script, pgbenchScript({ receiptNumbers: options.receiptNumbers === true }));
  const url = new URL(options.url);
  url.searchParams.delete("schema");
  try {
    const args = ["-n", "-M", "prepared", "-c", String(options.clients), "-j", "2", "-T", String(options.seconds), "-D", `round=${options.round}`, "-f", script, url.toString()];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(PGBENCH, args, { env: { ...process.env, PGOPTIONS: `-c search_path=${options.schema}` } });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
      child.on("error", reject);
      child.on("close", (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
    const failed = /number of failed transactions: (\d+)/.exec(stdout);
    if (code !== 0 || tps === null || processed === null) {
      throw new Error(`pgbench exited ${code}: ${stderr.split("\n").slice(-5).join(" ")}`);
    }
    return { chargesPerSecond: Math.round(Number(tps[1])), charges: Number(processed[1]), failed: failed ? Number(failed[1]) : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
