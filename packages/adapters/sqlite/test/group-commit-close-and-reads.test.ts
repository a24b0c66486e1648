import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";

// Review of group commit (issue 17): what callers are told when the store closes mid-batch, and what a read outside
// any transaction sees while a batch is open. A caller's answer must match what is committed, never more, never less.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "payments-group-commit-review-"));
  dirs.push(dir);
  return join(dir, "payments.db");
}

function committedIds(filename: string, prefix: string): string[] {
  const reader = new BetterSqlite3(filename, { readonly: true });
  try {
    return reader.prepare("select id from payments where id like ? order by id").pluck().all(`${prefix}%`) as string[];
  } finally {
    reader.close();
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("sqlite group commit: close() and reads outside transactions", () => {
  it("close() while members run and wait: every caller is answered, and answered true (resolved iff its row is committed)", async () => {
    const filename = freshFile();
    const store = await createSqliteStore({ filename, guardNestedCalls: true });
    await migrate(store);
    const ids = Array.from({ length: 12 }, (_, index) => `pay_close_${String(index).padStart(2, "0")}`);
    let running = 0;
    const calls = ids.map((id) =>
      store.transaction(async (tx) => {
        running += 1;
        await tx.insertPayment(makePayment({ id }));
        // Work that yields mid-transaction (as a service awaiting between statements does).
        await turn();
        await tx.insertPayment(makePayment({ id: `${id}_b` }));
      }),
    );
    while (running < 2) await turn();
    const closed = store.close();
    const timeout = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 5_000));
    const settled = await Promise.race([Promise.allSettled(calls), timeout]);
    await closed;
    expect(settled).not.toBe("hung");
    const results = settled as PromiseSettledResult<void>[];
    const committed = committedIds(filename, "pay_close_");
    for (const [index, id] of ids.entries()) {
      const has = committed.includes(id);
      expect({ id, has, hasB: committed.includes(`${id}_b`) }).toEqual({ id, has, hasB: has });
      expect({ id, status: results[index]!.status }).toEqual({ id, status: has ? "fulfilled" : "rejected" });
    }
  });

  it("a read outside any transaction, issued while a batch is open, never sees a member's uncommitted row", async () => {
    const filename = freshFile();
    const store = await createSqliteStore({ filename, guardNestedCalls: true });
    await migrate(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted = false;
    const first = store.transaction(async (tx) => tx.insertPayment(makePayment({ id: "pay_read_a" })));
    const second = store.transaction(async (tx) => {
      await tx.insertPayment(makePayment({ id: "pay_read_b" }));
      inserted = true;
      await gate;
      throw new Error("second member fails after its insert");
    });
    while (!inserted) await turn();
    // The batch is open: pay_read_b is written but not committed, and will be rolled back to its savepoint.
    const read = store.getPayment("pay_read_b");
    const listed = store.listPayments({}, { limit: 10 });
    await turn();
    release();
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow("second member fails");
    expect(await read).toBeNull();
    expect((await listed).items.map((payment) => payment.id)).toEqual(["pay_read_a"]);
    await store.close();
  });

  // The purge re-checks only TEXT columns (statuses, and timestamps, which are text on SQLite) against text operands.
  // A TEXT column stores numbers as text, so losing the column's affinity (coalesce has none) changes no comparison.
  // (It would on a NUMERIC/INTEGER column compared with a text operand: notIndexed() is only sound on TEXT ones.)
  it("coalesce(c, c) compares like c for every value a TEXT column holds (NULL, text, numbers, blob), against text, on SQLite", () => {
    const database = new BetterSqlite3(":memory:");
    database.exec(`create table t (v text, w text); insert into t values (null, null), ('finished', 'finished'), ('2026-01-01T00:00:00.000Z', 1), ('a', 1.5), ('b', x'00'), ('1', '1');`);
    for (const [op, value] of [["=", "finished"], ["<", "2026-06-01T00:00:00.000Z"], ["<", "b"], ["=", "1"], [">", ""]] as const) {
      for (const column of ["v", "w"]) {
        const plain = database.prepare(`select rowid from t where ${column} ${op} ? order by rowid`).pluck().all(value);
        const wrapped = database.prepare(`select rowid from t where coalesce(${column}, ${column}) ${op} ? order by rowid`).pluck().all(value);
        expect({ column, op, value, rows: wrapped }).toEqual({ column, op, value, rows: plain });
      }
    }
    database.close();
  });
});
