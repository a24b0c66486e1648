import { expect } from "vitest";
import type { Refund } from "../../domain/payment.js";
import { RACERS } from "../case.js";
import { sampleHistory, samplePayment, sampleRefund } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { refusal } from "./refusal.js";
import { insertPayment } from "./seed.js";

/** Refunds: what `RefundsTx` and `RefundReads` promise (ports/store/refunds.ts), and the reservation they rely on. */
export const REFUND_CASES = {
  refundReservationRace: "10 concurrent refund reservations never reserve more than was captured",
  historyAndRefunds: "history and refunds read back in insertion order",
  refundRoundTrip: "stores a refund and its update with every field, and lists only the payment's own refunds",
  missingRefundUpdate: "an update of a refund that does not exist is refused with not_found and stores nothing",
  refundByProviderId: "finds a refund by its provider's id among that provider's payments only, the oldest of several, null for none",
} as const;

export function defineRefundCases(define: DefineCase<keyof typeof REFUND_CASES>, kit: StoreUnderTest): void {
  define("refundReservationRace", async () => {
    const { store, harness } = kit;
    const payment = await insertPayment(store, samplePayment({ status: "succeeded", amount: 1000, amountCaptured: 1000 }));
    const reserve = async (racer: number) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const outcome = await kit.racer(racer).transaction(async (tx) => {
          const current = await tx.getPayment(payment.id);
          if (!current) throw new Error("payment vanished");
          if (current.amountCaptured - current.amountRefunded - current.amountRefundReserved < 300) return "refused";
          const next = { ...current, amountRefundReserved: current.amountRefundReserved + 300, version: current.version + 1 };
          if (!(await tx.updatePayment(next, current.version))) return "retry";
          await tx.insertRefund(sampleRefund(current, { amount: 300 }));
          return "reserved";
        });
        if (outcome !== "retry") return outcome;
      }
      return "gave_up";
    };
    const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => reserve(i)));
    expect(results.filter((r) => r === "reserved")).toHaveLength(3);
    expect(results.filter((r) => r === "refused")).toHaveLength(RACERS - 3);
    expect(await harness.readBack.payment(payment.id)).toMatchObject({ amountRefundReserved: 900, amountCaptured: 1000 });
    expect(await store.listRefunds(payment.id)).toHaveLength(3);
  });

  define("historyAndRefunds", async () => {
    const { store } = kit;
    const payment = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
    const later = sampleHistory(payment, { from: "pending", to: "processing", reason: "confirmed", details: { attempt: 1 } });
    const refundA = sampleRefund(payment, { amount: 100 });
    const refundB = sampleRefund(payment, { amount: 200 });
    await store.transaction(async (tx) => {
      await tx.appendHistory([later]);
      await tx.insertRefund(refundA);
      await tx.insertRefund(refundB);
    });
    const settled = { ...refundA, status: "succeeded" as const, providerRefundId: "re_1" };
    await store.transaction((tx) => tx.updateRefund(settled));
    const history = await store.listHistory(payment.id);
    expect(history).toHaveLength(2);
    expect(history[1]).toEqual(later);
    expect(await store.listRefunds(payment.id)).toEqual([settled, refundB]);
    expect(await store.transaction((tx) => tx.getRefund(refundB.id))).toEqual(refundB);
  });

  define("refundRoundTrip", async () => {
    const { store } = kit;
    const payment = await insertPayment(store, samplePayment({ status: "succeeded", amount: 9000, amountCaptured: 9000, currency: "KWD" }));
    const other = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
    const refund: Refund = {
      ...sampleRefund(payment),
      amount: Number.MAX_SAFE_INTEGER,
      currency: "KWD",
      status: "failed",
      reason: "duplicate charge\nsecond line",
      actor: "admin_7",
      providerRefundId: "re_every_field",
      failure: { code: "refund_failed", declineCode: "expired_card", message: "the card is closed" },
      createdAt: "2026-03-01T10:00:00.123Z",
      updatedAt: "2026-03-01T10:00:05.456Z",
    };
    const pending = sampleRefund(payment, { amount: 1, createdAt: "2026-03-01T10:00:01.000Z", updatedAt: "2026-03-01T10:00:01.000Z" });
    const othersRefund = sampleRefund(other, { amount: 700 });
    await store.transaction(async (tx) => {
      await tx.insertRefund(refund);
      await tx.insertRefund(othersRefund);
      await tx.insertRefund(pending);
    });
    expect(await store.transaction((tx) => tx.getRefund(refund.id))).toEqual(refund);
    // Set fields cleared, cleared ones set (id, payment and createdAt never change).
    const cleared: Refund = { ...refund, amount: 4500, status: "pending", reason: "requested_by_customer", actor: "user_1", providerRefundId: null, failure: null, updatedAt: "2026-03-02T00:00:00.001Z" };
    const settled: Refund = { ...pending, status: "succeeded", providerRefundId: "re_settled", failure: null, updatedAt: "2026-03-02T00:00:00.002Z" };
    await store.transaction(async (tx) => {
      await tx.updateRefund(cleared);
      await tx.updateRefund(settled);
    });
    expect(await store.transaction((tx) => tx.getRefund(refund.id))).toEqual(cleared);
    expect(await store.listRefunds(payment.id)).toEqual([cleared, settled]);
    expect(await store.listRefunds(other.id)).toEqual([othersRefund]);
    expect(await store.listRefunds("pay_missing")).toEqual([]);
  });

  define("missingRefundUpdate", async () => {
    const { store } = kit;
    const payment = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
    const missing = sampleRefund(payment, { status: "succeeded", providerRefundId: "re_missing" });
    expect(await refusal(() => store.transaction((tx) => tx.updateRefund(missing)), missing.id, "")).toBe("not_found");
    expect(await store.listRefunds(payment.id)).toEqual([]);
    expect(await store.transaction((tx) => tx.getRefund(missing.id))).toBeNull();
  });

  define("refundByProviderId", async () => {
    const { store } = kit;
    const stripe = await insertPayment(store, samplePayment({ provider: "stripe", status: "succeeded", amount: 1000, amountCaptured: 1000 }));
    const paypal = await insertPayment(store, samplePayment({ provider: "paypal", status: "succeeded", amount: 1000, amountCaptured: 1000 }));
    const first = sampleRefund(stripe, { providerRefundId: "re_1" });
    const second = sampleRefund(stripe, { providerRefundId: "re_2" });
    // The same id at another provider is another object: it never answers for stripe's.
    const paypalsOwn = sampleRefund(paypal, { providerRefundId: "re_1" });
    const unnamed = sampleRefund(stripe);
    const laterTwin = sampleRefund(stripe, { providerRefundId: "re_1" });
    // Inserted newest first: the oldest (lowest id) answers, whatever the insertion order.
    await store.transaction(async (tx) => {
      for (const refund of [laterTwin, unnamed, paypalsOwn, second, first]) await tx.insertRefund(refund);
    });
    expect(await store.findRefundByProviderId("stripe", "re_1")).toEqual(first);
    expect(await store.findRefundByProviderId("stripe", "re_2")).toEqual(second);
    expect(await store.findRefundByProviderId("paypal", "re_1")).toEqual(paypalsOwn);
    expect(await store.findRefundByProviderId("paypal", "re_2")).toBeNull();
    expect(await store.findRefundByProviderId("stripe", "re_3")).toBeNull();
    expect(await store.findRefundByProviderId("stripe", "re_")).toBeNull();
    expect(await store.findRefundByProviderId("stripe", "re_1\u0000")).toBeNull();
    expect(await store.findRefundByProviderId("stripe", "\ud800")).toBeNull();
  });
}
