import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPaymentService, isPaymentError } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStore, enableIncrementalVacuum, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const PURGER = fileURLToPath(new URL("./fixtures/purge-process.mjs", import.meta.url));
const LONG_AGO = "2025-01-01T00:00:00.000Z";
const NOW = new Date().toISOString();

/**
 * Housekeeping rows as the service leaves them, all past retention: finished idempotency records (with an outcome of
 * realistic size), delivered outbox events, processed webhooks. Inserted in SQL, behind the store's back, for speed.
 */
function seedHousekeeping(raw: BetterSqlite3.Database, counts: { idempotency: number; outbox: number; webhooks: number }): void {
  const padding = "x".repeat(600);
  raw.transaction(() => {
    raw
      .prepare(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into idempotency_records (scope, key, operation, fingerprint, payment_id, recovery_point, outcome, created_at, updated_at, expires_at)
         select 'old_user', 'key_' || i, 'payment.create', 'f', 'pay_old_' || i, 'finished', json_object('padding', ?), ?, ?, ? from n`,
      )
      .run(counts.idempotency, padding, LONG_AGO, LONG_AGO, LONG_AGO);
    raw
      .prepare(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into outbox (event_id, payment_id, type, event, status, attempts, next_attempt_at, delivered_at, created_at)
         select 'evt_old_' || i, 'pay_old_' || i, 'payment.succeeded', json_object('padding', ?), 'delivered', 1, ?, ?, ? from n`,
      )
      .run(counts.outbox, padding, LONG_AGO, LONG_AGO, LONG_AGO);
    raw
      .prepare(
        `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
         insert into webhook_inbox (provider, event_id, type, event, status, attempts, received_at, processed_at)
         select 'stripe', 'evt_old_' || i, 'payment_intent.succeeded', json_object('padding', ?), 'processed', 1, ?, ? from n`,
      )
      .run(counts.webhooks, padding, LONG_AGO, LONG_AGO);
  }).immediate();
}

interface PurgeReport {
  idempotencyRecords: number;
  outboxEvents: number;
  webhookEvents: number;
  statements: number;
  longestStatementMs: number;
}

function runPurger(filename: string, batchSize: number): Promise<PurgeReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PURGER, DIST, filename, String(batchSize), NOW], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as PurgeReport) : reject(new Error(`purger exited ${code}: ${err}`))));
  });
}

describe("sqlite: a purge never stops writers", () => {
  let database: SqliteTestDatabase;
  let store: SqlitePaymentStore;
  let dir: string;

  beforeEach(async () => {
    if (!existsSync(DIST)) throw new Error(`build the adapter first (pnpm --filter @org/payments-sqlite build): ${DIST} is missing`);
    database = createSqliteTestDatabase();
    dir = mkdtempSync(join(tmpdir(), "payments-sqlite-purge-"));
  });
  afterEach(async () => {
    await store?.close();
    database?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it("20,000 rows purged in batches by another process while charges run: every charge succeeds", async () => {
    // A short busy timeout: a charge fails if a purge holds the write lock longer than this (one 20k-row DELETE does).
    store = await createSqliteStore({ filename: database.filename, busyTimeoutMs: 250 });
    await migrate(store);
    seedHousekeeping(database.raw, { idempotency: 10_000, outbox: 5_000, webhooks: 5_000 });
    const gateway = createSimulatedGateway({ stateFile: join(dir, "simulated.json") });
    const service = createPaymentService({ store, gateways: [gateway] });

    let purging = true;
    const failures: string[] = [];
    let charges = 0;
    async function chargeLoop(loop: number): Promise<void> {
      for (let i = 0; purging || i < 3; i++) {
        const owner = `user_${loop}_${i}`;
        try {
          const { payment } = await service.createPayment({ owner, amount: 1_000 + i, currency: "USD" }, { scope: owner, idempotencyKey: `create-${owner}` });
          const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: owner, idempotencyKey: `confirm-${owner}` });
          if (confirmed.payment.status !== "succeeded") failures.push(`${owner}: ${confirmed.payment.status}`);
          charges += 1;
          // A host's charges arrive with gaps; back-to-back loops on one connection would starve the other process.
          await new Promise((resolve) => setTimeout(resolve, 10));
        } catch (error) {
          failures.push(`${owner}: ${isPaymentError(error) ? `${error.code} ${error.message}` : String(error)}`);
        }
      }
    }
    const loops = [0, 1].map(chargeLoop);
    const report = await runPurger(database.filename, 1_000).finally(() => {
      purging = false;
    });
    await Promise.all(loops);

    expect(report).toMatchObject({ idempotencyRecords: 10_000, outboxEvents: 5_000, webhookEvents: 5_000 });
    expect(failures).toEqual([]);
    expect(charges).toBeGreaterThan(6);
    // Batches of 1,000: at least 20 deletes, none holding the lock anywhere near the charges' busy timeout.
    expect(report.statements).toBeGreaterThanOrEqual(20);
    expect(report.longestStatementMs).toBeLessThan(250);
  });

  it("a new file shrinks after a purge (incremental auto-vacuum); an existing file without it is converted only on request", async () => {
    store = await createSqliteStore({ filename: database.filename });
    await migrate(store);
    expect(database.raw.pragma("auto_vacuum", { simple: true })).toBe(2n);
    seedHousekeeping(database.raw, { idempotency: 4_000, outbox: 2_000, webhooks: 2_000 });
    const pages = () => Number(database.raw.pragma("page_count", { simple: true }));
    const full = pages();
    expect(await store.deleteExpiredIdempotencyRecords(NOW)).toBe(4_000);
    expect(await store.purgeDeliveredOutbox(NOW)).toBe(2_000);
    expect(await store.purgeWebhookEvents(NOW)).toBe(2_000);
    expect(Number(database.raw.pragma("freelist_count", { simple: true }))).toBe(0);
    expect(pages()).toBeLessThan(full / 4);
    await store.close();

    // A file created before the store chose the mode (auto_vacuum NONE): it keeps working; the purge frees pages
    // for reuse but cannot shrink it, until an operator converts it.
    const legacy = join(dir, "legacy.db");
    const handle = new BetterSqlite3(legacy);
    handle.exec("create table early (x integer)");
    handle.close();
    store = await createSqliteStore({ filename: legacy });
    await migrate(store);
    const raw = new BetterSqlite3(legacy);
    expect(raw.pragma("auto_vacuum", { simple: true })).toBe(0);
    seedHousekeeping(raw, { idempotency: 2_000, outbox: 0, webhooks: 0 });
    expect(await store.deleteExpiredIdempotencyRecords(NOW)).toBe(2_000);
    expect(raw.pragma("freelist_count", { simple: true })).toBeGreaterThan(0);
    expect(await enableIncrementalVacuum(store)).toBe(true);
    raw.close();
    // A connection opened afterwards reads the converted header (an open one may answer from its cache).
    const reopened = new BetterSqlite3(legacy);
    expect(reopened.pragma("auto_vacuum", { simple: true })).toBe(2);
    expect(reopened.pragma("freelist_count", { simple: true })).toBe(0);
    reopened.close();
    expect(await enableIncrementalVacuum(store)).toBe(false);
  });
});
