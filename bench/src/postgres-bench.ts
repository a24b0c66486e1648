import { createPostgresStore, migrate } from "@org/payments-postgres";
import { createTestSchema } from "@org/payments-test-support/postgres";
import pg from "pg";
import { captureCharge } from "./capture-charge.js";
import { benchService, charge } from "./charge.js";
import { compareWithFloor, median } from "./compare-with-floor.js";
import type { ComparisonOptions } from "./compare-with-floor.js";
import { runPgbench } from "./floor/fixed-floor-pgbench.js";
import { FIXED_FLOOR_SHAPE } from "./floor/fixed-floor-sqlite.js";
import { latencyAtRate } from "./open-loop-latency.js";
import { runForDuration } from "./run-for-duration.js";
import type { EngineFigures } from "./sqlite-bench.js";

export const POSTGRES_FIXED_GOAL = 0.5;
export const POSTGRES_REPLAY_GOAL = 0.7;

/** A pg pool on one schema, set up as the adapter sets up its own (search_path at connection start-up). */
function poolOn(schemaUrl: string, schema: string, max: number): pg.Pool {
  const url = new URL(schemaUrl);
  url.searchParams.delete("schema");
  return new pg.Pool({ connectionString: url.toString(), max, options: `-c search_path="${schema}"` });
}

async function serverSetting(url: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return String((await client.query(`select current_setting($1) as value`, [name])).rows[0].value);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL, each side in its own fresh schema. Fixed floor: pgbench (the C client) with the minimal script, on
 * `connections` clients for `seconds` per round, rounds alternating with the service's rounds of the same length
 * on `connections` pooled connections. Replay floor: the captured charge re-sent with pg's `client.query`.
 */
export async function benchPostgres(options: ComparisonOptions & { connections: number; seconds: number; latencySeconds: number }): Promise<EngineFigures> {
  const serviceSchema = await createTestSchema("payments_bench");
  const fixedSchema = await createTestSchema("payments_bench");
  const replaySchema = await createTestSchema("payments_bench");
  try {
    const serviceStore = await createPostgresStore({ connectionString: serviceSchema.url, max: options.connections });
    await migrate(serviceStore);
    const service = benchService(serviceStore);
    const fixedStore = await createPostgresStore({ connectionString: fixedSchema.url, max: 1 });
    await migrate(fixedStore);
    await fixedStore.close();
    const durability = {
      fsync: await serverSetting(fixedSchema.url, "fsync"),
      synchronous_commit: await serverSetting(fixedSchema.url, "synchronous_commit"),
      client: "pgbench -M prepared",
    };

    let serviceN = 0;
    let pgbenchRound = 0;
    const serviceRound = (seconds: number) => runForDuration(seconds, options.connections, () => charge(service, `f${serviceN++}`));
    const floorRound = async (seconds: number, receiptNumbers = false) => {
      const run = await runPgbench({ url: fixedSchema.url, schema: fixedSchema.schema, clients: options.connections, seconds, round: pgbenchRound++, receiptNumbers });
      if (run.failed > 0) throw new Error(`fixed floor: ${run.failed} pgbench transactions failed`);
      return run.chargesPerSecond;
    };
    await floorRound(2);
    await serviceRound(2);
    const serviceRounds: number[] = [];
    const floorRounds: number[] = [];
    const receiptFloorRounds: number[] = [];
    for (let i = 0; i < options.rounds; i++) {
      floorRounds.push(await floorRound(options.seconds));
      serviceRounds.push(await serviceRound(options.seconds));
      receiptFloorRounds.push(await floorRound(options.seconds, true));
    }
    const serviceRate = median(serviceRounds);
    const floorRate = median(floorRounds);
    const ratio = Math.round((serviceRate / floorRate) * 100) / 100;
    const receiptFloorRate = median(receiptFloorRounds);

    const latency = await latencyAtRate(serviceRate / 2, options.latencySeconds, (n) => charge(service, `l${n}`));

    const { replay, transactions } = await captureCharge(async (log) => {
      const store = await createPostgresStore({ connectionString: replaySchema.url, max: 1, log });
      await migrate(store);
      return store;
    });
    const pool = poolOn(replaySchema.url, replaySchema.schema, options.connections);
    const replayed = await compareWithFloor(
      options,
      (n) => charge(service, `s${n}`),
      async (n) => {
        for (const group of transactions) {
          if (group.length === 1) {
            await pool.query(group[0]!.sql, group[0]!.parameters(n));
            continue;
          }
          const client = await pool.connect();
          try {
            for (const statement of group) await client.query(statement.sql, statement.parameters(n));
          } finally {
            client.release();
          }
        }
      },
    );
    await pool.end();
    await serviceStore.close();
    return {
      engine: "postgres",
      fixedFloor: {
        concurrency: options.connections,
        chargesPerRound: 0,
        secondsPerRound: options.seconds,
        rounds: options.rounds,
        service: { chargesPerSecond: serviceRate, rounds: serviceRounds },
        floor: { chargesPerSecond: floorRate, rounds: floorRounds },
        ratio,
        goal: POSTGRES_FIXED_GOAL,
        meetsGoal: ratio >= POSTGRES_FIXED_GOAL,
        floorStatements: FIXED_FLOOR_SHAPE.statements,
        floorTransactions: FIXED_FLOOR_SHAPE.transactions,
        durability,
      },
      withReceiptNumbers: {
        floor: { chargesPerSecond: receiptFloorRate, rounds: receiptFloorRounds },
        ratio: Math.round((serviceRate / receiptFloorRate) * 100) / 100,
      },
      latencyAtHalfRate: latency,
      replay: {
        ...replayed,
        goal: POSTGRES_REPLAY_GOAL,
        meetsGoal: replayed.ratio >= POSTGRES_REPLAY_GOAL,
        statementsPerCharge: replay.length,
        transactionsPerCharge: transactions.length,
      },
    };
  } finally {
    await serviceSchema.drop();
    await fixedSchema.drop();
    await replaySchema.drop();
  }
}
