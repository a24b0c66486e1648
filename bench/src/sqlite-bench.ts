import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore, migrate, openSqliteDatabase } from "@org/payments-sqlite";
import BetterSqlite3 from "better-sqlite3";
import { captureCharge } from "./capture-charge.js";
import { benchService, charge } from "./charge.js";
import { compareWithFloor } from "./compare-with-floor.js";
import type { Comparison, ComparisonOptions } from "./compare-with-floor.js";
import { FIXED_FLOOR_SHAPE, fixedSqliteFloor } from "./floor/fixed-floor-sqlite.js";
import { type LatencyAtRate, latencyAtRate } from "./open-loop-latency.js";

/** The ratio to the fixed floor the design aims for (issue 17). */
export const SQLITE_FIXED_GOAL = 0.7;
/** The older figure: service ÷ a replay of the adapter's own statements. */
export const SQLITE_REPLAY_GOAL = 0.6;

export interface EngineFigures {
  engine: string;
  /** Service beside the fixed floor: the minimum a durable create + confirm needs on this engine, whatever our design. */
  fixedFloor: Comparison & { goal: number; meetsGoal: boolean; floorStatements: number; floorTransactions: number; durability: Record<string, unknown> };
  /**
   * The same comparison with one charge in flight (SQLite only). With 16 in flight the service's transactions share
   * synced COMMITs (the store's group commit) while the floor syncs each of its own: this figure, where nothing can
   * be shared, shows the service's cost per charge beside the floor's.
   */
  oneInFlight?: Comparison;
  /**
   * PostgreSQL only: the service beside the fixed floor plus what the product promises on top, a gap-free receipt
   * number per year (fixed-floor-pgbench.ts `receiptNumbers`), its rounds alternating with the others. A second
   * figure: the goal stands against the fixed floor.
   */
  withReceiptNumbers?: { floor: { chargesPerSecond: number; rounds: number[] }; ratio: number };
  /** A charge's latency at half the service's measured maximum rate, open loop, from arrival. */
  latencyAtHalfRate: LatencyAtRate;
  /** Service beside a replay of the statements it issued itself: moves with the design, so it cannot show the design's cost. */
  replay: Comparison & { goal: number; meetsGoal: boolean; statementsPerCharge: number; transactionsPerCharge: number };
}

const pragmaValue = (db: BetterSqlite3.Database, name: string) => String(db.pragma(name, { simple: true }));

/**
 * SQLite on temporary files, every side on its own file: the service over the adapter; the fixed floor as raw
 * prepared statements with the same journal mode and synchronous setting the adapter left on the service's
 * connection; the replay floor re-running the captured charge.
 */
export async function benchSqlite(options: ComparisonOptions & { latencySeconds: number }): Promise<EngineFigures> {
  const dir = mkdtempSync(join(tmpdir(), "payments-bench-"));
  try {
    // The service's own handle, so its durability settings can be read back after the store set them.
    const serviceHandle = new BetterSqlite3(join(dir, "service.db"));
    const serviceStore = await createSqliteStore({ database: serviceHandle });
    await migrate(serviceStore);
    const service = benchService(serviceStore);
    // What the adapter leaves is measured by default. The adapter sets no `synchronous`, and SQLite switches a
    // WAL connection to its compiled WAL default (NORMAL in better-sqlite3) on first use: BENCH_SQLITE_SYNCHRONOUS
    // (e.g. FULL) measures both sides as if the adapter set it.
    if (process.env.BENCH_SQLITE_SYNCHRONOUS) serviceHandle.pragma(`synchronous = ${process.env.BENCH_SQLITE_SYNCHRONOUS}`);
    const durability = { journal_mode: pragmaValue(serviceHandle, "journal_mode"), synchronous: pragmaValue(serviceHandle, "synchronous") };

    const fixedFile = join(dir, "fixed-floor.db");
    const fixedStore = await createSqliteStore({ filename: fixedFile });
    await migrate(fixedStore);
    await fixedStore.close();
    const fixedHandle = openSqliteDatabase({ filename: fixedFile });
    fixedHandle.pragma(`synchronous = ${durability.synchronous}`);
    if (pragmaValue(fixedHandle, "journal_mode") !== durability.journal_mode) throw new Error("fixed floor: journal mode differs from the service's");
    const fixedFloor = fixedSqliteFloor(fixedHandle);
    const fixed = await compareWithFloor(options, (n) => charge(service, `f${n}`), fixedFloor);
    const oneInFlight = await compareWithFloor(
      { ...options, concurrency: 1, charges: Math.max(100, Math.round(options.charges / 4)), warmup: 50 },
      (n) => charge(service, `o${n}`),
      // Numbered past the first comparison's charges: the floor's ids and keys must stay unique in its file.
      (n) => fixedFloor(10_000_000 + n),
    );
    fixedHandle.close();

    const latency = await latencyAtRate(fixed.service.chargesPerSecond / 2, options.latencySeconds, (n) => charge(service, `l${n}`));

    // The replay floor: capture one charge on its own file, then replay it there on the bare driver.
    const replayFile = join(dir, "replay-floor.db");
    const { replay, transactions } = await captureCharge(async (log) => {
      const store = await createSqliteStore({ filename: replayFile, log });
      await migrate(store);
      return store;
    });
    const raw = openSqliteDatabase({ filename: replayFile });
    const prepared = new Map<string, BetterSqlite3.Statement>();
    for (const { sql } of replay) if (!prepared.has(sql)) prepared.set(sql, raw.prepare(sql));
    const plan = transactions.map((group) => group.map((statement) => ({ statement: prepared.get(statement.sql)!, parameters: statement.parameters })));
    const replayed = await compareWithFloor(
      options,
      (n) => charge(service, `s${n}`),
      async (n) => {
        for (const group of plan) {
          for (const { statement, parameters } of group) {
            if (statement.reader) statement.all(...parameters(n));
            else statement.run(...parameters(n));
          }
          // A charge's transactions are separate turns on the event loop in the service too.
          await Promise.resolve();
        }
      },
    );
    raw.close();
    await serviceStore.close();
    serviceHandle.close();
    return {
      engine: "sqlite",
      fixedFloor: {
        ...fixed,
        goal: SQLITE_FIXED_GOAL,
        meetsGoal: fixed.ratio >= SQLITE_FIXED_GOAL,
        floorStatements: FIXED_FLOOR_SHAPE.statements,
        floorTransactions: FIXED_FLOOR_SHAPE.transactions,
        durability,
      },
      oneInFlight,
      latencyAtHalfRate: latency,
      replay: {
        ...replayed,
        goal: SQLITE_REPLAY_GOAL,
        meetsGoal: replayed.ratio >= SQLITE_REPLAY_GOAL,
        statementsPerCharge: replay.length,
        transactionsPerCharge: transactions.length,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
