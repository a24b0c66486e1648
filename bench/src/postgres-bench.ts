import { createPostgresStore, migrate } from "@org/payments-postgres";
import { createTestSchema } from "@org/payments-test-support/postgres";
import pg from "pg";
import { captureCharge } from "./capture-charge.js";
import { benchService, charge } from "./charge.js";
import { compareWithFloor } from "./compare-with-floor.js";
import type { ComparisonOptions } from "./compare-with-floor.js";
import type { EngineFigures } from "./sqlite-bench.js";

export const POSTGRES_GOAL = 0.7;

/** A pg pool on one schema, set up as the adapter sets up its own (search_path at connection start-up). */
function poolOn(schemaUrl: string, schema: string, max: number): pg.Pool {
  const url = new URL(schemaUrl);
  url.searchParams.delete("schema");
  return new pg.Pool({ connectionString: url.toString(), max, options: `-c search_path="${schema}"` });
}

/**
 * PostgreSQL with `connections` connections on each side: the service over the adapter in one fresh schema, the
 * floor in another, replaying the captured statements with pg's `client.query(text, values)`, a transaction on
 * one pooled client as kysely runs it.
 */
export async function benchPostgres(options: ComparisonOptions & { connections: number }): Promise<EngineFigures> {
  const serviceSchema = await createTestSchema("payments_bench");
  const floorSchema = await createTestSchema("payments_bench");
  try {
    const serviceStore = await createPostgresStore({ connectionString: serviceSchema.url, max: options.connections });
    await migrate(serviceStore);
    const service = benchService(serviceStore);

    const { replay, transactions } = await captureCharge(async (log) => {
      const store = await createPostgresStore({ connectionString: floorSchema.url, max: 1, log });
      await migrate(store);
      return store;
    });

    const pool = poolOn(floorSchema.url, floorSchema.schema, options.connections);
    const figures = await compareWithFloor(
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
      ...figures,
      goal: POSTGRES_GOAL,
      meetsGoal: figures.ratio >= POSTGRES_GOAL,
      statementsPerCharge: replay.length,
      transactionsPerCharge: transactions.length,
    };
  } finally {
    await serviceSchema.drop();
    await floorSchema.drop();
  }
}
