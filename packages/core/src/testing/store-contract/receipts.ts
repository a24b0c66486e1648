import { expect } from "vitest";
import { RACERS } from "../case.js";
import { samplePayment } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { insertPayment, insertPayments } from "./seed.js";

/** Receipt numbers: what `ReceiptsTx` promises (ports/store/receipts.ts): unique, gap-free per year, one per payment. */
export const RECEIPT_CASES = {
  receiptNumbers: "receipt numbers are unique under 10 concurrent allocations and stable per payment",
  receiptNumbersGapFree: "10 racers (across a second store when the harness opens one) get exactly 1..10, each payment asked twice keeping one number",
  receiptYearRollover: "each UTC year counts from 000001 on its own; a payment keeps the number it has when asked in another year",
  receiptRollbackNoGap: "an allocation in a transaction that rolls back releases its number: the next allocation gets it, leaving no gap",
} as const;

const number = (year: number, sequence: number) => `R-${year}-${String(sequence).padStart(6, "0")}`;
const ISSUED_2026 = "2026-03-04T05:06:07.000Z";

export function defineReceiptCases(define: DefineCase<keyof typeof RECEIPT_CASES>, kit: StoreUnderTest): void {
  define("receiptNumbers", async () => {
    const { store } = kit;
    const payments = await Promise.all(Array.from({ length: RACERS }, () => insertPayment(store, samplePayment())));
    const numbers = await Promise.all(payments.map((p) => store.transaction((tx) => tx.allocateReceiptNumber(p.id, ISSUED_2026))));
    expect(new Set(numbers).size).toBe(RACERS);
    for (const n of numbers) expect(n).toMatch(/^R-2026-\d{6}$/);
    const again = await store.transaction((tx) => tx.allocateReceiptNumber(payments[0]!.id, ISSUED_2026));
    expect(again).toBe(numbers[0]);
  });

  define("receiptNumbersGapFree", async () => {
    const payments = Array.from({ length: RACERS }, () => samplePayment({ status: "succeeded" }));
    await insertPayments(kit.store, payments);
    // Every payment asked twice at once, by racers on alternating stores: a repeat must neither take a second
    // number nor burn one.
    const asks = [...payments, ...payments].map((payment, i) => ({ payment, racer: i }));
    const numbers = await Promise.all(asks.map(({ payment, racer }) => kit.racer(racer).transaction((tx) => tx.allocateReceiptNumber(payment.id, ISSUED_2026))));
    for (let i = 0; i < RACERS; i++) expect(numbers[i + RACERS], `payment ${i} asked twice`).toBe(numbers[i]);
    expect([...numbers.slice(0, RACERS)].sort()).toEqual(Array.from({ length: RACERS }, (_, i) => number(2026, i + 1)));
    // The counter goes on from there.
    const next = await insertPayment(kit.store, samplePayment({ status: "succeeded" }));
    expect(await kit.store.transaction((tx) => tx.allocateReceiptNumber(next.id, ISSUED_2026))).toBe(number(2026, RACERS + 1));
  });

  define("receiptYearRollover", async () => {
    const { store } = kit;
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => samplePayment({ status: "succeeded" }));
    await insertPayments(store, [a!, b!, c!, d!, e!]);
    const allocate = (id: string, issuedAt: string) => store.transaction((tx) => tx.allocateReceiptNumber(id, issuedAt));
    expect(await allocate(a!.id, "2026-12-31T23:59:59.999Z")).toBe(number(2026, 1));
    expect(await allocate(b!.id, "2027-01-01T00:00:00.000Z")).toBe(number(2027, 1));
    // The year is the UTC year of the instant, whatever zone it is written in.
    expect(await allocate(c!.id, "2027-01-01T00:30:00.000+01:00")).toBe(number(2026, 2));
    expect(await allocate(d!.id, "2027-06-01T00:00:00.000Z")).toBe(number(2027, 2));
    // Asked again in another year, a payment keeps its number, and that year's counter is not advanced.
    expect(await allocate(a!.id, "2027-02-01T00:00:00.000Z")).toBe(number(2026, 1));
    expect(await allocate(e!.id, "2027-02-01T00:00:00.000Z")).toBe(number(2027, 3));
  });

  define("receiptRollbackNoGap", async () => {
    const { store } = kit;
    const [a, b, c] = Array.from({ length: 3 }, () => samplePayment({ status: "succeeded" }));
    await insertPayments(store, [a!, b!, c!]);
    expect(await store.transaction((tx) => tx.allocateReceiptNumber(a!.id, ISSUED_2026))).toBe(number(2026, 1));
    let inside: string | undefined;
    await expect(
      store.transaction(async (tx) => {
        inside = await tx.allocateReceiptNumber(b!.id, ISSUED_2026);
        throw new Error("settlement failed after the number was taken");
      }),
    ).rejects.toThrow("settlement failed");
    expect(inside).toBe(number(2026, 2));
    // Released: the next payment gets 2, and b (whose allocation rolled back) has no number, so it gets a new one.
    expect(await store.transaction((tx) => tx.allocateReceiptNumber(c!.id, ISSUED_2026))).toBe(number(2026, 2));
    expect(await store.transaction((tx) => tx.allocateReceiptNumber(b!.id, ISSUED_2026))).toBe(number(2026, 3));
  });
}
