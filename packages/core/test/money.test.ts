import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CURRENCY_EXPONENTS } from "../src/money/currencies.js";
import { allocate, assertMinorUnits, formatMoney, parseMajorUnits, toMajorUnitsString } from "../src/money/money.js";

const currencies = [...CURRENCY_EXPONENTS.keys()];

describe("money", () => {
  it("round-trips every safe amount through its decimal string in every currency", () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencies), fc.maxSafeInteger(), fc.boolean(), (currency, amount, negative) => {
        const value = negative && amount !== 0 ? -amount : amount;
        expect(parseMajorUnits(toMajorUnitsString(value, currency), currency)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("uses ISO 4217 exponents", () => {
    expect(toMajorUnitsString(1234, "JPY")).toBe("1234");
    expect(toMajorUnitsString(1234, "USD")).toBe("12.34");
    expect(toMajorUnitsString(1234, "KWD")).toBe("1.234");
    expect(toMajorUnitsString(5, "CLF")).toBe("0.0005");
    expect(parseMajorUnits("10", "USD")).toBe(1000);
    expect(parseMajorUnits("10.5", "USD")).toBe(1050);
  });

  it("refuses more decimals than the currency has, rather than rounding", () => {
    expect(() => parseMajorUnits("10.005", "USD")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
    expect(() => parseMajorUnits("1.5", "JPY")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
    expect(() => parseMajorUnits("1e3", "USD")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
    expect(() => parseMajorUnits("90071992547409.92", "USD")).toThrow(expect.objectContaining({ code: "invalid_amount" }));
  });

  it("accepts only safe integers as amounts", () => {
    for (const bad of [1.5, "100", Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity, null, undefined, 10n, -1, 0]) {
      expect(() => assertMinorUnits(bad)).toThrow(expect.objectContaining({ code: "invalid_amount" }));
    }
    expect(assertMinorUnits(0, { allowZero: true })).toBe(0);
    expect(assertMinorUnits(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("formats for people without floating point", () => {
    expect(formatMoney(123456789, "USD")).toBe("USD 1,234,567.89");
    expect(formatMoney(-50, "EUR")).toBe("-EUR 0.50");
    expect(formatMoney(1000, "JPY")).toBe("JPY 1,000");
  });

  it("allocation loses no minor unit and gives each part its fair share within one unit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((s, p) => s + BigInt(p), 0n)).toBe(BigInt(total));
          const sum = weights.reduce((s, w) => s + BigInt(w), 0n);
          parts.forEach((part, i) => {
            const exactFloor = (BigInt(total) * BigInt(weights[i]!)) / sum;
            expect(BigInt(part) - exactFloor >= 0n && BigInt(part) - exactFloor <= 1n).toBe(true);
          });
        },
      ),
      { numRuns: 1000 },
    );
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });
});
