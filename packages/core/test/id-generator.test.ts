import { describe, expect, it } from "vitest";
import { ulidIdGenerator } from "../src/ports/id-generator.js";

describe("ULID ids", () => {
  it("are unique and strictly increasing in creation order, even within one millisecond", () => {
    const ids = ulidIdGenerator();
    const made = Array.from({ length: 20_000 }, () => ids.newId("pay"));
    expect(new Set(made).size).toBe(made.length);
    for (let i = 1; i < made.length; i++) expect(made[i]! > made[i - 1]!).toBe(true);
    for (const id of made.slice(0, 100)) expect(id).toMatch(/^pay_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("draw their randomness evenly across the alphabet", () => {
    const counts = new Map<string, number>();
    // Separate generators start a fresh random tail each millisecond; the last character of a fresh id is random.
    for (let i = 0; i < 32_000; i++) {
      const last = ulidIdGenerator().newId("x").slice(-1);
      counts.set(last, (counts.get(last) ?? 0) + 1);
    }
    expect(counts.size).toBe(32);
    for (const count of counts.values()) expect(count).toBeGreaterThan(700);
  });
});
