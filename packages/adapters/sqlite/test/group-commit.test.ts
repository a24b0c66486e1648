import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPaymentError } from "@org/payments-core";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { BATCH_ROLLED_BACK, GroupCommit } from "../src/group-commit.js";
import type { GroupCommitLimits } from "../src/group-commit.js";
import { createSqliteStore, migrate } from "../src/index.js";

/** The committer on a file of its own, a log of the statements it ran, and a second connection to read back through. */
interface Harness {
  filename: string;
  database: BetterSqlite3.Database;
  committer: GroupCommit;
  /** SQL of every statement run, in order. */
  statements: string[];
  /** Rows of `rows` another connection sees: committed ones only. */
  committedRows(): string[];
  committedChildren(): number;
}

const open: Array<() => void> = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});

const als = new AsyncLocalStorage<string>();

function harness(options: { limits?: GroupCommitLimits; onStatement?: (sql: string) => void } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), "payments-group-commit-"));
  const filename = join(dir, "batch.db");
  const database = new BetterSqlite3(filename);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = FULL");
  database.pragma("busy_timeout = 50");
  database.pragma("foreign_keys = ON");
  database.exec(`
    create table rows (name text primary key);
    create table parents (id integer primary key);
    create table children (id integer primary key, parent_id integer references parents (id) deferrable initially deferred);
    create table doomed (name text);
    create trigger doomed_insert before insert on doomed begin select raise(rollback, 'doomed'); end;
  `);
  const statements: string[] = [];
  const db = new Kysely<any>({
    dialect: new SqliteDialect({ database }),
    log: (event) => {
      if (event.level !== "query") return;
      statements.push(event.query.sql);
      options.onStatement?.(event.query.sql);
    },
  });
  const reader = new BetterSqlite3(filename, { readonly: true });
  open.push(() => {
    reader.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    filename,
    database,
    committer: new GroupCommit(db, database, options.limits),
    statements,
    committedRows: () => reader.prepare("select name from rows order by name").pluck().all() as string[],
    committedChildren: () => Number(reader.prepare("select count(*) from children").pluck().get()),
  };
}

const insert = (conn: Kysely<any>, name: string) => sql`insert into rows (name) values (${name})`.execute(conn);
const count = (statements: string[], text: string) => statements.filter((statement) => statement === text).length;
/** The default member cap, no hold limit: batches that do not depend on how fast a shared machine runs. */
const UNHURRIED: GroupCommitLimits = { maxMembers: 16, maxHoldMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Members per COMMIT, read off the statement log. */
function batchSizes(statements: string[]): number[] {
  const sizes: number[] = [];
  let size = 0;
  for (const statement of statements) {
    if (statement === "begin immediate") size = 1;
    else if (statement === "savepoint member") size += 1;
    else if (statement === "commit") sizes.push(size);
  }
  return sizes;
}

describe("sqlite group commit: transactions waiting for the connection share one COMMIT", () => {
  it("a lone transaction runs exactly as before (BEGIN IMMEDIATE, its work, COMMIT) and waits on no timer for company", async () => {
    const { committer, statements } = harness();
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    const result = await committer.run(async (conn) => {
      await insert(conn, "alone");
      return 42;
    });
    expect(result).toBe(42);
    // Scheduled before the call: had the committer waited on any timer or immediate, this would have run first.
    expect(immediateRan).toBe(false);
    expect(statements).toEqual(["begin immediate", "insert into rows (name) values (?)", "commit"]);
  });

  it("16 concurrent transactions commit in one COMMIT, each in its savepoint, and each resolves only once its row is committed", async () => {
    // No hold limit here: on a loaded machine 16 inserts can outlast the default few ms, and the batch would split.
    const { committer, statements, committedRows } = harness({ limits: UNHURRIED });
    const names = Array.from({ length: 16 }, (_, index) => `row_${String(index).padStart(2, "0")}`);
    const visibleAtResolve: boolean[] = [];
    const results = await Promise.all(
      names.map((name) =>
        committer
          .run(async (conn) => {
            await insert(conn, name);
            return name;
          })
          .then((value) => {
            // Another connection sees only committed rows: resolved means committed.
            visibleAtResolve.push(committedRows().includes(name));
            return value;
          }),
      ),
    );
    expect(results).toEqual(names);
    expect(visibleAtResolve).toEqual(names.map(() => true));
    expect(count(statements, "commit")).toBeLessThan(16);
    expect(batchSizes(statements)).toEqual([16]);
    expect(count(statements, "savepoint member")).toBe(15);
    expect(committedRows()).toEqual(names);
  });

  it("a member whose work throws is rolled back to its savepoint alone: the others commit, its error reaches only its caller", async () => {
    const { committer, statements, committedRows } = harness({ limits: UNHURRIED });
    const failure = new Error("b failed");
    let committedWhenBWasTold: string[] = [];
    const settled = await Promise.allSettled([
      committer.run(async (conn) => {
        await insert(conn, "a");
        return "a";
      }),
      committer
        .run(async (conn) => {
          await insert(conn, "b");
          throw failure;
        })
        .catch((error: unknown) => {
          // Told only once the batch committed: its failure might have rested on what "a" wrote.
          committedWhenBWasTold = committedRows();
          throw error;
        }),
      // A statement error (primary key) inside a member: the same.
      committer.run(async (conn) => {
        await insert(conn, "c");
        await insert(conn, "a");
      }),
      committer.run(async (conn) => {
        await insert(conn, "d");
        return "d";
      }),
    ]);
    expect(settled[0]).toEqual({ status: "fulfilled", value: "a" });
    expect(settled[1]).toEqual({ status: "rejected", reason: failure });
    expect(settled[2]).toMatchObject({ status: "rejected", reason: { code: "SQLITE_CONSTRAINT_PRIMARYKEY" } });
    expect(settled[3]).toEqual({ status: "fulfilled", value: "d" });
    expect(committedRows()).toEqual(["a", "d"]);
    expect(committedWhenBWasTold).toEqual(["a", "d"]);
    expect(count(statements, "commit")).toBe(1);
  });

  it("a failing first member (no savepoint of its own) rolls back the transaction alone; those queued behind it still commit", async () => {
    const { committer, committedRows } = harness({ limits: UNHURRIED });
    const failure = new Error("first failed");
    const settled = await Promise.allSettled([
      committer.run(async (conn) => {
        await insert(conn, "first");
        throw failure;
      }),
      committer.run((conn) => insert(conn, "second")),
      committer.run((conn) => insert(conn, "third")),
    ]);
    expect(settled.map((result) => result.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(settled[0]).toEqual({ status: "rejected", reason: failure });
    expect(committedRows()).toEqual(["second", "third"]);
  });

  it("a failed COMMIT rejects every member of the batch with its error and leaves none of their rows", async () => {
    const { committer, committedRows, committedChildren } = harness({ limits: UNHURRIED });
    const settled = await Promise.allSettled([
      committer.run((conn) => insert(conn, "innocent")),
      // A deferred foreign key is checked at COMMIT only: this member's work succeeds, the COMMIT fails.
      committer.run((conn) => sql`insert into children (id, parent_id) values (1, 99)`.execute(conn)),
      committer.run((conn) => insert(conn, "bystander")),
      // Its own failure was decided inside a batch that then failed: it is told the batch's error, not its own.
      committer.run(async () => {
        throw new Error("own failure");
      }),
    ]);
    expect(settled.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    const reasons = settled.map((result) => (result.status === "rejected" ? result.reason : undefined));
    expect(reasons[0]).toMatchObject({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    expect(new Set(reasons).size).toBe(1);
    expect(committedRows()).toEqual([]);
    expect(committedChildren()).toBe(0);
    // Rolled back, not left open: the next transaction commits.
    await committer.run((conn) => insert(conn, "after"));
    expect(committedRows()).toEqual(["after"]);
  });

  it("a failed BEGIN (SQLITE_BUSY: another process holds the write lock past busy_timeout) rejects every member waiting, none of whose work runs", async () => {
    const { committer, filename, committedRows } = harness({ limits: UNHURRIED });
    const other = new BetterSqlite3(filename);
    open.push(() => other.close());
    other.exec("begin immediate");
    let ran = 0;
    const settled = await Promise.allSettled(
      ["a", "b", "c"].map((name) =>
        committer.run(async (conn) => {
          ran += 1;
          await insert(conn, name);
        }),
      ),
    );
    expect(settled.map((result) => (result.status === "rejected" ? (result.reason as { code?: string }).code : "fulfilled"))).toEqual([
      "SQLITE_BUSY",
      "SQLITE_BUSY",
      "SQLITE_BUSY",
    ]);
    expect(ran).toBe(0);
    other.exec("rollback");
    await committer.run((conn) => insert(conn, "after"));
    expect(committedRows()).toEqual(["after"]);
  });

  it("when SQLite rolls the whole transaction back (RAISE(ROLLBACK)), members already run are rejected, never resolved", async () => {
    const { committer, committedRows } = harness({ limits: UNHURRIED });
    const settled = await Promise.allSettled([
      committer.run((conn) => insert(conn, "a")),
      committer.run((conn) => insert(conn, "b")),
      // Failed on its own, rolled back to its savepoint: what it decided on is gone with the rest.
      committer.run(async () => {
        throw new Error("own failure");
      }),
      committer.run((conn) => sql`insert into doomed (name) values ('x')`.execute(conn)),
      committer.run((conn) => insert(conn, "queued behind")),
    ]);
    expect(settled[0]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(settled[1]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(settled[2]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    // The member that hit the error gets its own.
    expect(settled[3]).toMatchObject({ status: "rejected", reason: { code: "SQLITE_CONSTRAINT_TRIGGER", message: "doomed" } });
    // The one not yet run goes to the next batch.
    expect(settled[4]).toMatchObject({ status: "fulfilled" });
    expect(committedRows()).toEqual(["queued behind"]);
  });

  it("a member that swallows the error SQLite rolled the transaction back for is rejected too, with every member before it", async () => {
    const { committer, committedRows } = harness({ limits: UNHURRIED });
    const settled = await Promise.allSettled([
      committer.run((conn) => insert(conn, "a")),
      committer.run(async (conn) => {
        await sql`insert into doomed (name) values ('x')`.execute(conn).catch(() => undefined);
        return "carried on";
      }),
      committer.run((conn) => insert(conn, "next")),
    ]);
    expect(settled[0]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(settled[1]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(settled[2]).toMatchObject({ status: "fulfilled" });
    expect(committedRows()).toEqual(["next"]);
  });

  it("a first member that swallows such an error is rejected, and the next member does not run outside a transaction", async () => {
    const { committer, statements, committedRows } = harness({ limits: UNHURRIED });
    const settled = await Promise.allSettled([
      committer.run(async (conn) => {
        await insert(conn, "a");
        await sql`insert into doomed (name) values ('x')`.execute(conn).catch(() => undefined);
        return "carried on";
      }),
      committer.run((conn) => insert(conn, "next")),
    ]);
    expect(settled[0]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(settled[1]).toMatchObject({ status: "fulfilled" });
    expect(committedRows()).toEqual(["next"]);
    // "next" ran in a BEGIN IMMEDIATE of its own, not in a SAVEPOINT that would have begun a deferred transaction.
    expect(statements.filter((statement) => statement === "begin immediate" || statement === "savepoint member")).toEqual([
      "begin immediate",
      "begin immediate",
    ]);
  });

  it("takes at most maxMembers per COMMIT", async () => {
    const { committer, statements, committedRows } = harness({ limits: UNHURRIED });
    await Promise.all(Array.from({ length: 40 }, (_, index) => committer.run((conn) => insert(conn, `r${index}`))));
    expect(batchSizes(statements)).toEqual([16, 16, 8]);
    expect(committedRows()).toHaveLength(40);
  });

  it("admits no member once the batch has held the write lock for maxHoldMs", async () => {
    const { committer, statements, committedRows } = harness({ limits: { maxMembers: 100, maxHoldMs: 5 } });
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        committer.run(async (conn) => {
          await insert(conn, `slow${index}`);
          await sleep(4);
        }),
      ),
    );
    const sizes = batchSizes(statements);
    // A member starts only before 5 ms; each takes 4 ms or more: two at most per batch.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10);
    expect(committedRows()).toHaveLength(10);
  });

  it("runs each member's work in its caller's async context, and the batch's own statements in none of theirs", async () => {
    const contextOfCommit: Array<string | undefined> = [];
    const { committer } = harness({ limits: UNHURRIED, onStatement: (text) => text === "commit" && contextOfCommit.push(als.getStore()) });
    const seen: Array<[string, string | undefined]> = [];
    await Promise.all(
      ["a", "b", "c"].map((name) =>
        als.run(name, () =>
          committer.run(async (conn) => {
            seen.push([name, als.getStore()]);
            await insert(conn, name);
            await sleep(1);
            seen.push([name, als.getStore()]);
          }),
        ),
      ),
    );
    expect(seen).toEqual([
      ["a", "a"],
      ["a", "a"],
      ["b", "b"],
      ["b", "b"],
      ["c", "c"],
      ["c", "c"],
    ]);
    expect(contextOfCommit).toEqual([undefined]);
  });
});

describe("sqlite group commit through the store", () => {
  it("16 concurrent store transactions take fewer than 16 COMMITs; a nested call inside one is still refused, alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "payments-group-commit-store-"));
    const filename = join(dir, "payments.db");
    let commits = 0;
    const store = await createSqliteStore({
      filename,
      guardNestedCalls: true,
      log: (event) => {
        if (event.level === "query" && event.query.sql === "commit") commits += 1;
      },
    });
    try {
      await migrate(store);
      commits = 0;
      const ids = Array.from({ length: 16 }, (_, index) => `pay_group_${index}`);
      await Promise.all(ids.map((id) => store.transaction((tx) => tx.insertPayment(makePayment({ id })))));
      expect(commits).toBeGreaterThan(0);
      expect(commits).toBeLessThan(16);
      const reader = new BetterSqlite3(filename, { readonly: true });
      try {
        expect(Number(reader.prepare("select count(*) from payments where id like 'pay_group_%'").pluck().get())).toBe(16);
      } finally {
        reader.close();
      }

      // The nested-call guard sees each member's own context: the misusing member is refused, its neighbours commit.
      const settled = await Promise.allSettled([
        store.transaction((tx) => tx.insertPayment(makePayment({ id: "pay_guard_a" }))),
        store.transaction(async (tx) => {
          await tx.insertPayment(makePayment({ id: "pay_guard_b" }));
          return store.getPayment("pay_guard_a");
        }),
        store.transaction((tx) => tx.insertPayment(makePayment({ id: "pay_guard_c" }))),
      ]);
      expect(settled.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(settled[1]).toMatchObject({ status: "rejected", reason: { message: expect.stringMatching(/inside transaction/) } });
      expect(isPaymentError((settled[1] as PromiseRejectedResult).reason, "internal")).toBe(true);
      expect(await store.getPayment("pay_guard_a")).not.toBeNull();
      expect(await store.getPayment("pay_guard_b")).toBeNull();
      expect(await store.getPayment("pay_guard_c")).not.toBeNull();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
