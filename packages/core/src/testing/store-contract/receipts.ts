import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import type { PaymentStore, PaymentStoreTx } from "../../ports/payment-store.js";
// The core's own compare-and-set of a payment whose loss fails the transaction, with or without the store's variant.
import { storePaymentOrConflict } from "../../service/apply-gateway-result.js";
import { RACERS } from "../case.js";
import { sampleEvent, sampleHistory, sampleIdempotencyRecord, samplePayment } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { insertPayment, insertPayments } from "./seed.js";

/** Receipt numbers: what `ReceiptsTx` promises (ports/store/receipts.ts): unique, gap-free per year, one per payment. */
export const RECEIPT_CASES = {
  receiptNumbers: "receipt numbers are unique under 10 concurrent allocations and stable per payment",
  receiptNumbersGapFree: "10 racers (across a second store when the harness opens one) get exactly 1..10, each payment asked twice keeping one number",
  receiptYearRollover: "each UTC year counts from 000001 on its own; a payment keeps the number it has when asked in another year",
  receiptRollbackNoGap: "an allocation in a transaction that rolls back releases its number: the next allocation gets it, leaving no gap",
  receiptAtCommitInPlace:
    "a number taken at commit stands in the payment, its references, metadata, history, event, the key's outcome and the transaction's result, and nowhere its stand-in",
  receiptAtCommitGapFree:
    "10 payments each asked twice at once, at commit and at once by racers on alternating stores, get exactly 1..10, each keeping one number",
  receiptAtCommitRollbackNoGap:
    "a number taken at commit by a transaction that fails (an error, a lost compare-and-set) is never taken; a payment that has a number keeps it",
} as const;

/** The store's at-commit allocation, or the immediate one where it has none (as the core falls back). */
const allocateAtCommit = (tx: PaymentStoreTx, paymentId: string, issuedAt: string) =>
  tx.allocateReceiptNumberAtCommit !== undefined ? tx.allocateReceiptNumberAtCommit(paymentId, issuedAt) : tx.allocateReceiptNumber(paymentId, issuedAt);

/** The payment as a settle stores it with `receiptNumber`, which also stands in its references and metadata. */
function settledWith(payment: Payment, receiptNumber: string): Payment {
  return {
    ...payment,
    status: "succeeded",
    amountCaptured: payment.amount,
    receiptNumber,
    references: { ...payment.references, receipt: receiptNumber },
    metadata: { ...payment.metadata, note: `receipt ${receiptNumber} issued` },
    version: payment.version + 1,
    updatedAt: new Date(Date.parse(payment.updatedAt) + 1000).toISOString(),
  };
}

const number = (year: number, sequence: number) => `R-${year}-${String(sequence).padStart(6, "0")}`;
const ISSUED_2026 = "2026-03-04T05:06:07.000Z";

/** Stored payments at `processing`, as a settle finds them. */
async function processingPayments(store: PaymentStore, count: number): Promise<Payment[]> {
  const payments = Array.from({ length: count }, () => samplePayment({ status: "processing" }));
  await insertPayments(store, payments);
  return payments;
}

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

  define("receiptAtCommitInPlace", async () => {
    const { store } = kit;
    const [payment] = await processingPayments(store, 1);
    const record = sampleIdempotencyRecord({ paymentId: payment!.id, recoveryPoint: "gateway_pending" });
    await store.transaction((tx) => tx.insertIdempotencyRecord(record));
    // The stand-in, kept here only to look for it afterwards: a caller must never let it out of the transaction.
    let standIn = "";
    const result = await store.transaction(async (tx) => {
      standIn = await allocateAtCommit(tx, payment!.id, ISSUED_2026);
      const settled = settledWith(payment!, standIn);
      await storePaymentOrConflict(tx, settled, payment!.version);
      await tx.appendHistory([sampleHistory(settled, { from: "processing", reason: `receipt ${standIn}` })]);
      await tx.appendOutbox([sampleEvent(settled, "payment.succeeded", settled.updatedAt)]);
      const finished = { ...record, recoveryPoint: "finished" as const, outcome: { ok: true as const, value: { receiptNumber: standIn } }, lockId: null, lockedAt: null };
      const lost = () => new PaymentError("idempotency_key_in_use", "the key's lock was lost");
      if (tx.updateIdempotencyRecordOrFail !== undefined) await tx.updateIdempotencyRecordOrFail(finished, record.lockId, lost);
      else if (!(await tx.updateIdempotencyRecord(finished, record.lockId))) throw lost();
      return { receiptNumber: standIn, payment: settled, nested: [standIn, { text: `number ${standIn}.` }] };
    });
    const taken = result.receiptNumber;
    expect(taken).toBe(number(2026, 1));
    expect(result.payment.receiptNumber).toBe(taken);
    expect(result.payment.references["receipt"]).toBe(taken);
    expect(result.nested).toEqual([taken, { text: `number ${taken}.` }]);
    const stored = await store.getPayment(payment!.id);
    expect(stored?.receiptNumber).toBe(taken);
    expect(stored?.references).toEqual({ ...payment!.references, receipt: taken });
    expect(stored?.metadata["note"]).toBe(`receipt ${taken} issued`);
    expect((await store.listPayments({ reference: { key: "receipt", value: taken } }, { limit: 10 })).items.map((p) => p.id)).toEqual([payment!.id]);
    const history = await store.listHistory(payment!.id);
    expect(history.at(-1)?.reason).toBe(`receipt ${taken}`);
    const events = (await store.listOutbox({ limit: 10_000 })).filter((entry) => entry.event.paymentId === payment!.id && entry.event.type === "payment.succeeded");
    expect(events.map((entry) => entry.event.data.payment?.references["receipt"])).toEqual([taken]);
    const kept = await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key));
    expect(kept?.outcome).toEqual({ ok: true, value: { receiptNumber: taken } });
    // Asked again, the payment keeps its number.
    expect(await store.transaction((tx) => tx.allocateReceiptNumber(payment!.id, ISSUED_2026))).toBe(taken);
    if (standIn !== taken) {
      const everything = JSON.stringify([stored, history, events, kept, await store.listPayments({}, { limit: 100 })]);
      expect(everything.includes(standIn), "the stand-in was stored").toBe(false);
    }
  });

  define("receiptAtCommitGapFree", async () => {
    const payments = await processingPayments(kit.store, RACERS);
    // Every payment asked twice at once, by racers on the two stores: at commit (settling the payment with the
    // number, as the core does) and at once. Payment i is asked at asks i and i + RACERS: one of the two at commit.
    const asks = [...payments, ...payments].map((payment, i) => ({ payment, racer: i < RACERS ? i : i + 1, atCommit: (i < RACERS) === (i % 2 === 0) }));
    const numbers = await Promise.all(
      asks.map(({ payment, racer, atCommit }) =>
        kit.racer(racer).transaction(async (tx) => {
          if (!atCommit) return tx.allocateReceiptNumber(payment.id, ISSUED_2026);
          // Read first, as a settle does: the number is then taken with the settle's last statement.
          const current = await tx.getPayment(payment.id);
          const taken = await allocateAtCommit(tx, payment.id, ISSUED_2026);
          // The other ask may have taken the number first: the payment then keeps it.
          if (current?.status === "processing") await storePaymentOrConflict(tx, settledWith(current, taken), current.version);
          return taken;
        }),
      ),
    );
    for (let i = 0; i < RACERS; i++) expect(numbers[i + RACERS], `payment ${i} asked twice`).toBe(numbers[i]);
    expect([...numbers.slice(0, RACERS)].sort()).toEqual(Array.from({ length: RACERS }, (_, i) => number(2026, i + 1)));
    for (const [i, payment] of payments.entries()) {
      const stored = await kit.store.getPayment(payment.id);
      if (stored?.status === "succeeded") expect(stored.receiptNumber, `payment ${i}`).toBe(numbers[i]);
    }
    const [next] = await processingPayments(kit.store, 1);
    expect(await kit.store.transaction((tx) => allocateAtCommit(tx, next!.id, ISSUED_2026))).toBe(number(2026, RACERS + 1));
  });

  define("receiptAtCommitRollbackNoGap", async () => {
    const { store } = kit;
    const [a, b, c, d] = await processingPayments(store, 4);
    expect(await store.transaction((tx) => tx.allocateReceiptNumber(a!.id, ISSUED_2026))).toBe(number(2026, 1));
    await expect(
      store.transaction(async (tx) => {
        const taken = await allocateAtCommit(tx, b!.id, ISSUED_2026);
        await storePaymentOrConflict(tx, settledWith(b!, taken), b!.version);
        // A read of what the settle wrote: a store holding the writes sends them, and takes the number, before it.
        await tx.getPayment(b!.id);
        throw new Error("settlement failed after the number was taken");
      }),
    ).rejects.toThrow("settlement failed");
    // A compare-and-set lost beside the number: the version moved under the settle.
    await store.transaction((tx) => storePaymentOrConflict(tx, { ...c!, version: c!.version + 1, updatedAt: new Date().toISOString() }, c!.version));
    await expect(
      store.transaction(async (tx) => {
        const taken = await allocateAtCommit(tx, c!.id, ISSUED_2026);
        await storePaymentOrConflict(tx, settledWith(c!, taken), c!.version);
        await tx.appendOutbox([sampleEvent(c!, "payment.succeeded")]);
        return taken;
      }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect((await store.getPayment(b!.id))?.receiptNumber).toBeNull();
    expect((await store.getPayment(c!.id))?.receiptNumber).toBeNull();
    // Neither number was taken: the next goes on from 1, and a payment that has its number keeps it.
    expect(await store.transaction((tx) => allocateAtCommit(tx, d!.id, ISSUED_2026))).toBe(number(2026, 2));
    expect(await store.transaction((tx) => allocateAtCommit(tx, a!.id, ISSUED_2026))).toBe(number(2026, 1));
    expect(await store.transaction((tx) => allocateAtCommit(tx, b!.id, ISSUED_2026))).toBe(number(2026, 3));
  });
}
