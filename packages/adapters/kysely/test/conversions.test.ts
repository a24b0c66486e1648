import { formatReceiptNumber, isPaymentError } from "@org/payments-core";
import { describe, expect, it } from "vitest";
import { readBoolean, readExactSum, readInteger, readTimestamp, writeInteger, writeTimestamp } from "../src/conversions.js";

describe("checked conversions", () => {
  it("reads int8 in every shape a driver returns, up to Number.MAX_SAFE_INTEGER", () => {
    expect(readInteger("9007199254740991", "c")).toBe(Number.MAX_SAFE_INTEGER);
    expect(readInteger(9007199254740991n, "c")).toBe(Number.MAX_SAFE_INTEGER);
    expect(readInteger(-42, "c")).toBe(-42);
    expect(readInteger("-17", "c")).toBe(-17);
  });

  it("refuses anything that is not exactly a safe integer, loudly", () => {
    for (const bad of ["9007199254740992", 9007199254740993n, "12.5", 12.5, "1e3", "", " 1", null, undefined, {}, Number.NaN]) {
      expect(() => readInteger(bad, "payments.amount")).toThrow(/payments\.amount/);
    }
    try {
      readInteger("99999999999999999999", "payments.amount");
    } catch (error) {
      expect(isPaymentError(error, "internal")).toBe(true);
    }
    expect(() => writeInteger(0.1, "amount")).toThrow();
    expect(() => writeInteger(Number.MAX_SAFE_INTEGER + 1, "amount")).toThrow();
  });

  it("reads sums exactly as bigint in every shape a driver returns, refusing floats and fractions", () => {
    expect(readExactSum("99079191802150901000", "s")).toBe(99079191802150901000n);
    expect(readExactSum(-5n, "s")).toBe(-5n);
    expect(readExactSum(42, "s")).toBe(42n);
    for (const bad of [1.5, 2 ** 60, "12.0", "1e3", "", null, undefined]) expect(() => readExactSum(bad, "stats.amount")).toThrow(/stats\.amount/);
  });

  it("names the column of unusable stored data, never its value", () => {
    try {
      readInteger("4242424242424242424242", "payments.amount");
      expect.unreachable();
    } catch (error) {
      expect(isPaymentError(error, "internal")).toBe(true);
      expect((error as { details?: unknown }).details).toEqual({ column: "payments.amount" });
      expect(JSON.stringify(error) + String(error)).not.toContain("4242424242424242424242");
    }
  });

  it("normalizes timestamps to one ISO-8601 UTC shape, so text order is time order", () => {
    expect(writeTimestamp("2026-03-01T12:00:00+02:00", "t")).toBe("2026-03-01T10:00:00.000Z");
    expect(readTimestamp(new Date("2026-03-01T10:00:00Z"), "t")).toBe("2026-03-01T10:00:00.000Z");
    expect(() => writeTimestamp("yesterday", "t")).toThrow();
  });

  it("passes a canonical timestamp through unchanged, but only if it names a real instant", () => {
    expect(writeTimestamp("2024-02-29T23:59:59.999Z", "t")).toBe("2024-02-29T23:59:59.999Z");
    expect(writeTimestamp("2026-03-01T10:00:00Z", "t")).toBe("2026-03-01T10:00:00.000Z");
    // Canonical in shape only: these take the Date path, exactly as before the shortcut existed.
    for (const odd of ["2026-02-29T00:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-01-01T24:00:00.000Z"]) {
      const viaDate = Number.isNaN(Date.parse(odd)) ? "throws" : new Date(odd).toISOString();
      let written: string;
      try {
        written = writeTimestamp(odd, "t");
      } catch {
        written = "throws";
      }
      expect(written).toBe(viaDate);
    }
  });

  it("reads booleans from PostgreSQL booleans and SQLite integers only", () => {
    expect(readBoolean(true, "b")).toBe(true);
    expect(readBoolean(0n, "b")).toBe(false);
    expect(readBoolean(1, "b")).toBe(true);
    expect(() => readBoolean("true", "b")).toThrow();
  });

  it("formats receipt numbers as R-<year>-<six digits>", () => {
    expect(formatReceiptNumber(2026, 1)).toBe("R-2026-000001");
    expect(formatReceiptNumber(2026, 1234567)).toBe("R-2026-1234567");
  });
});
