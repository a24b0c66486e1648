import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import { samplePayment, sampleRefund } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { refusal } from "./refusal.js";
import { insertPayment } from "./seed.js";

/**
 * The store's schema and the limits of what it holds: migrations from an empty database (when the store has a
 * schema), and amounts, which are safe integers in the domain but 64-bit (or wider) columns in a database.
 */
export const STORAGE_CASES = {
  migrationsFromEmpty: "migrations run from an empty database, apply every pending one in order, and are harmless when run twice",
  migrationsConcurrent: "two concurrent migrations of one empty database apply each migration once",
  storedAmountPastSafe: "keeps 2^53 - 1 exactly, and refuses a stored amount past 2^53 on read with internal instead of rounding it",
  unsafeIntegerWrites: "refuses to write an amount that is not a safe integer (a fraction, 2^53, NaN, Infinity); nothing is stored",
} as const;

/** 2^53 + 1: the first integer a JavaScript number cannot hold (it would read back as 2^53). */
const PAST_SAFE = "9007199254740993";

export function defineStorageCases(define: DefineCase<keyof typeof STORAGE_CASES>, kit: StoreUnderTest): void {
  define("migrationsFromEmpty", async (context) => {
    const migrations = kit.harness.migrations;
    if (!migrations) return context.skip("the harness gives no migrations (a store without a schema to migrate)");
    const fresh = await migrations.fresh();
    try {
      const before = await fresh.status();
      expect(before.current).toBeNull();
      expect(before.pending.length).toBeGreaterThan(0);
      const first = await fresh.migrate();
      expect(first.applied).toEqual(before.pending);
      expect(first.current).toBe(before.pending[before.pending.length - 1]);
      const second = await fresh.migrate();
      expect(second.applied).toEqual([]);
      expect(second.current).toBe(first.current);
      expect(await fresh.status()).toEqual({ current: first.current, pending: [] });
    } finally {
      await fresh.dispose();
    }
  });

  define("migrationsConcurrent", async (context) => {
    const migrations = kit.harness.migrations;
    if (!migrations) return context.skip("the harness gives no migrations (a store without a schema to migrate)");
    const fresh = await migrations.fresh();
    const other = await fresh.openSecondMigrator?.();
    try {
      if (!other) {
        await context.annotate(
          "the harness opens no second migrator (fresh().openSecondMigrator): one migrator raced itself, which an in-process lock passes; the database lock two deploys rely on was not shown",
        );
      }
      const { pending } = await fresh.status();
      const [a, b] = await Promise.all([fresh.migrate(), (other ?? fresh).migrate()]);
      // One run applies everything while holding the migration lock; the other then finds nothing to do (or the
      // two split the list between them), but no migration runs twice and none is left out.
      expect([...a.applied, ...b.applied].sort()).toEqual([...pending].sort());
      expect(new Set([...a.applied, ...b.applied]).size).toBe(pending.length);
      expect(await fresh.status()).toEqual({ current: pending[pending.length - 1], pending: [] });
    } finally {
      await other?.dispose();
      await fresh.dispose();
    }
  });

  define("storedAmountPastSafe", async (context) => {
    const { store, harness } = kit;
    const max = Number.MAX_SAFE_INTEGER;
    const payment = await insertPayment(store, samplePayment({ status: "partially_refunded", amount: max, amountCaptured: max, amountRefunded: max - 1 }));
    expect(await store.getPayment(payment.id)).toEqual(payment);
    const corrupt = harness.corruptStoredAmount;
    if (!corrupt) return context.skip("the harness cannot change a stored amount behind the store's back (corruptStoredAmount)");
    await corrupt.call(harness, payment.id, PAST_SAFE);
    // Every read of that row refuses it, without repeating the value: never 2^53, one minor unit off.
    expect(await refusal(() => store.getPayment(payment.id), "getPayment", PAST_SAFE)).toBe("internal");
    expect(await refusal(() => store.transaction((tx) => tx.getPayment(payment.id)), "tx.getPayment", PAST_SAFE)).toBe("internal");
    expect(await refusal(() => store.listPayments({}, { limit: 10 }), "listPayments", PAST_SAFE)).toBe("internal");
  });

  // `internal`, as the port says: the core never produces such an amount, so one arriving is a bug, not bad input.
  define("unsafeIntegerWrites", async () => {
    const { store, harness } = kit;
    const clean = await insertPayment(store, samplePayment({ status: "succeeded", amount: 2500, amountCaptured: 2500 }));
    const unsafe = [0.5, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const fields = ["amount", "amountCaptured", "amountRefunded", "amountRefundReserved"] as const;
    for (const value of unsafe) {
      for (const field of fields) {
        const label = `${field} = ${value}`;
        const fresh: Payment = { ...samplePayment(), [field]: value };
        await expect(refusal(() => store.transaction((tx) => tx.insertPayment(fresh)), label, ""), label).resolves.toBe("internal");
        expect(await harness.readBack.payment(fresh.id), label).toBeNull();
        const update: Payment = { ...clean, [field]: value, version: 2 };
        await expect(refusal(() => store.transaction((tx) => tx.updatePayment(update, 1)), `update ${label}`, ""), label).resolves.toBe("internal");
      }
      const refund = sampleRefund(clean, { amount: value });
      await expect(refusal(() => store.transaction((tx) => tx.insertRefund(refund)), `refund amount = ${value}`, "")).resolves.toBe("internal");
    }
    // Stored as it was: the clean payment at version 1, no other payment, no refund.
    expect(await harness.readBack.payment(clean.id)).toEqual({ status: "succeeded", amount: 2500, amountCaptured: 2500, amountRefunded: 0, amountRefundReserved: 0, version: 1 });
    expect((await store.listPayments({}, { limit: 500 })).items.map((p) => p.id)).toEqual([clean.id]);
    expect(await store.listRefunds(clean.id)).toEqual([]);
    // ... and an update of a stored refund to such an amount is refused too.
    const stored = sampleRefund(clean, { amount: 100 });
    await store.transaction((tx) => tx.insertRefund(stored));
    await expect(refusal(() => store.transaction((tx) => tx.updateRefund({ ...stored, amount: 100.5 })), "refund update", "")).resolves.toBe("internal");
    expect(await store.listRefunds(clean.id)).toEqual([stored]);
  });
}
