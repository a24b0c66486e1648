import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import { createSqliteStore, migrate } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const WRITER = fileURLToPath(new URL("./fixtures/writer-process.mjs", import.meta.url));

function runWriter(filename: string, name: string, transactions: number, callers: number): Promise<{ writer: string; conflicts: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, DIST, filename, name, String(transactions), String(callers)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve(JSON.parse(out) as { writer: string; conflicts: number });
      else reject(new Error(`writer ${name} exited with ${code}: ${err}`));
    });
  });
}

describe("sqlite: several processes on one file", () => {
  let database: SqliteTestDatabase;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`build the adapter first (pnpm --filter @org/payments-sqlite build): ${DIST} is missing`);
    database = createSqliteTestDatabase();
    const store = await createSqliteStore({ filename: database.filename });
    await migrate(store);
    await store.transaction((tx) => tx.insertPayment(makePayment({ id: "pay_shared", metadata: {} })));
    await store.close();
  });
  afterAll(() => database?.remove());

  it("serialize their write transactions (BEGIN IMMEDIATE): every write of every process lands, none fails busy", async () => {
    const transactions = 120;
    const callers = 4;
    const results = await Promise.all(["w1", "w2", "w3"].map((name) => runWriter(database.filename, name, transactions, callers)));
    // Serialized read-modify-write: no process ever saw a stale version.
    expect(results.map((result) => result.conflicts)).toEqual([0, 0, 0]);

    const raw = new BetterSqlite3(database.filename, { readonly: true });
    try {
      const count = (statement: string) => Number((raw.prepare(statement).get() as { n: number }).n);
      expect(count("select count(*) as n from payments where id <> 'pay_shared'")).toBe(3 * transactions);
      expect(count("select count(*) as n from outbox")).toBe(3 * transactions);
      expect(count("select count(distinct number) as n from receipts")).toBe(3 * transactions);
      expect(count("select max(last_number) as n from receipt_counters")).toBe(3 * transactions);
      const shared = raw.prepare("select version, metadata from payments where id = 'pay_shared'").get() as { version: number; metadata: string };
      expect(shared.version).toBe(1 + 3 * transactions);
      expect(JSON.parse(shared.metadata)).toEqual({ w1: String(transactions), w2: String(transactions), w3: String(transactions) });
    } finally {
      raw.close();
    }
  });
});
