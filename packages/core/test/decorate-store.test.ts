import { describe, expect, it } from "vitest";
import { decorateStore } from "../src/decorate/index.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { createPaymentService } from "../src/service/payment-service.js";
import { createSimulatedGateway } from "../src/simulated/index.js";
import { samplePayment } from "../src/testing/fixtures.js";

describe("decorateStore", () => {
  it("replaces only the members it names and forwards the rest of a class instance, inside transactions too", async () => {
    const inner = new MemoryPaymentStore();
    const calls: string[] = [];
    const store = decorateStore(inner, {
      store: (base) => ({ getPayment: async (id) => (calls.push(`store.get ${id}`), base.getPayment(id)) }),
      tx: (tx) => ({ insertPayment: async (payment) => (calls.push(`tx.insert ${payment.id}`), tx.insertPayment(payment)) }),
    });
    const payment = samplePayment();
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      // Not overridden: forwarded to the inner transaction, bound to it.
      expect(await tx.getPayment(payment.id)).toEqual(payment);
    });
    expect(await store.getPayment(payment.id)).toEqual(payment);
    expect((await store.listPayments({}, { limit: 10 })).items).toHaveLength(1);
    expect(store.capabilities).toBe(inner.capabilities);
    expect(calls).toEqual([`tx.insert ${payment.id}`, `store.get ${payment.id}`]);
  });

  it("keeps the inner transaction's atomicity: a decorated write that throws leaves nothing behind", async () => {
    const inner = new MemoryPaymentStore();
    const store = decorateStore(inner, { tx: () => ({}) });
    const payment = samplePayment();
    await expect(
      store.transaction(async (tx) => {
        await tx.insertPayment(payment);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await inner.getPayment(payment.id)).toBeNull();
  });

  it("a decorated member is not gone round: the variant the core prefers to it is hidden unless decorated too", async () => {
    const calls: string[] = [];
    const store = decorateStore(new MemoryPaymentStore(), {
      tx: (tx) => ({
        updatePayment: (next, version) => (calls.push("updatePayment"), tx.updatePayment(next, version)),
        allocateReceiptNumber: (id, at) => (calls.push("allocateReceiptNumber"), tx.allocateReceiptNumber(id, at)),
        updateIdempotencyRecord: (next, lockId) => (calls.push("updateIdempotencyRecord"), tx.updateIdempotencyRecord(next, lockId)),
      }),
    });
    await store.transaction(async (tx) => {
      expect(tx.updatePaymentOrConflict).toBeUndefined();
      expect(tx.allocateReceiptNumberAtCommit).toBeUndefined();
      expect(tx.updateIdempotencyRecordOrFail).toBeUndefined();
    });
    // A whole charge: every payment update, its receipt number and its key's updates went through the decoration.
    const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
    const { payment } = await service.createPayment({ owner: "user_1", amount: 1000, currency: "USD" }, { scope: "user_1", idempotencyKey: "c" });
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_1", idempotencyKey: "k" });
    expect(confirmed.payment.receiptNumber).toMatch(/^R-/);
    expect(new Set(calls)).toEqual(new Set(["updatePayment", "allocateReceiptNumber", "updateIdempotencyRecord"]));
  });
});
