import { describe, expect, it } from "vitest";
import type { StatsRow } from "../src/ports/payment-store.js";
import { summarizeStats } from "../src/service/stats.js";

const max = BigInt(Number.MAX_SAFE_INTEGER);
const row = (overrides: Partial<StatsRow>): StatsRow => ({
  status: "succeeded",
  provider: "simulated",
  currency: "USD",
  count: 1,
  amount: 0n,
  amountCaptured: 0n,
  amountRefunded: 0n,
  ...overrides,
});

describe("summarizeStats", () => {
  it("totals exactly past 2^53 and 2^63, as decimal strings of minor units that JSON carries unrounded", () => {
    const rows = [
      row({ status: "pending", count: 2, amount: 2n * max }),
      row({ status: "succeeded", count: 1100, amount: 1100n * max, amountCaptured: 1100n * max, amountRefunded: 550n * (max - 1n) }),
      row({ status: "refunded", count: 1, amount: max, amountCaptured: max, amountRefunded: max }),
    ];
    const stats = summarizeStats(rows);
    expect(stats.rows[0]).toEqual({ status: "pending", provider: "simulated", currency: "USD", count: 2, amount: "18014398509481982", amountCaptured: "0", amountRefunded: "0" });
    const usd = stats.byCurrency[0]!;
    expect(usd).toEqual({
      currency: "USD",
      count: 1103,
      captured: (1101n * max).toString(),
      refunded: (550n * (max - 1n) + max).toString(),
      netRevenue: (1101n * max - 550n * (max - 1n) - max).toString(),
    });
    expect(BigInt(usd.captured) > 2n ** 63n).toBe(true);
    // The whole answer is plain JSON and reads back digit for digit.
    const json = JSON.parse(JSON.stringify(stats)) as typeof stats;
    expect(json).toEqual(stats);
    expect(stats.byStatus).toEqual({ pending: 2, succeeded: 1100, refunded: 1 });
  });

  it("keeps currencies apart, sorted by code", () => {
    const stats = summarizeStats([row({ currency: "USD", amountCaptured: 5n }), row({ currency: "EUR", amountCaptured: 7n, amountRefunded: 9n })]);
    expect(stats.byCurrency.map((c) => [c.currency, c.captured, c.netRevenue])).toEqual([
      ["EUR", "7", "-2"],
      ["USD", "5", "5"],
    ]);
  });
});
