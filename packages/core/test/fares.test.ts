import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quoteCancellation, quoteFare } from "../src/fares/quote-fare.js";
import { multiplyRoundHalfUp, parseExactDecimal, roundHalfUp } from "../src/money/decimal.js";

const tariff = { name: "city", currency: "USD", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 99, cancellationFee: 500, taxRate: "0.0875", maxSurge: "3" };

describe("fares", () => {
  it("itemizes a ride, rounding each line once, half-up", () => {
    const quote = quoteFare(tariff, { distanceMeters: 5400, durationSeconds: 780 });
    expect(quote.lines.map((l) => [l.code, l.amount])).toEqual([
      ["base_fare", 250],
      ["distance", 648], // 120 × 5.4
      ["time", 390], // 30 × 13
      ["booking_fee", 99],
      ["tax", 121], // 1387 × 0.0875 = 121.3625
    ]);
    expect(quote).toMatchObject({ subtotal: 1387, tax: 121, total: 1508 });
  });

  it("applies surge to ride lines only and rounds half-up exactly at .5", () => {
    const quote = quoteFare({ ...tariff, taxRate: "0", bookingFee: 0 }, { distanceMeters: 1000, durationSeconds: 60, surge: "1.25" });
    // 250 × 1.25 = 312.5 → 313; 120 × 1 × 1.25 = 150; 30 × 1 × 1.25 = 37.5 → 38
    expect(quote.lines.map((l) => l.amount)).toEqual([313, 150, 38, 199]);
    expect(quote.lines[3]?.code).toBe("minimum_fare_adjustment");
    expect(quote.total).toBe(700);
  });

  it("refuses a surge outside the tariff's range, floats and unknown fields", () => {
    expect(() => quoteFare(tariff, { distanceMeters: 1, durationSeconds: 1, surge: "3.5" })).toThrow(expect.objectContaining({ code: "validation_error" }));
    expect(() => quoteFare(tariff, { distanceMeters: 1.5, durationSeconds: 1 })).toThrow(expect.objectContaining({ code: "validation_error" }));
    expect(() => quoteFare({ ...tariff, baseFare: 2.5 }, { distanceMeters: 1, durationSeconds: 1 })).toThrow(expect.objectContaining({ code: "validation_error" }));
    expect(() => quoteFare({ ...tariff, taxRate: 0.1 } as never, { distanceMeters: 1, durationSeconds: 1 })).toThrow(expect.objectContaining({ code: "validation_error" }));
    expect(() => quoteFare({ ...tariff, extra: 1 } as never, { distanceMeters: 1, durationSeconds: 1 })).toThrow(expect.objectContaining({ code: "validation_error" }));
  });

  it("quotes a cancellation fee with tax", () => {
    const quote = quoteCancellation(tariff);
    expect(quote.lines.map((l) => [l.code, l.amount])).toEqual([["cancellation_fee", 500], ["tax", 44]]);
    expect(quote.total).toBe(544);
  });

  it("the total always equals the sum of the lines", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000 }), fc.constantFrom("1", "1.1", "1.25", "2.999"), (m, s, surge) => {
        const quote = quoteFare(tariff, { distanceMeters: m, durationSeconds: s, surge });
        expect(quote.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(quote.total);
        expect(quote.total).toBeGreaterThanOrEqual(700 + 99);
      }),
    );
  });

  it("rounds half-up without floats", () => {
    expect(roundHalfUp(5n, 2n)).toBe(3);
    expect(roundHalfUp(-5n, 2n)).toBe(-3);
    expect(roundHalfUp(4n, 3n)).toBe(1);
    expect(multiplyRoundHalfUp(1000, [parseExactDecimal("0.0875")])).toBe(88); // 87.5 → 88
    expect(multiplyRoundHalfUp(10, [parseExactDecimal("0.1"), parseExactDecimal("0.2")])).toBe(0);
  });
});
