import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import { isPaymentError } from "../../errors/index.js";
import { RACERS } from "../case.js";
import { sampleEvent, sampleHistory, sampleIdempotencyRecord, sampleInboxEvent, samplePayment, sampleRefund, testId } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { refusal } from "./refusal.js";
import { insertPayment, listedIds } from "./seed.js";

/** Payments and their history: what `PaymentsTx` and `PaymentReads` promise (ports/store/payments.ts). */
export const PAYMENT_CASES = {
  paymentRoundTrip: "stores a payment and reads back every field, on insert and on update, including the largest safe amount",
  paymentCompareAndSet: "exactly one of 10 concurrent version-guarded updates of a payment wins",
  stalePaymentUpdate: "an update with a stale version changes nothing",
  guardedUpdateConflict:
    "updatePaymentOrConflict (optional): of 10 racers on one version one transaction commits, the others fail with conflict keeping none of their writes; so does a stale one",
  transactionRollback: "a transaction that throws leaves no payment, history or outbox row behind",
  historyOrder: "history reads back in the order appended, also when the timestamps are equal and the ids sort the other way",
  providerLookup: "finds a payment by provider and provider payment id",
  providerLookupOldest: "of two payments naming one provider payment id, the lookup finds the oldest (lowest id), whatever the insertion order",
  duplicatePaymentId: "a second insert of a payment or refund id is refused with conflict, also for 10 concurrent inserters; the stored one is untouched",
} as const;

/** A payment with every field set, none to its default: a store that drops or mistypes one cannot read it back. */
function paymentWithEveryField(): Payment {
  return {
    ...samplePayment(),
    owner: "owner_every_field",
    amount: 123_456,
    currency: "JPY",
    status: "partially_refunded",
    provider: "stripe",
    providerPaymentId: "pi_every_field",
    paymentMethodId: "pm_card_visa",
    paymentMethodType: "card",
    checkoutSessionId: "cs_every_field",
    customerId: "cus_every_field",
    customerEmail: "b@example.test",
    references: { booking: "bk_9", order: "ord 7" },
    description: "Ride to the airport",
    captureMethod: "manual",
    amountCaptured: 100_000,
    amountRefunded: 40_000,
    amountRefundReserved: 10_000,
    authorizationExpiresAt: "2026-03-08T10:00:00.789Z",
    nextAction: { type: "use_sdk", clientSecret: "pi_every_field_secret_test" },
    lastError: { code: "card_declined", declineCode: "do_not_honor", message: "Declined" },
    disputed: true,
    lineItems: [
      { code: "base", description: "Base fare", amount: 100_000, kind: "charge", quantity: "12.5 km" },
      { code: "promo", description: "Promotion", amount: 6_544, kind: "discount" },
      { code: "tax", description: "Tax", amount: 30_000, kind: "tax" },
    ],
    metadata: { source: "contract", channel: "app" },
    receiptNumber: "R-2026-000042",
    createdAt: "2026-03-01T10:00:00.123Z",
    updatedAt: "2026-03-01T10:00:01.456Z",
    version: 1,
  };
}

export function definePaymentCases(define: DefineCase<keyof typeof PAYMENT_CASES>, kit: StoreUnderTest): void {
  define("paymentRoundTrip", async () => {
    const { store, harness } = kit;
    const payment = samplePayment({
      amount: Number.MAX_SAFE_INTEGER,
      currency: "KWD",
      references: { booking: "bk_1", trip: "trip 2 – ü" },
      metadata: { source: "contract" },
      lineItems: [{ code: "base_fare", description: "Base fare", amount: Number.MAX_SAFE_INTEGER, kind: "charge" }],
      nextAction: { type: "redirect", url: "https://example.test/3ds" },
      lastError: { code: "card_declined", declineCode: "generic_decline", message: "declined" },
      customerEmail: "a@example.test",
      captureMethod: "manual",
      authorizationExpiresAt: "2026-02-01T00:00:00.000Z",
      disputed: true,
    });
    await insertPayment(store, payment);
    expect(await store.getPayment(payment.id)).toEqual(payment);
    const raw = await harness.readBack.payment(payment.id);
    expect(raw).toMatchObject({ status: "pending", amount: Number.MAX_SAFE_INTEGER, version: 1 });
    expect(await harness.readBack.historyCount(payment.id)).toBe(1);
    expect(await harness.readBack.outboxCount(payment.id)).toBe(1);
    expect(await store.getPayment("pay_missing")).toBeNull();

    // Every field set, and every field left at its default (nulls, empty objects and lists stay what they are).
    const full = paymentWithEveryField();
    const plain = samplePayment();
    await insertPayment(store, full);
    await insertPayment(store, plain);
    expect(await store.getPayment(full.id)).toEqual(full);
    expect(await store.transaction((tx) => tx.getPayment(full.id))).toEqual(full);
    expect(await store.getPayment(plain.id)).toEqual(plain);
    expect(await harness.readBack.payment(full.id)).toEqual({
      status: "partially_refunded",
      amount: 123_456,
      amountCaptured: 100_000,
      amountRefunded: 40_000,
      amountRefundReserved: 10_000,
      version: 1,
    });

    // An update stores every field of the new state (id and createdAt never change): set ones cleared, cleared set.
    const cleared: Payment = {
      ...full,
      status: "refunded",
      owner: "owner_changed",
      amount: 123_000,
      currency: "EUR",
      provider: "paypal",
      providerPaymentId: "pi_changed",
      paymentMethodId: null,
      paymentMethodType: null,
      checkoutSessionId: null,
      customerId: null,
      customerEmail: null,
      references: { trip: "tr_changed" },
      description: null,
      captureMethod: "automatic",
      amountCaptured: 123_000,
      amountRefunded: 123_000,
      amountRefundReserved: 0,
      authorizationExpiresAt: null,
      nextAction: null,
      lastError: null,
      disputed: false,
      lineItems: [],
      metadata: {},
      receiptNumber: null,
      updatedAt: "2026-03-02T00:00:00.001Z",
      version: 2,
    };
    expect(await store.transaction((tx) => tx.updatePayment(cleared, 1))).toEqual(cleared);
    expect(await store.getPayment(full.id)).toEqual(cleared);
    expect(await harness.readBack.payment(full.id)).toEqual({
      status: "refunded",
      amount: 123_000,
      amountCaptured: 123_000,
      amountRefunded: 123_000,
      amountRefundReserved: 0,
      version: 2,
    });
    const refilled: Payment = { ...paymentWithEveryField(), id: plain.id, createdAt: plain.createdAt, version: 2 };
    expect(await store.transaction((tx) => tx.updatePayment(refilled, 1))).toEqual(refilled);
    expect(await store.getPayment(plain.id)).toEqual(refilled);

    expect(await harness.readBack.payment(plain.id)).toMatchObject({ amountRefundReserved: 10_000, version: 2 });

    // Read and updated in one transaction (and updated twice), as the core does: a store may then set only the
    // columns that changed, and must still set every change — cleared to null, emptied, JSON that shrank.
    const emptied: Payment = { ...cleared, id: plain.id, createdAt: plain.createdAt, version: 3, updatedAt: "2026-03-03T00:00:00.000Z" };
    const renamed: Payment = { ...emptied, description: "after", metadata: { only: "one" }, version: 4 };
    await store.transaction(async (tx) => {
      const current = await tx.getPayment(plain.id);
      expect(await tx.updatePayment(emptied, current!.version)).toEqual(emptied);
      expect(await tx.updatePayment(renamed, emptied.version)).toEqual(renamed);
    });
    expect(await store.getPayment(plain.id)).toEqual(renamed);
    // The references changed in that transaction too: the lists find the payment by the new one, not the old.
    expect(await listedIds(store, { reference: { key: "trip", value: "tr_changed" } })).toContain(plain.id);
    expect(await listedIds(store, { reference: { key: "booking", value: "bk_9" } })).not.toContain(plain.id);
  });

  define("paymentCompareAndSet", async () => {
    const { store, harness } = kit;
    const payment = await insertPayment(store, samplePayment());
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        kit.racer(i).transaction((tx) => tx.updatePayment({ ...payment, status: "processing", description: `racer ${i}`, version: 2 }, 1)),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    const raw = await harness.readBack.payment(payment.id);
    expect(raw).toMatchObject({ status: "processing", version: 2 });
    expect((await store.getPayment(payment.id))?.description).toBe(winners[0]?.description);
  });

  define("stalePaymentUpdate", async () => {
    const { store, harness } = kit;
    const payment = await insertPayment(store, samplePayment());
    await store.transaction((tx) => tx.updatePayment({ ...payment, status: "processing", version: 2 }, 1));
    const stale = await store.transaction((tx) => tx.updatePayment({ ...payment, status: "canceled", version: 2 }, 1));
    expect(stale).toBeNull();
    expect(await harness.readBack.payment(payment.id)).toMatchObject({ status: "processing", version: 2 });
  });

  define("guardedUpdateConflict", async (context) => {
    const { store, harness } = kit;
    const probe = await store.transaction(async (tx) => tx.updatePaymentOrConflict !== undefined);
    if (!probe) return context.skip("the store has no updatePaymentOrConflict (optional: the core falls back to updatePayment)");
    const payment = await insertPayment(store, samplePayment());
    const historyBefore = await harness.readBack.historyCount(payment.id);
    const outboxBefore = await harness.readBack.outboxCount(payment.id);
    // Each racer holds an idempotency record of its own, which it finishes after the guarded update.
    const records = Array.from({ length: RACERS }, (_, i) => sampleIdempotencyRecord({ key: `guarded-${payment.id}-${i}`, paymentId: payment.id }));
    await store.transaction(async (tx) => {
      for (const record of records) await tx.insertIdempotencyRecord(record);
    });
    // Each racer writes after the guarded update, as the core does: a loser must keep none of it — not its history,
    // its event, nor its record's completion (a store that sends them in one statement with the guard included).
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, (_, i) =>
        kit.racer(i).transaction(async (tx) => {
          const next = { ...payment, status: "processing" as const, description: `racer ${i}`, version: 2 };
          const stored = await tx.updatePaymentOrConflict!(next, 1);
          await tx.appendHistory([sampleHistory(payment)]);
          await tx.appendOutbox([sampleEvent(payment)]);
          const record = records[i]!;
          const finished = { ...record, recoveryPoint: "finished" as const, lockId: null, lockedAt: null, outcome: { ok: true as const, value: i } };
          if (!(await tx.updateIdempotencyRecord(finished, record.lockId))) throw new Error(`racer ${i} lost its own record`);
          return { stored, racer: i };
        }),
      ),
    );
    const winners = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const losers = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    for (const loser of losers) expect(isPaymentError(loser) && loser.code, String(loser)).toBe("conflict");
    expect(winners[0]!.stored).toMatchObject({ status: "processing", version: 2 });
    expect(await store.getPayment(payment.id)).toEqual(winners[0]!.stored);
    for (const [i, record] of records.entries()) {
      const stored = await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key));
      expect(stored?.recoveryPoint, `racer ${i}`).toBe(i === winners[0]!.racer ? "finished" : record.recoveryPoint);
    }
    expect(await harness.readBack.historyCount(payment.id)).toBe(historyBefore + 1);
    expect(await harness.readBack.outboxCount(payment.id)).toBe(outboxBefore + 1);

    // Stale: the version moved on; the transaction fails and its other writes go with it.
    await expect(
      store.transaction(async (tx) => {
        await tx.updatePaymentOrConflict!({ ...payment, status: "canceled", version: 2 }, 1);
        await tx.appendHistory([sampleHistory(payment)]);
      }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(await harness.readBack.payment(payment.id)).toMatchObject({ status: "processing", version: 2 });
    expect(await harness.readBack.historyCount(payment.id)).toBe(historyBefore + 1);
  });

  define("transactionRollback", async () => {
    const { store, harness } = kit;
    const payment = samplePayment();
    await expect(
      store.transaction(async (tx) => {
        await tx.insertPayment(payment);
        await tx.appendHistory([sampleHistory(payment)]);
        await tx.appendOutbox([sampleEvent(payment)]);
        await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: `rollback-${payment.id}` }));
        await tx.insertInboxEvent(sampleInboxEvent({ eventId: `evt_rollback_${payment.id}` }));
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await store.getPayment(payment.id)).toBeNull();
    expect(await harness.readBack.payment(payment.id)).toBeNull();
    expect(await harness.readBack.historyCount(payment.id)).toBe(0);
    expect(await harness.readBack.outboxCount(payment.id)).toBe(0);
    expect(await harness.readBack.idempotencyRecord("user_1", `rollback-${payment.id}`)).toBeNull();
    expect(await harness.readBack.inboxEvent("stripe", `evt_rollback_${payment.id}`)).toBeNull();
  });

  define("historyOrder", async () => {
    const { store, harness } = kit;
    const payment = samplePayment();
    const other = samplePayment();
    const at = "2026-03-01T10:00:00.000Z";
    // Ids made first and handed out last to first: ordering by id (or by time, all equal) reverses the list.
    const ids = Array.from({ length: 5 }, () => testId("his")).reverse();
    const entries = [
      sampleHistory(payment, { id: ids[0]!, from: null, to: "pending", at }),
      sampleHistory(payment, { id: ids[1]!, from: "pending", to: "processing", at, details: { attempt: 1 } }),
      sampleHistory(payment, { id: ids[2]!, from: "processing", to: "authorized", at, actor: "system", reason: "webhook" }),
      sampleHistory(payment, { id: ids[3]!, from: "authorized", to: "succeeded", at, kind: "correction", reason: "reconcile", details: { drift: { provider: "succeeded" } } }),
      sampleHistory(payment, { id: ids[4]!, from: "succeeded", to: "partially_refunded", at }),
    ];
    await store.transaction(async (tx) => {
      await tx.insertPayment(payment);
      await tx.insertPayment(other);
      await tx.appendHistory(entries.slice(0, 2));
      await tx.appendHistory([sampleHistory(other, { at })]);
      await tx.appendHistory(entries.slice(2, 4));
    });
    await store.transaction((tx) => tx.appendHistory(entries.slice(4)));
    expect(await store.listHistory(payment.id)).toEqual(entries);
    expect(await harness.readBack.historyCount(payment.id)).toBe(5);
    expect(await store.listHistory(other.id)).toHaveLength(1);
    expect(await store.listHistory("pay_missing")).toEqual([]);
  });

  define("providerLookup", async () => {
    const { store } = kit;
    // Two providers may issue the same id. Each lookup must find its own provider's payment, whichever is older:
    // a lookup by the provider payment id alone would answer the older one both times.
    const stripe = await insertPayment(store, samplePayment({ provider: "stripe", providerPaymentId: "pi_123" }));
    const paypal = await insertPayment(store, samplePayment({ provider: "paypal", providerPaymentId: "pi_123" }));
    expect((await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_123")))?.id).toBe(stripe.id);
    expect((await store.transaction((tx) => tx.findPaymentByProviderId("paypal", "pi_123")))?.id).toBe(paypal.id);
    expect(await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_none"))).toBeNull();
  });

  define("providerLookupOldest", async () => {
    const { store } = kit;
    // Ids sort by creation time: `older` is the first payment that named pi_twice, `newer` a later attempt.
    const older = samplePayment({ provider: "stripe", providerPaymentId: "pi_twice" });
    const newer = samplePayment({ provider: "stripe", providerPaymentId: "pi_twice" });
    expect(older.id < newer.id).toBe(true);
    // Inserted newest first, in separate transactions: neither insertion order nor row order decides.
    await insertPayment(store, newer);
    await insertPayment(store, older);
    await insertPayment(store, samplePayment({ provider: "paypal", providerPaymentId: "pi_twice" }));
    expect((await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_twice")))?.id).toBe(older.id);
    // An update of the newer one (a later version) changes nothing either.
    expect(await store.transaction((tx) => tx.updatePayment({ ...newer, description: "touched", version: 2 }, 1))).not.toBeNull();
    expect((await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_twice")))?.id).toBe(older.id);
  });

  define("duplicatePaymentId", async () => {
    const { store } = kit;
    const payment = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
    const twin = { ...payment, description: "a second insert", amount: 1 };
    expect(await refusal(() => store.transaction((tx) => tx.insertPayment(twin)), payment.id, "")).toBe("conflict");
    expect(await store.getPayment(payment.id)).toEqual(payment);
    // A racer that lost is told `conflict` (it may re-read), never a driver error.
    const contested = samplePayment();
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, (_, i) => kit.racer(i).transaction((tx) => tx.insertPayment({ ...contested, description: `racer ${i}` }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect(isPaymentError(result.reason, "conflict"), String(result.reason)).toBe(true);
    }
    const winner = results.findIndex((r) => r.status === "fulfilled");
    expect((await store.getPayment(contested.id))?.description).toBe(`racer ${winner}`);
    // Refund ids: the same rule (refunds.ts holds the rest of the refund promises).
    const refund = sampleRefund(payment, { amount: 100 });
    await store.transaction((tx) => tx.insertRefund(refund));
    expect(await refusal(() => store.transaction((tx) => tx.insertRefund({ ...refund, amount: 200 })), refund.id, "")).toBe("conflict");
    expect(await store.listRefunds(payment.id)).toEqual([refund]);
  });
}
