import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import { samplePayment } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { insertPayment, insertPayments, plusMs } from "./seed.js";

/** Stats: what `PaymentQueries.stats` promises (ports/store/queries.ts): exact sums per group, ordered, in a window. */
export const STATS_CASES = {
  stats: "groups counts and amounts by status, provider and currency",
  statsGroupingOrder: "answers one row per (status, provider, currency), ordered by status, then provider, then currency",
  statsWindow: "counts payments created in [createdFrom, createdTo): either bound alone or both, each bound exact to the millisecond",
  statsExactPastInt64: "sums stats exactly however many rows: 1,100 payments of 2^53 - 1 sum past 2^63",
  statsFollowWrites:
    "all-time stats follow every write (a status move or an amount change moves a payment's share between groups) and equal the stats of a window holding every payment",
} as const;

export function defineStatsCases(define: DefineCase<keyof typeof STATS_CASES>, kit: StoreUnderTest): void {
  define("stats", async () => {
    const { store } = kit;
    await insertPayment(store, samplePayment({ status: "succeeded", amount: 1000, amountCaptured: 1000, amountRefunded: 300 }));
    await insertPayment(store, samplePayment({ status: "succeeded", amount: 500, amountCaptured: 500 }));
    await insertPayment(store, samplePayment({ status: "failed", amount: 700 }));
    await insertPayment(store, samplePayment({ status: "succeeded", amount: 900, currency: "EUR", amountCaptured: 900 }));
    const rows = await store.stats({});
    const usdSucceeded = rows.find((r) => r.status === "succeeded" && r.currency === "USD");
    expect(usdSucceeded).toEqual({ status: "succeeded", provider: "simulated", currency: "USD", count: 2, amount: 1500n, amountCaptured: 1500n, amountRefunded: 300n });
    expect(rows.find((r) => r.status === "failed")).toMatchObject({ count: 1, amount: 700n, amountCaptured: 0n });
    expect(rows.find((r) => r.currency === "EUR")).toMatchObject({ count: 1, amountCaptured: 900n });
    expect(await store.stats({ createdFrom: "2999-01-01T00:00:00.000Z" })).toEqual([]);
  });

  define("statsGroupingOrder", async () => {
    // Stored in an order unlike the answer's; names chosen to sort alike under any collation (lower-case
    // providers, upper-case currencies), so only the grouping and the ordering are tested.
    await insertPayments(kit.store, [
      samplePayment({ status: "succeeded", provider: "stripe", currency: "USD", amount: 1000, amountCaptured: 1000, amountRefunded: 100 }),
      samplePayment({ status: "authorized", provider: "paypal", currency: "JPY", amount: 50, captureMethod: "manual" }),
      samplePayment({ status: "succeeded", provider: "paypal", currency: "USD", amount: 7, amountCaptured: 7 }),
      samplePayment({ status: "failed", provider: "stripe", currency: "USD", amount: 300 }),
      samplePayment({ status: "succeeded", provider: "stripe", currency: "EUR", amount: 20, amountCaptured: 20 }),
      samplePayment({ status: "succeeded", provider: "stripe", currency: "USD", amount: 2000, amountCaptured: 2000, amountRefunded: 400 }),
      samplePayment({ status: "authorized", provider: "paypal", currency: "JPY", amount: 60, captureMethod: "manual" }),
    ]);
    const group = (status: string, provider: string, currency: string, count: number, amount: bigint, amountCaptured: bigint, amountRefunded: bigint) => ({
      status,
      provider,
      currency,
      count,
      amount,
      amountCaptured,
      amountRefunded,
    });
    expect(await kit.store.stats({})).toEqual([
      group("authorized", "paypal", "JPY", 2, 110n, 0n, 0n),
      group("failed", "stripe", "USD", 1, 300n, 0n, 0n),
      group("succeeded", "paypal", "USD", 1, 7n, 7n, 0n),
      group("succeeded", "stripe", "EUR", 1, 20n, 20n, 0n),
      group("succeeded", "stripe", "USD", 2, 3000n, 3000n, 500n),
    ]);
  });

  define("statsWindow", async () => {
    const { store } = kit;
    const T = "2026-03-01T10:00:00.000Z";
    // One group, amounts that name the set they sum: 1 (1 ms before T), 10 (at T), 100 (1 ms after), 1000 (a day after).
    const offsets = [-1, 0, 1, 86_400_000];
    await insertPayments(
      store,
      offsets.map((ms, i) => samplePayment({ amount: 10 ** i, createdAt: plusMs(T, ms), updatedAt: "2026-06-01T00:00:00.000Z" })),
    );
    const summed = async (filter: Parameters<typeof store.stats>[0]) => {
      const rows = await store.stats(filter);
      expect(rows.length, JSON.stringify(filter)).toBeLessThanOrEqual(1);
      return rows[0] === undefined ? "none" : `${rows[0].count}:${rows[0].amount}`;
    };
    expect(await summed({})).toBe("4:1111");
    expect(await summed({ createdFrom: T })).toBe("3:1110");
    expect(await summed({ createdFrom: plusMs(T, 1) })).toBe("2:1100");
    expect(await summed({ createdTo: T })).toBe("1:1");
    expect(await summed({ createdTo: plusMs(T, 1) })).toBe("2:11");
    expect(await summed({ createdTo: plusMs(T, 86_400_000) })).toBe("3:111");
    expect(await summed({ createdFrom: T, createdTo: plusMs(T, 86_400_000) })).toBe("2:110");
    expect(await summed({ createdFrom: plusMs(T, -1), createdTo: plusMs(T, 2) })).toBe("3:111");
    expect(await summed({ createdFrom: "2026-03-02T10:00:00.001Z" })).toBe("none");
    expect(await summed({ createdTo: plusMs(T, -1) })).toBe("none");
  });

  define("statsFollowWrites", async () => {
    const { store } = kit;
    // A store may keep all-time stats as counters beside the rows (the SQL stores do): every write must move them.
    const [a, b, c] = [samplePayment({ amount: 1000 }), samplePayment({ amount: 500 }), samplePayment({ amount: 700, currency: "EUR" })];
    await insertPayments(store, [a, b, c]);
    const move = (payment: Payment, changes: Partial<Payment>) =>
      store.transaction(async (tx) => {
        const current = await tx.getPayment(payment.id);
        return tx.updatePayment({ ...current!, ...changes, version: current!.version + 1 }, current!.version);
      });
    await move(a, { status: "succeeded", amountCaptured: 1000 });
    await move(a, { status: "partially_refunded", amountRefunded: 250 });
    await move(b, { status: "canceled" });
    await move(c, { amount: 650 });
    const allTime = await store.stats({});
    expect(allTime).toEqual([
      { status: "canceled", provider: "simulated", currency: "USD", count: 1, amount: 500n, amountCaptured: 0n, amountRefunded: 0n },
      { status: "partially_refunded", provider: "simulated", currency: "USD", count: 1, amount: 1000n, amountCaptured: 1000n, amountRefunded: 250n },
      { status: "pending", provider: "simulated", currency: "EUR", count: 1, amount: 650n, amountCaptured: 0n, amountRefunded: 0n },
    ]);
    expect(await store.stats({ createdFrom: "1970-01-01T00:00:00.000Z" })).toEqual(allTime);
  });

  define("statsExactPastInt64", async () => {
    const { store } = kit;
    const max = Number.MAX_SAFE_INTEGER;
    // Two pending payments of 2^53 - 1 already sum past 2^53 (what a client alone can create) ...
    await store.transaction(async (tx) => {
      for (let i = 0; i < 2; i++) await tx.insertPayment(samplePayment({ amount: max }));
    });
    expect((await store.stats({})).find((r) => r.status === "pending")).toMatchObject({ count: 2, amount: 2n * BigInt(max), amountCaptured: 0n });
    // ... and 1,100 of them past 2^63, where a 64-bit SUM overflows (1,024 × 2^53 = 2^63).
    const rows = 1100;
    for (let batch = 0; batch < rows / 100; batch++) {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 100; i++) {
          const refunded = (batch * 100 + i) % 2 === 0 ? max - 1 : 0;
          await tx.insertPayment(samplePayment({ status: "partially_refunded", amount: max, amountCaptured: max, amountRefunded: refunded }));
        }
      });
    }
    const big = BigInt(max);
    const row = (await store.stats({})).find((r) => r.status === "partially_refunded");
    expect(row).toEqual({
      status: "partially_refunded",
      provider: "simulated",
      currency: "USD",
      count: rows,
      amount: BigInt(rows) * big,
      amountCaptured: BigInt(rows) * big,
      amountRefunded: BigInt(rows / 2) * (big - 1n),
    });
    expect(row!.amount > 2n ** 63n).toBe(true);
  });
}
