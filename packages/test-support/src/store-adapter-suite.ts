import { isPaymentError } from "@org/payments-core";
import type { PaymentStore } from "@org/payments-core";
import type { StoreHarness } from "@org/payments-core/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { T0, at, makeEvent, makeHistory, makePayment } from "./store-fixtures.js";

/**
 * Tests of what the SQL adapters add beyond the port contract (migrations, 64-bit columns, the outbox claim
 * query, racing on a real database), written once for both dialects. Each adapter hands in a factory of fresh,
 * unmigrated databases and raw SQL access through its driver.
 */
export interface SqlAdapterHarness {
  store: PaymentStore;
  migrate(): Promise<{ applied: string[]; current: string | null }>;
  migrationStatus(): Promise<{ current: string | null; pending: string[] }>;
  /** Runs one statement through the driver, not the store. */
  exec(statement: string): Promise<void>;
  /** Empties every table through the driver. */
  reset(): Promise<void>;
  /** A second store on the same database over its own connection(s), when the dialect has concurrent writers. */
  openSecondStore?(): Promise<PaymentStore>;
  dispose(): Promise<void>;
}

export function describeSqlAdapter(name: string, setup: () => Promise<SqlAdapterHarness>): void {
  describe(`${name} adapter`, () => {
    describe("migrations", () => {
      it("run from an empty database and are harmless when run twice", async () => {
        const fresh = await setup();
        try {
          const before = await fresh.migrationStatus();
          expect(before.current).toBeNull();
          expect(before.pending.length).toBeGreaterThan(0);

          const first = await fresh.migrate();
          expect(first.applied).toEqual(before.pending);
          expect(first.current).toBe(before.pending[before.pending.length - 1]);

          const second = await fresh.migrate();
          expect(second.applied).toEqual([]);
          expect(await fresh.migrationStatus()).toEqual({ current: first.current, pending: [] });
        } finally {
          await fresh.dispose();
        }
      });

      it("two concurrent migrations apply each migration once", async () => {
        const fresh = await setup();
        try {
          const { pending } = await fresh.migrationStatus();
          const [a, b] = await Promise.all([fresh.migrate(), fresh.migrate()]);
          // One run applies everything while holding the migration lock; the other then finds nothing to do.
          expect([...a.applied, ...b.applied]).toEqual(pending);
          expect((await fresh.migrationStatus()).pending).toEqual([]);
        } finally {
          await fresh.dispose();
        }
      });
    });

    describe("store", () => {
      let h: SqlAdapterHarness;
      beforeAll(async () => {
        h = await setup();
        await h.migrate();
      });
      afterAll(async () => {
        await h?.dispose();
      });
      beforeEach(async () => {
        await h.reset();
      });

      it("stores Number.MAX_SAFE_INTEGER exactly and refuses a larger stored amount on read", async () => {
        const max = Number.MAX_SAFE_INTEGER;
        const payment = makePayment({ amount: max, amountCaptured: max, amountRefunded: max - 1, status: "partially_refunded" });
        await h.store.transaction((tx) => tx.insertPayment(payment));
        expect(await h.store.getPayment(payment.id)).toEqual(payment);

        await h.exec(`update payments set amount = 9007199254740993 where id = '${payment.id}'`);
        const read = h.store.getPayment(payment.id);
        await expect(read).rejects.toSatisfy((error: unknown) => isPaymentError(error, "internal"));
        await expect(h.store.getPayment(payment.id)).rejects.toThrow(/amount/);
      });

      it("refuses to write an amount that is not a safe integer", async () => {
        for (const amount of [0.5, Number.MAX_SAFE_INTEGER + 1]) {
          await expect(h.store.transaction((tx) => tx.insertPayment(makePayment({ amount })))).rejects.toThrow();
        }
        expect((await h.store.listPayments({}, { limit: 10 })).items).toEqual([]);
      });

      it("round-trips every payment field, timestamps as ISO-8601 UTC", async () => {
        const payment = makePayment({
          status: "authorized",
          captureMethod: "manual",
          providerPaymentId: "pi_123",
          paymentMethodId: "pm_card_visa",
          paymentMethodType: "card",
          checkoutSessionId: "cs_1",
          customerId: "cus_1",
          customerEmail: "a@example.com",
          references: { booking: "bk_1", trip: "tr_9" },
          description: "Ride",
          authorizationExpiresAt: "2026-03-08T10:00:00.000Z",
          nextAction: { type: "redirect", url: "https://example.test/3ds" },
          lastError: { code: "card_declined", declineCode: "do_not_honor", message: "Declined" },
          disputed: true,
          lineItems: [{ code: "base", description: "Base fare", amount: 2000 }, { code: "tax", description: "Tax", amount: 500, kind: "tax" }],
          metadata: { source: "test" },
          receiptNumber: "R-2026-000001",
          createdAt: "2026-03-01T10:00:00.123Z",
          updatedAt: "2026-03-01T10:00:01.456Z",
        });
        await h.store.transaction((tx) => tx.insertPayment(payment));
        expect(await h.store.getPayment(payment.id)).toEqual(payment);
        const found = await h.store.transaction((tx) => tx.findPaymentByProviderId("simulated", "pi_123"));
        expect(found?.id).toBe(payment.id);
      });

      it("keeps history in the order it was appended", async () => {
        const payment = makePayment();
        const entries = [
          makeHistory(payment, { to: "pending" }),
          makeHistory(payment, { from: "pending", to: "processing", details: { attempt: 1 } }),
          makeHistory(payment, { from: "processing", to: "succeeded" }),
        ];
        await h.store.transaction(async (tx) => {
          await tx.insertPayment(payment);
          // Same timestamp for all: only the insertion order tells them apart.
          await tx.appendHistory(entries);
        });
        expect(await h.store.listHistory(payment.id)).toEqual(entries);
      });

      it("exactly one of ten concurrent version compare-and-sets wins", async () => {
        const payment = makePayment();
        await h.store.transaction((tx) => tx.insertPayment(payment));
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            h.store.transaction((tx) =>
              tx.updatePayment({ ...payment, description: `racer ${i}`, version: 2 }, 1),
            ),
          ),
        );
        expect(results.filter((result) => result !== null)).toHaveLength(1);
        const stored = await h.store.getPayment(payment.id);
        expect(stored?.version).toBe(2);
      });

      it("allocates unique, consecutive receipt numbers per year and one per payment", async () => {
        const payments = Array.from({ length: 10 }, () => makePayment({ status: "succeeded" }));
        await h.store.transaction(async (tx) => {
          for (const payment of payments) await tx.insertPayment(payment);
        });
        const numbers = await Promise.all(
          payments.map((payment) => h.store.transaction((tx) => tx.allocateReceiptNumber(payment.id, T0))),
        );
        expect([...numbers].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `R-2026-${String(i + 1).padStart(6, "0")}`));
        const again = await h.store.transaction((tx) => tx.allocateReceiptNumber(payments[0]!.id, T0));
        expect(again).toBe(numbers[0]);
        const late = makePayment({ status: "succeeded" });
        await h.store.transaction((tx) => tx.insertPayment(late));
        const nextYear = await h.store.transaction((tx) => tx.allocateReceiptNumber(late.id, "2027-01-01T00:00:00.000Z"));
        expect(nextYear).toBe("R-2027-000001");
      });

      it("lists newest first with a cursor, filtered by reference, status and time", async () => {
        const payments = Array.from({ length: 7 }, (_, i) =>
          makePayment({
            status: i % 2 === 0 ? "succeeded" : "failed",
            references: { booking: i < 3 ? "bk_a" : "bk_b" },
            createdAt: at(i * 60),
            updatedAt: at(i * 60),
          }),
        );
        await h.store.transaction(async (tx) => {
          for (const payment of payments) await tx.insertPayment(payment);
        });
        const newestFirst = [...payments].reverse().map((payment) => payment.id);
        const first = await h.store.listPayments({}, { limit: 3 });
        expect(first.items.map((payment) => payment.id)).toEqual(newestFirst.slice(0, 3));
        const second = await h.store.listPayments({}, { limit: 3, cursor: first.nextCursor ?? undefined });
        expect(second.items.map((payment) => payment.id)).toEqual(newestFirst.slice(3, 6));
        const third = await h.store.listPayments({}, { limit: 3, cursor: second.nextCursor ?? undefined });
        expect(third.items.map((payment) => payment.id)).toEqual(newestFirst.slice(6));
        expect(third.nextCursor).toBeNull();

        const byReference = await h.store.listPayments({ reference: { key: "booking", value: "bk_a" } }, { limit: 10 });
        expect(byReference.items.map((payment) => payment.id)).toEqual(payments.slice(0, 3).reverse().map((payment) => payment.id));
        const failedInWindow = await h.store.listPayments(
          { status: ["failed"], createdFrom: at(60), createdTo: at(300) },
          { limit: 10 },
        );
        expect(failedInWindow.items.map((payment) => payment.id)).toEqual([payments[3]!.id, payments[1]!.id]);
      });

      it("groups stats in SQL by status, provider and currency", async () => {
        await h.store.transaction(async (tx) => {
          await tx.insertPayment(makePayment({ status: "succeeded", amount: 1000, amountCaptured: 1000 }));
          await tx.insertPayment(makePayment({ status: "succeeded", amount: 2000, amountCaptured: 2000, amountRefunded: 500 }));
          await tx.insertPayment(makePayment({ status: "failed", amount: 300 }));
        });
        expect(await h.store.stats({})).toEqual([
          { status: "failed", provider: "simulated", currency: "USD", count: 1, amount: 300n, amountCaptured: 0n, amountRefunded: 0n },
          { status: "succeeded", provider: "simulated", currency: "USD", count: 2, amount: 3000n, amountCaptured: 3000n, amountRefunded: 500n },
        ]);
      });

      describe("outbox", () => {
        async function seed(...counts: number[]) {
          const byPayment = counts.map((count) => {
            const payment = makePayment();
            return Array.from({ length: count }, (_, i) => makeEvent(payment, "payment.created", at(i)));
          });
          for (const events of byPayment) await h.store.transaction((tx) => tx.appendOutbox(events));
          const all = await h.store.listOutbox({ limit: 1000 });
          return byPayment.map((events) => events.map((event) => all.find((entry) => entry.event.id === event.id)!.sequence));
        }

        it("offers only the oldest undelivered event of each payment", async () => {
          const [a, b] = await seed(3, 2);
          const now = at(10);
          const lease = { now, leaseUntil: at(40), limit: 10 };
          const first = await h.store.claimOutbox({ claimant: "c1", ...lease });
          expect(first.map((entry) => entry.sequence)).toEqual([a![0], b![0]]);
          expect(first.every((entry) => entry.leasedBy === "c1" && entry.leasedUntil === at(40))).toBe(true);
          expect(await h.store.claimOutbox({ claimant: "c2", ...lease })).toEqual([]);

          expect(await h.store.markOutboxDelivered(b![0]!, "c2", now)).toBe(false);
          expect(await h.store.markOutboxDelivered(b![0]!, "c1", now)).toBe(true);
          const second = await h.store.claimOutbox({ claimant: "c2", ...lease });
          expect(second.map((entry) => entry.sequence)).toEqual([b![1]]);
        });

        it("an event waiting for its retry, or dead, holds back its own payment's later events and no other's", async () => {
          const [a, b] = await seed(2, 2);
          const claimed = await h.store.claimOutbox({ claimant: "c1", now: at(10), leaseUntil: at(40), limit: 10 });
          expect(claimed.map((entry) => entry.sequence)).toEqual([a![0], b![0]]);
          expect(await h.store.markOutboxFailed(a![0]!, "c1", { error: "503", nextAttemptAt: at(100), dead: false })).toBe(true);
          expect(await h.store.markOutboxDelivered(b![0]!, "c1", at(11))).toBe(true);

          const early = await h.store.claimOutbox({ claimant: "c1", now: at(20), leaseUntil: at(50), limit: 10 });
          expect(early.map((entry) => entry.sequence)).toEqual([b![1]]);
          expect(await h.store.markOutboxDelivered(b![1]!, "c1", at(21))).toBe(true);

          const due = await h.store.claimOutbox({ claimant: "c1", now: at(100), leaseUntil: at(130), limit: 10 });
          expect(due.map((entry) => entry.sequence)).toEqual([a![0]]);
          expect(due[0]).toMatchObject({ attempts: 1, lastError: "503", status: "pending" });

          expect(await h.store.markOutboxFailed(a![0]!, "c1", { error: "gone", nextAttemptAt: at(200), dead: true })).toBe(true);
          expect(await h.store.claimOutbox({ claimant: "c1", now: at(1000), leaseUntil: at(1030), limit: 10 })).toEqual([]);
          expect((await h.store.listOutbox({ status: "dead", limit: 10 })).map((entry) => entry.sequence)).toEqual([a![0]]);
        });

        it("re-offers an event whose lease ran out, and the old holder can no longer settle it", async () => {
          const [a] = await seed(1);
          await h.store.claimOutbox({ claimant: "dead-worker", now: at(10), leaseUntil: at(40), limit: 10 });
          expect(await h.store.claimOutbox({ claimant: "c2", now: at(39), leaseUntil: at(69), limit: 10 })).toEqual([]);
          const retaken = await h.store.claimOutbox({ claimant: "c2", now: at(40), leaseUntil: at(70), limit: 10 });
          expect(retaken.map((entry) => entry.sequence)).toEqual([a![0]]);
          expect(await h.store.markOutboxDelivered(a![0]!, "dead-worker", at(41))).toBe(false);
          expect(await h.store.markOutboxDelivered(a![0]!, "c2", at(41))).toBe(true);
          expect(await h.store.purgeDeliveredOutbox(at(42))).toBe(1);
        });

        it("concurrent claimers never lease one event twice", async () => {
          await seed(...Array.from({ length: 40 }, () => 2));
          const second = h.openSecondStore ? await h.openSecondStore() : h.store;
          try {
            const claimants = Array.from({ length: 8 }, (_, i) => ({ store: i % 2 === 0 ? h.store : second, name: `c${i}` }));
            const results = await Promise.all(
              claimants.map(({ store, name }) => store.claimOutbox({ claimant: name, now: at(10), leaseUntil: at(40), limit: 7 })),
            );
            const sequences = results.flat().map((entry) => entry.sequence);
            expect(new Set(sequences).size).toBe(sequences.length);
            // 40 payments, each offering its first event once: never more than that, whatever the interleaving.
            expect(sequences.length).toBeLessThanOrEqual(40);
            const leased = await h.store.listOutbox({ status: "pending", limit: 1000 });
            for (const entry of leased.filter((e) => sequences.includes(e.sequence))) {
              const owner = results.findIndex((list) => list.some((claimed) => claimed.sequence === entry.sequence));
              expect(entry.leasedBy).toBe(`c${owner}`);
            }
          } finally {
            if (second !== h.store) await second.close();
          }
        });
      });
    });
  });
}

/** One row (or none) from a statement run through the driver, with `params` bound in order. */
export type RawRowQuery = (statement: string, params: unknown[]) => Promise<Record<string, unknown> | undefined>;

/**
 * The store contract's `readBack` for the SQL adapters: plain SQL through the driver, never through the store, so
 * an adapter cannot pass by agreeing with itself. `placeholder(n)` spells the n-th parameter (`?` or `$n`).
 */
export function sqlReadBack(one: RawRowQuery, placeholder: (position: number) => string): StoreHarness["readBack"] {
  const [p1, p2] = [placeholder(1), placeholder(2)];
  // int8 arrives as bigint (SQLite) or text (pg); contract data stays far below 2^53, where Number() is exact.
  const int = (value: unknown) => Number(value);
  return {
    payment: async (id) => {
      const row = await one(
        `select status, amount, amount_captured, amount_refunded, amount_refund_reserved, version from payments where id = ${p1}`,
        [id],
      );
      return row === undefined
        ? null
        : {
            status: String(row.status),
            amount: int(row.amount),
            amountCaptured: int(row.amount_captured),
            amountRefunded: int(row.amount_refunded),
            amountRefundReserved: int(row.amount_refund_reserved),
            version: int(row.version),
          };
    },
    historyCount: async (paymentId) => int((await one(`select count(*) as n from payment_history where payment_id = ${p1}`, [paymentId]))?.n),
    outboxCount: async (paymentId) => int((await one(`select count(*) as n from outbox where payment_id = ${p1}`, [paymentId]))?.n),
    idempotencyRecord: async (scope, key) => {
      const row = await one(`select lock_id, recovery_point from idempotency_records where scope = ${p1} and "key" = ${p2}`, [scope, key]);
      return row === undefined ? null : { lockId: (row.lock_id as string | null) ?? null, recoveryPoint: String(row.recovery_point) };
    },
    inboxEvent: async (provider, eventId) => {
      const row = await one(`select status, attempts from webhook_inbox where provider = ${p1} and event_id = ${p2}`, [provider, eventId]);
      return row === undefined ? null : { status: String(row.status), attempts: int(row.attempts) };
    },
  };
}
