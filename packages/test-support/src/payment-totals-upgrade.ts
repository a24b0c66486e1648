import type { PaymentStore } from "@org/payments-core";
import { expect } from "vitest";
import { makePayment } from "./store-fixtures.js";

/**
 * Payments stored before migration 0007 existed, then the migration: the all-time totals it fills must equal a
 * recount (stats over a window holding every payment), group by group. `migrateBefore` leaves the store at 0006;
 * `migrateRest` applies 0007 and later.
 */
export async function expectTotalsFilledFromExistingPayments(store: PaymentStore, migrateRest: () => Promise<void>): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < 40; i++) {
      const status = i % 3 === 0 ? "succeeded" : i % 3 === 1 ? "pending" : "failed";
      const amount = i === 0 ? Number.MAX_SAFE_INTEGER : 100 + i;
      await tx.insertPayment(makePayment({ status, amount, amountCaptured: status === "succeeded" ? amount : 0, currency: i % 2 === 0 ? "USD" : "EUR" }));
    }
  });
  await migrateRest();
  const allTime = await store.stats({});
  expect(allTime.reduce((sum, row) => sum + row.count, 0)).toBe(40);
  expect(allTime).toEqual(await store.stats({ createdFrom: "1970-01-01T00:00:00.000Z" }));
}
