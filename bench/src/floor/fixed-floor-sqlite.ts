import type BetterSqlite3 from "better-sqlite3";
import { FINGERPRINT, GATEWAY_REQUEST, eventJson, outcomeJson } from "./floor-rows.js";

/**
 * The fixed SQLite floor: the least a durable create + confirm needs, whatever our design — 3 transactions, 13
 * statements, as raw better-sqlite3 prepared statements on tables shaped like ours (the caller migrates the file):
 *
 *   create   (5) claim the idempotency key · insert the payment · history row · outbox event · complete the key
 *   confirm  (4) claim the key · guarded update to processing · history row · mark the key gateway_pending (the
 *                request recovery must be able to re-send, durable before the gateway is called)
 *   settle   (4) guarded update to succeeded · history row · outbox event · complete the key
 *
 * 2 claims + 2 completions (+ the one phase mark) · 1 insert · 2 guarded updates · 3 history rows · 2 outbox
 * events = 13. "Guarded" is a
 * compare-and-set on `version`, checked by its change count as our store checks it.
 */
export function fixedSqliteFloor(db: BetterSqlite3.Database): (n: number) => Promise<void> {
  const claim = db.prepare(
    `insert into idempotency_records (scope, key, operation, fingerprint, payment_id, recovery_point, lock_id, locked_at, gateway_key, gateway_request, gateway_sent_at, gateway_attempts, last_gateway_error, flagged_at, outcome_unknown_since, gateway_last_sent_at, outcome, created_at, updated_at, expires_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, 0, null, null, null, null, null, ?, ?, ?)`,
  );
  const markPending = db.prepare(`update idempotency_records set recovery_point = 'gateway_pending', gateway_sent_at = ?, updated_at = ? where scope = ? and key = ? and lock_id = ?`);
  const complete = db.prepare(
    `update idempotency_records set recovery_point = 'finished', lock_id = null, locked_at = null, outcome = ?, updated_at = ? where scope = ? and key = ? and lock_id = ?`,
  );
  const insertPayment = db.prepare(
    `insert into payments (id, owner, amount, currency, status, provider, provider_payment_id, payment_method_id, payment_method_type, checkout_session_id, customer_id, customer_email, refs, description, capture_method, amount_captured, amount_refunded, amount_refund_reserved, authorization_expires_at, next_action, last_error, disputed, line_items, metadata, receipt_number, created_at, updated_at, version)
     values (?, 'user_bench', 1999, 'USD', 'pending', 'simulated', null, null, null, null, null, null, '{}', null, 'automatic', 0, 0, 0, null, null, null, 0, '[]', '{}', null, ?, ?, 1)`,
  );
  const toProcessing = db.prepare(`update payments set status = 'processing', payment_method_id = 'pm_card_visa', updated_at = ?, version = version + 1 where id = ? and version = ?`);
  const toSucceeded = db.prepare(
    `update payments set status = 'succeeded', provider_payment_id = ?, payment_method_type = 'card', amount_captured = 1999, updated_at = ?, version = version + 1 where id = ? and version = ?`,
  );
  const history = db.prepare(`insert into payment_history (id, payment_id, from_status, to_status, at, actor, reason, kind, details) values (?, ?, ?, ?, ?, 'user_bench', ?, 'transition', null)`);
  const outbox = db.prepare(
    `insert into outbox (event_id, payment_id, type, event, status, attempts, next_attempt_at, leased_by, leased_until, last_error, delivered_at, created_at) values (?, ?, ?, ?, 'pending', 0, ?, null, null, null, null, ?)`,
  );
  const begin = db.prepare("begin immediate");
  const commit = db.prepare("commit");
  const guarded = (result: BetterSqlite3.RunResult) => {
    if (result.changes !== 1) throw new Error("fixed floor: a guarded update matched no row");
  };

  return async (n) => {
    const id = `pay_floor_${n}`;
    const at = new Date().toISOString();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const createKey = `create-${n}`;
    const confirmKey = `confirm-${n}`;
    begin.run();
    claim.run("user_bench", createKey, "payment.create", FINGERPRINT, null, "started", `lock_c${n}`, at, null, null, at, at, expires);
    insertPayment.run(id, at, at);
    history.run(`his_${n}_1`, id, null, "pending", at, "created");
    outbox.run(`evt_${n}_1`, id, "payment.created", eventJson(`evt_${n}_1`, "payment.created", id, "pending", at), at, at);
    guarded(complete.run(outcomeJson(id, "pending", at), at, "user_bench", createKey, `lock_c${n}`));
    commit.run();
    // Separate turns of the event loop, as a service's transactions are.
    await Promise.resolve();
    begin.run();
    claim.run("user_bench", confirmKey, "payment.confirm", FINGERPRINT, id, "started", `lock_f${n}`, at, `${id}:confirm`, GATEWAY_REQUEST, at, at, expires);
    guarded(toProcessing.run(at, id, 1));
    history.run(`his_${n}_2`, id, "pending", "processing", at, "confirmed");
    guarded(markPending.run(at, at, "user_bench", confirmKey, `lock_f${n}`));
    commit.run();
    await Promise.resolve();
    begin.run();
    guarded(toSucceeded.run(`sim_pi_${n}`, at, id, 2));
    history.run(`his_${n}_3`, id, "processing", "succeeded", at, "gateway create");
    outbox.run(`evt_${n}_2`, id, "payment.succeeded", eventJson(`evt_${n}_2`, "payment.succeeded", id, "succeeded", at), at, at);
    guarded(complete.run(outcomeJson(id, "succeeded", at), at, "user_bench", confirmKey, `lock_f${n}`));
    commit.run();
  };
}

/** Statements per floor charge, and transactions, as counted above (BEGIN/COMMIT not counted). */
export const FIXED_FLOOR_SHAPE = { transactions: 3, statements: 13 } as const;
