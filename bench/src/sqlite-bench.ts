import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore, migrate, openSqliteDatabase } from "@org/payments-sqlite";
import type BetterSqlite3 from "better-sqlite3";
import { captureCharge } from "./capture-charge.js";
import { benchService, charge } from "./charge.js";
import { compareWithFloor } from "./compare-with-floor.js";
import type { Comparison, ComparisonOptions } from "./compare-with-floor.js";

export interface EngineFigures extends Comparison {
  engine: string;
  goal: number;
  meetsGoal: boolean;
  statementsPerCharge: number;
  transactionsPerCharge: number;
}

export const SQLITE_GOAL = 0.6;

/**
 * SQLite on a temporary file: the service over the adapter on one file, the floor on another (same pragmas, from
 * the adapter's own `openSqliteDatabase`) replaying the captured statements as better-sqlite3 prepared statements.
 */
export async function benchSqlite(options: ComparisonOptions): Promise<EngineFigures> {
  const dir = mkdtempSync(join(tmpdir(), "payments-bench-"));
  try {
    const serviceStore = await createSqliteStore({ filename: join(dir, "service.db") });
    await migrate(serviceStore);
    const service = benchService(serviceStore);

    // Capture one charge on the floor's own file, then replay it there on the bare driver.
    const floorFile = join(dir, "floor.db");
    const { replay, transactions } = await captureCharge(async (log) => {
      const store = await createSqliteStore({ filename: floorFile, log });
      await migrate(store);
      return store;
    });

    const raw = openSqliteDatabase({ filename: floorFile });
    const prepared = new Map<string, BetterSqlite3.Statement>();
    for (const { sql } of replay) if (!prepared.has(sql)) prepared.set(sql, raw.prepare(sql));
    const plan = transactions.map((group) => group.map((statement) => ({ statement: prepared.get(statement.sql)!, parameters: statement.parameters })));

    const figures = await compareWithFloor(
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
    return {
      engine: "sqlite",
      ...figures,
      goal: SQLITE_GOAL,
      meetsGoal: figures.ratio >= SQLITE_GOAL,
      statementsPerCharge: replay.length,
      transactionsPerCharge: transactions.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
