import { describe, expect, it } from "vitest";
import { decorateStore } from "../src/decorate/index.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
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
});
