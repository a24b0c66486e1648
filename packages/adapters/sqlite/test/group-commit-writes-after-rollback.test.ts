import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { BATCH_ROLLED_BACK, GroupCommit } from "../src/group-commit.js";
import { withStatementCache } from "../src/statement-cache.js";

// Review of group commit (issue 17). When SQLite itself ends the shared transaction (RAISE(ROLLBACK), SQLITE_FULL),
// a member is rejected with BATCH_ROLLED_BACK, "none of it was saved". A member whose work carries on after that
// error runs its next statements with no transaction open: each autocommits, so some of its work IS saved while its
// caller is told none was. (The store's own work never swallows such an error; this is what the guarantee rests on.)

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "payments-group-commit-after-rollback-"));
  const filename = join(dir, "batch.db");
  const database = new BetterSqlite3(filename);
  database.pragma("journal_mode = WAL");
  database.exec(`
    create table rows (name text primary key);
    create table doomed (name text);
    create trigger doomed_insert before insert on doomed begin select raise(rollback, 'doomed'); end;
  `);
  // Through the store's statement cache, as the store runs it: that is where a statement is refused once SQLite ended
  // the transaction.
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(database, { capacity: 16, closeDatabase: false }) }) });
  const reader = new BetterSqlite3(filename, { readonly: true });
  cleanups.push(() => {
    reader.close();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    committer: new GroupCommit(db, database, { maxMembers: 16, maxHoldMs: 60_000 }),
    committedRows: () => reader.prepare("select name from rows order by name").pluck().all() as string[],
  };
}

const insert = (conn: Kysely<any>, name: string) => sql`insert into rows (name) values (${name})`.execute(conn);

describe("sqlite group commit: a member rejected as rolled back has nothing saved", () => {
  it("a member that writes on after SQLite rolled the batch back is rejected, and none of its writes is committed", async () => {
    const { committer, committedRows } = setup();
    const settled = await Promise.allSettled([
      committer.run((conn) => insert(conn, "a")),
      committer.run(async (conn) => {
        await sql`insert into doomed (name) values ('x')`.execute(conn).catch(() => undefined);
        // No transaction is open any more: this autocommits.
        await insert(conn, "written after the rollback");
      }),
    ]);
    expect(settled[1]).toMatchObject({ status: "rejected", reason: { code: BATCH_ROLLED_BACK } });
    expect(committedRows()).toEqual([]);
  });
});
