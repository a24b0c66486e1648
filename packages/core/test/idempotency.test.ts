import { describe, expect, it } from "vitest";
import { PaymentError, isPaymentError } from "../src/errors/index.js";
import type { PaymentStore, PaymentStoreTx } from "../src/ports/payment-store.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { ctx, setup } from "./helpers.js";

/** A store whose next settle transaction dies, as if the process crashed between the gateway call and phase 3. */
class CrashingStore extends MemoryPaymentStore {
  crashNextTransactionAfter = -1;
  override transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
    if (this.crashNextTransactionAfter === 0) {
      this.crashNextTransactionAfter = -1;
      return Promise.reject(new Error("process crashed"));
    }
    if (this.crashNextTransactionAfter > 0) this.crashNextTransactionAfter--;
    return super.transaction(work);
  }
}

async function pendingPayment(service: ReturnType<typeof setup>["service"], key = "create-1") {
  return (await service.createPayment({ owner: "user_1", amount: 4200, currency: "USD" }, ctx(key))).payment;
}

describe("idempotency of service calls", () => {
  it("50 concurrent confirms under one key make one gateway charge; the rest are identical replays or in-use", async () => {
    const { service, gateway } = setup();
    const payment = await pendingPayment(service);
    gateway.injectFault({ kind: "delay", ms: 20, operation: "createPayment" });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-1"))),
    );
    expect(gateway.chargesFor(payment.id)).toBe(1);
    const fulfilled = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const rejected = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    expect(fulfilled.filter((r) => !r.replayed)).toHaveLength(1);
    for (const r of fulfilled) expect(r.payment).toEqual(fulfilled[0]!.payment);
    for (const error of rejected) expect(isPaymentError(error, "idempotency_key_in_use")).toBe(true);
    // Once finished, every retry is a replay of the same outcome.
    const replay = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-1"));
    expect(replay).toEqual({ payment: fulfilled[0]!.payment, replayed: true });
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("the same key with other parameters is idempotency_key_reused and changes nothing", async () => {
    const { service, store } = setup();
    await service.createPayment({ owner: "user_1", amount: 100, currency: "USD" }, ctx("k"));
    await expect(service.createPayment({ owner: "user_1", amount: 101, currency: "USD" }, ctx("k"))).rejects.toMatchObject({
      code: "idempotency_key_reused",
    });
    expect((await store.listPayments({}, { limit: 10 })).items).toHaveLength(1);
  });

  it("keys are scoped by principal: two owners' identical keys never collide", async () => {
    const { service } = setup();
    const a = await service.createPayment({ owner: "alice", amount: 100, currency: "USD" }, ctx("same", "alice"));
    const b = await service.createPayment({ owner: "bob", amount: 100, currency: "USD" }, ctx("same", "bob"));
    expect(a.payment.id).not.toBe(b.payment.id);
    expect(b.replayed).toBe(false);
  });

  it("a replay is equal to the first outcome, for errors too", async () => {
    const { service } = setup();
    const payment = await pendingPayment(service);
    const first = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("c")).catch((e) => e);
    const second = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("c")).catch((e) => e);
    expect(first).toBeInstanceOf(PaymentError);
    expect(first).toMatchObject({ code: "card_declined", declineCode: "generic_decline", replayed: false });
    expect(second).toMatchObject({ code: "card_declined", declineCode: "generic_decline", replayed: true });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it("a refusal a corrected request may get past is not stored: the same key then carries the corrected request", async () => {
    const { service } = setup();
    // validation_error inside the operation (this provider needs a payment method): the key stays free.
    const pending = await pendingPayment(service);
    await expect(service.confirmPayment(pending.id, {}, ctx("confirm-fixed"))).rejects.toMatchObject({ code: "validation_error" });
    const confirmed = await service.confirmPayment(pending.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-fixed"));
    expect(confirmed).toMatchObject({ replayed: false, payment: { status: "succeeded" } });
    // invalid_amount inside the operation (more than was authorized): likewise.
    const manual = (await service.createPayment({ owner: "user_1", amount: 4200, currency: "USD", captureMethod: "manual" }, ctx("create-m"))).payment;
    await service.confirmPayment(manual.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-m"));
    await expect(service.capturePayment(manual.id, { amount: 5000 }, ctx("capture-fixed"))).rejects.toMatchObject({ code: "invalid_amount" });
    const captured = await service.capturePayment(manual.id, { amount: 4200 }, ctx("capture-fixed"));
    expect(captured).toMatchObject({ replayed: false, payment: { status: "succeeded", amountCaptured: 4200 } });
  });

  it("finished records expire after their TTL and are swept; a key is then new again", async () => {
    const { service, store, clock } = setup();
    await service.createPayment({ owner: "user_1", amount: 100, currency: "USD" }, ctx("ttl"));
    clock.advance(24 * 3_600_000 + 1);
    expect(await store.deleteExpiredIdempotencyRecords(clock.now().toISOString())).toBe(1);
    const again = await service.createPayment({ owner: "user_1", amount: 100, currency: "USD" }, ctx("ttl"));
    expect(again.replayed).toBe(false);
    expect((await store.listPayments({}, { limit: 10 })).items).toHaveLength(2);
  });

  it("an unfinished record left at gateway_pending is never swept", async () => {
    const { service, store, gateway, clock } = setup();
    const payment = await pendingPayment(service);
    gateway.injectFault({ kind: "server_error", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({
      code: "gateway_outcome_unknown",
    });
    clock.advance(365 * 24 * 3_600_000);
    await store.deleteExpiredIdempotencyRecords(clock.now().toISOString());
    expect(await store.transaction((tx) => tx.getIdempotencyRecord("user_1", "c"))).toMatchObject({ recoveryPoint: "gateway_pending" });
  });

  it("rejects missing, empty and over-long keys before anything changes", async () => {
    const { service, store } = setup();
    for (const key of ["", "x".repeat(256)]) {
      await expect(service.createPayment({ owner: "u", amount: 1, currency: "USD" }, ctx(key))).rejects.toMatchObject({ code: "validation_error" });
    }
    expect((await store.listPayments({}, { limit: 10 })).items).toHaveLength(0);
  });
});

describe("crash safety", () => {
  it("a lost gateway response leaves the payment at gateway_pending; a client retry with the key charges once", async () => {
    const { service, gateway } = setup();
    const payment = await pendingPayment(service);
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({
      code: "gateway_outcome_unknown",
      httpStatus: 503,
    });
    expect((await service.getPayment(payment.id)).status).toBe("processing");
    const retried = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(retried.payment.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a crash after gateway success and before settle: the lock is respected, then recovery charges exactly once", async () => {
    const store = new CrashingStore();
    const { service, gateway, clock } = setup({ store });
    const payment = await pendingPayment(service);
    store.crashNextTransactionAfter = 1; // the claim commits; the settle transaction dies
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toThrow("process crashed");
    expect(gateway.chargesFor(payment.id)).toBe(1);
    // The dead holder's lock is still fresh: a retry right now must not run beside it.
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({
      code: "idempotency_key_in_use",
    });
    clock.advance(60_000);
    const report = await service.recoverStale({ olderThanMs: 30_000 });
    expect(report.settled).toEqual([{ scope: "user_1", key: "c", paymentId: payment.id, ok: true, code: undefined }]);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
    // Recovery twice, and the client's retry afterwards, change nothing.
    expect((await service.recoverStale({ olderThanMs: 0 })).examined).toBe(0);
    const retry = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(retry.replayed).toBe(true);
    expect(gateway.chargesFor(payment.id)).toBe(1);
    expect((await service.getPaymentDetails(payment.id)).history.map((h) => h.to)).toEqual(["pending", "processing", "succeeded"]);
  });

  it("a crash before settle, retried by the client after the lock went stale, charges exactly once", async () => {
    const store = new CrashingStore();
    const { service, gateway, clock } = setup({ store });
    const payment = await pendingPayment(service);
    store.crashNextTransactionAfter = 1;
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toThrow();
    clock.advance(61_000);
    const retried = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(retried).toMatchObject({ replayed: false, payment: { status: "succeeded" } });
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("past the provider's key retention, recovery finds the charge by payment id instead of charging again", async () => {
    const store = new CrashingStore();
    const { service, gateway, clock } = setup({ store, keyRetentionMs: 3_600_000 });
    const payment = await pendingPayment(service);
    store.crashNextTransactionAfter = 1;
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toThrow();
    clock.advance(2 * 3_600_000);
    const report = await service.recoverStale({ olderThanMs: 60_000 });
    expect(report.settled).toHaveLength(1);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("past retention with nothing at the provider, recovery creates the charge once", async () => {
    const { service, gateway, clock } = setup({ keyRetentionMs: 3_600_000 });
    const payment = await pendingPayment(service);
    gateway.injectFault({ kind: "server_error", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    expect(gateway.chargesFor(payment.id)).toBe(0);
    clock.advance(2 * 3_600_000);
    await service.recoverStale({ olderThanMs: 60_000 });
    expect(gateway.chargesFor(payment.id)).toBe(1);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
  });

  it("a lost refund response is recovered into exactly one refund", async () => {
    const { service, gateway, clock } = setup();
    const payment = await pendingPayment(service);
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    gateway.injectFault({ kind: "lose_response", operation: "refund" });
    await expect(service.refundPayment(payment.id, { amount: 1000, reason: "late" }, ctx("r"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    expect((await service.getPayment(payment.id)).amountRefundReserved).toBe(1000);
    clock.advance(60_000);
    await service.recoverStale({ olderThanMs: 30_000 });
    const after = await service.getPayment(payment.id);
    expect(after).toMatchObject({ amountRefunded: 1000, amountRefundReserved: 0, status: "partially_refunded" });
    const object = gateway.listObjects().find((o) => o.paymentId === payment.id);
    expect(object?.refunds).toHaveLength(1);
  });

  it("recovery beside a concurrent client retry settles once", async () => {
    const { service, gateway, clock } = setup();
    const payment = await pendingPayment(service);
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toThrow();
    clock.advance(60_000);
    gateway.injectFault({ kind: "delay", ms: 10 });
    const [recovery, retry] = await Promise.allSettled([
      service.recoverStale({ olderThanMs: 1000 }),
      service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c")),
    ]);
    expect(recovery.status).toBe("fulfilled");
    if (retry.status === "rejected") expect(retry.reason).toMatchObject({ code: "idempotency_key_in_use" });
    const details = await service.getPaymentDetails(payment.id);
    expect(details.history.map((h) => h.to)).toEqual(["pending", "processing", "succeeded"]);
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });
});

export type { PaymentStore };
