import { sampleHistory } from "@org/payments-core/testing";
import { MIGRATION_NAMES, paymentMigrations } from "@org/payments-kysely";
import { reshapedIndexAnswers, upgradePayments } from "@org/payments-test-support/smaller-indexes-upgrade";
import { makePayment } from "@org/payments-test-support/store-fixtures";
import type BetterSqlite3 from "better-sqlite3";
import { Migrator } from "kysely";
import { describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";

/** The schema as SQLite keeps it: every table's, index's and trigger's definition. */
function schemaShape(raw: BetterSqlite3.Database): unknown {
  return raw.prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_stat%' order by type, name").all();
}

const seqs = (raw: BetterSqlite3.Database) => raw.prepare("select seq from payment_history order by seq").pluck().all() as bigint[];

describe("sqlite migration 0011_smaller_indexes", () => {
  it("upgrades a file holding payments and history: every answer the same, seq and the autoincrement counter kept, the schema as a fresh file's", async () => {
    const old = createSqliteTestDatabase();
    const fresh = createSqliteTestDatabase();
    const upgrading = await createSqliteStore({ filename: old.filename });
    const created = await createSqliteStore({ filename: fresh.filename });
    try {
      const migrator = new Migrator({ db: upgrading.db, provider: paymentMigrations(upgrading.dialect.columnTypes) });
      expect((await migrator.migrateTo("0010_customers")).error).toBeUndefined();
      const payments = upgradePayments();
      const doomed = makePayment();
      await upgrading.transaction(async (tx) => {
        for (const payment of [...payments, doomed]) await tx.insertPayment(payment);
        await tx.appendHistory([sampleHistory(payments[0]!, { to: "pending" }), sampleHistory(payments[1]!, { to: "pending" })]);
        await tx.appendHistory([sampleHistory(payments[0]!, { from: "pending", to: "processing" }), sampleHistory(payments[0]!, { from: "processing", to: "succeeded" })]);
        await tx.appendHistory([sampleHistory(doomed), sampleHistory(doomed)]);
      });
      // The newest entries (seq 5 and 6) go with their payment: AUTOINCREMENT must still never hand those out again.
      old.raw.pragma("foreign_keys = ON");
      old.raw.prepare("delete from payments where id = ?").run(doomed.id);
      expect(seqs(old.raw)).toEqual([1n, 2n, 3n, 4n]);
      const before = await reshapedIndexAnswers(upgrading, payments);

      expect((await migrate(upgrading)).applied).toEqual(["0011_smaller_indexes"]);
      expect(MIGRATION_NAMES.at(-1)).toBe("0011_smaller_indexes");

      expect(await reshapedIndexAnswers(upgrading, payments)).toEqual(before);
      expect(seqs(old.raw)).toEqual([1n, 2n, 3n, 4n]);
      await upgrading.transaction((tx) => tx.appendHistory([sampleHistory(payments[2]!)]));
      expect(seqs(old.raw)).toEqual([1n, 2n, 3n, 4n, 7n]);
      // The history keeps its foreign key: a payment's deletion still takes its entries.
      old.raw.prepare("delete from payments where id = ?").run(payments[0]!.id);
      expect(seqs(old.raw)).toEqual([2n, 7n]);
      // An upgraded file has the schema a new install gets (the rebuilt table under its own name).
      await migrate(created);
      expect(schemaShape(old.raw)).toEqual(schemaShape(fresh.raw));
      expect(old.raw.prepare("pragma foreign_key_check").all()).toEqual([]);
      expect((await migrate(upgrading)).applied).toEqual([]);
    } finally {
      await upgrading.close();
      await created.close();
      old.remove();
      fresh.remove();
    }
  });
});
