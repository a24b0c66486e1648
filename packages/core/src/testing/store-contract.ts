import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Payment } from "../domain/payment.js";
import { type PaymentErrorCode, isPaymentError } from "../errors/index.js";
import type { PaymentStore } from "../ports/payment-store.js";
import type { StoreHarness } from "./harness.js";
import {
  LOOKALIKE_TEXT,
  hostileTexts,
  lineBreakTexts,
  sampleEvent,
  sampleHistory,
  sampleIdempotencyRecord,
  sampleInboxEvent,
  samplePayment,
  sampleRefund,
  testId,
} from "./fixtures.js";

/** Every rule of the store contract, by key; an adapter may skip one only with a reason (checked by the compiler). */
export const STORE_CONTRACT_TESTS = {
  paymentRoundTrip: "stores a payment and reads back every field, including the largest safe amount",
  paymentCompareAndSet: "exactly one of 10 concurrent version-guarded updates of a payment wins",
  stalePaymentUpdate: "an update with a stale version changes nothing",
  transactionRollback: "a transaction that throws leaves no payment, history or outbox row behind",
  idempotencyInsertRace: "exactly one of 10 concurrent inserts of the same idempotency key wins",
  idempotencyLockRace: "exactly one of 10 concurrent lock takeovers of an idempotency record wins",
  idempotencyRoundTrip: "stores an idempotency record with its outcome and gateway request and reads it back",
  refundReservationRace: "10 concurrent refund reservations never reserve more than was captured",
  receiptNumbers: "receipt numbers are unique under 10 concurrent allocations and stable per payment",
  inboxFirstSeen: "exactly one of 10 concurrent inserts of the same webhook event wins; it reads back as stored",
  inboxCompareAndSet: "exactly one of 10 concurrent status updates of an inbox event wins; a stale one changes nothing",
  inboxList: "lists inbox events by status, payment (either id), event id and age, oldest first",
  historyAndRefunds: "history and refunds read back in insertion order",
  providerLookup: "finds a payment by provider and provider payment id",
  providerLookupOldest: "of two payments naming one provider payment id, the lookup finds the oldest (lowest id), whatever the insertion order",
  duplicatePaymentId: "a second insert of a payment or refund id is refused with conflict, also for 10 concurrent inserters; the stored one is untouched",
  missingRefundUpdate: "an update of a refund that does not exist is refused with not_found and stores nothing",
  listFiltersAndCursor: "lists by filter and pages with a cursor without gaps or repeats",
  stats: "groups counts and amounts by status, provider and currency",
  statsExactPastInt64: "sums stats exactly however many rows: 1,100 payments of 2^53 - 1 sum past 2^63",
  hostileTextWrites: "refuses a write holding NUL, a control or a lone surrogate with validation_error naming the field; nothing is stored",
  freeTextLineBreaks: "keeps line breaks in descriptions and reasons, refuses them in single-line fields, and keeps look-alike text verbatim",
  hostileTextLookups: "answers a lookup or filter by text no row can hold with null or an empty list, never another error",
  filterInstants: "refuses a filter instant that is not a date or an ISO 8601 time with validation_error",
  invalidCursor: "refuses a cursor it did not issue (garbage, truncated, edited, hostile, an old raw id) with invalid_cursor",
  updatedFromFilter: "lists payments with activity at or after an instant, whenever they were created",
  outboxOrderPerPayment: "offers only the oldest undelivered event of each payment, in order",
  outboxRetryHoldsBack: "an event waiting for retry or dead holds back its payment's later events and no other's",
  outboxLeaseRace: "10 concurrent claimers never lease the same event twice",
  outboxRetryDead: "exactly one of 10 concurrent operator retries of a dead event wins; it is offered again, attempts kept",
  outboxSkipDead: "exactly one of 10 concurrent operator skips of a dead event wins; the payment's later events flow again",
  pendingAndExpiredRecords: "lists records left at gateway_pending and sweeps only expired finished ones",
  purge: "purges delivered outbox events and processed inbox events, never an unprocessed one",
} as const;

export type StoreContractTest = keyof typeof STORE_CONTRACT_TESTS;

export interface StoreContractOptions {
  /** Tests this adapter cannot honour, each with the reason (shown in the report). */
  skip?: Partial<Record<StoreContractTest, string>>;
}

const RACERS = 10;

/**
 * Awaits `work` and returns the PaymentError code it was refused with. Anything else — success, a driver error, a
 * PaymentError whose message or details repeat `echoed` (it may be card data) — fails the test with the input named.
 */
async function refusal(work: () => Promise<unknown>, input: string, echoed: string = input): Promise<PaymentErrorCode> {
  const label = JSON.stringify(input);
  let result: unknown;
  try {
    result = await work();
  } catch (error) {
    if (!isPaymentError(error)) throw new Error(`input ${label}: refused with a non-PaymentError: ${String(error)}`, { cause: error });
    const escaped = JSON.stringify(echoed).slice(1, -1);
    if (echoed.length >= 3 && (error.message.includes(echoed) || JSON.stringify(error.details ?? {}).includes(escaped))) {
      throw new Error(`input ${label}: the error repeats the value`);
    }
    return error.code;
  }
  throw new Error(`input ${label}: accepted (${JSON.stringify(result)?.slice(0, 200)}), expected a refusal`);
}

async function insertPayment(store: PaymentStore, payment: Payment): Promise<Payment> {
  await store.transaction(async (tx) => {
    await tx.insertPayment(payment);
    await tx.appendHistory([sampleHistory(payment)]);
    await tx.appendOutbox([sampleEvent(payment)]);
  });
  return payment;
}

/**
 * The conformance suite every `PaymentStore` runs: `describeStoreContract("postgres", async () => harness)`. State
 * is reset before every test, results are read back through the harness's raw access, and every concurrency promise
 * of the port is raced with ten callers at once.
 */
export function describeStoreContract(name: string, setup: () => Promise<StoreHarness>, options: StoreContractOptions = {}): void {
  describe(`PaymentStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: PaymentStore;

    beforeAll(async () => {
      harness = await setup();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.dispose();
    });
    beforeEach(async () => {
      await harness.reset();
    });

    const rule = (key: StoreContractTest, body: () => Promise<void>) => {
      const reason = options.skip?.[key];
      if (reason) it.skip(`${STORE_CONTRACT_TESTS[key]} (skipped: ${reason})`, body);
      else it(STORE_CONTRACT_TESTS[key], body);
    };

    rule("paymentRoundTrip", async () => {
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
    });

    rule("paymentCompareAndSet", async () => {
      const payment = await insertPayment(store, samplePayment());
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.transaction((tx) =>
            tx.updatePayment({ ...payment, status: "processing", description: `racer ${i}`, version: 2 }, 1),
          ),
        ),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const raw = await harness.readBack.payment(payment.id);
      expect(raw).toMatchObject({ status: "processing", version: 2 });
      expect((await store.getPayment(payment.id))?.description).toBe(winners[0]?.description);
    });

    rule("stalePaymentUpdate", async () => {
      const payment = await insertPayment(store, samplePayment());
      await store.transaction((tx) => tx.updatePayment({ ...payment, status: "processing", version: 2 }, 1));
      const stale = await store.transaction((tx) => tx.updatePayment({ ...payment, status: "canceled", version: 2 }, 1));
      expect(stale).toBeNull();
      expect(await harness.readBack.payment(payment.id)).toMatchObject({ status: "processing", version: 2 });
    });

    rule("transactionRollback", async () => {
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

    rule("idempotencyInsertRace", async () => {
      const key = `race-${testId("k")}`;
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key, lockId: `lock_${i}` }))),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await harness.readBack.idempotencyRecord("user_1", key)).toMatchObject({ lockId: `lock_${winner}` });
    });

    rule("idempotencyLockRace", async () => {
      const record = sampleIdempotencyRecord({ lockId: "lock_dead" });
      await store.transaction((tx) => tx.insertIdempotencyRecord(record));
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.transaction((tx) => tx.updateIdempotencyRecord({ ...record, lockId: `lock_${i}` }, "lock_dead")),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await harness.readBack.idempotencyRecord(record.scope, record.key))?.lockId).toBe(`lock_${results.indexOf(true)}`);
      // null matches only an unlocked record
      expect(await store.transaction((tx) => tx.updateIdempotencyRecord({ ...record, lockId: "x" }, null))).toBe(false);
    });

    rule("idempotencyRoundTrip", async () => {
      const record = sampleIdempotencyRecord({
        recoveryPoint: "gateway_pending",
        paymentId: "pay_1",
        gatewayKey: "pay_1:confirm",
        gatewayRequest: { op: "create", amount: Number.MAX_SAFE_INTEGER, nested: { a: [1, "two"] } },
        gatewaySentAt: "2026-01-01T00:00:00.000Z",
        gatewayAttempts: 3,
        lastGatewayError: { code: "gateway_outcome_unknown", message: "lost", details: { sameKeyReplays: true } },
        flaggedAt: "2026-01-02T00:00:00.000Z",
        outcomeUnknownSince: "2026-01-01T00:00:01.000Z",
        gatewayLastSentAt: "2026-01-01T00:00:02.000Z",
      });
      await store.transaction((tx) => tx.insertIdempotencyRecord(record));
      expect(await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key))).toEqual(record);
      const finished = {
        ...record,
        recoveryPoint: "finished" as const,
        lockId: null,
        lockedAt: null,
        outcome: { ok: false as const, error: { code: "card_declined" as const, message: "declined", declineCode: "generic_decline" } },
      };
      expect(await store.transaction((tx) => tx.updateIdempotencyRecord(finished, record.lockId))).toBe(true);
      expect(await store.transaction((tx) => tx.getIdempotencyRecord(record.scope, record.key))).toEqual(finished);
      expect(await harness.readBack.idempotencyRecord(record.scope, record.key)).toEqual({ lockId: null, recoveryPoint: "finished" });
      expect(await store.transaction((tx) => tx.getIdempotencyRecord("someone_else", record.key))).toBeNull();
    });

    rule("refundReservationRace", async () => {
      const payment = await insertPayment(store, samplePayment({ status: "succeeded", amount: 1000, amountCaptured: 1000 }));
      const reserve = async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const outcome = await store.transaction(async (tx) => {
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
      const results = await Promise.all(Array.from({ length: RACERS }, reserve));
      expect(results.filter((r) => r === "reserved")).toHaveLength(3);
      expect(results.filter((r) => r === "refused")).toHaveLength(RACERS - 3);
      expect(await harness.readBack.payment(payment.id)).toMatchObject({ amountRefundReserved: 900, amountCaptured: 1000 });
      expect(await store.listRefunds(payment.id)).toHaveLength(3);
    });

    rule("receiptNumbers", async () => {
      const payments = await Promise.all(Array.from({ length: RACERS }, () => insertPayment(store, samplePayment())));
      const numbers = await Promise.all(
        payments.map((p) => store.transaction((tx) => tx.allocateReceiptNumber(p.id, "2026-03-04T05:06:07.000Z"))),
      );
      expect(new Set(numbers).size).toBe(RACERS);
      for (const number of numbers) expect(number).toMatch(/^R-2026-\d{6}$/);
      const again = await store.transaction((tx) => tx.allocateReceiptNumber(payments[0]!.id, "2026-03-04T05:06:07.000Z"));
      expect(again).toBe(numbers[0]);
    });

    rule("inboxFirstSeen", async () => {
      const eventId = testId("evt");
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, lastError: `racer ${i}` }))),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      const stored = await store.transaction((tx) => tx.getInboxEvent("stripe", eventId));
      expect(stored?.lastError).toBe(`racer ${winner}`);
      // The parsed event round-trips whole, its amounts exact.
      expect(stored).toEqual(sampleInboxEvent({ eventId, lastError: `racer ${winner}`, paymentId: stored!.paymentId, receivedAt: stored!.receivedAt }));
      expect(await harness.readBack.inboxEvent("stripe", eventId)).toEqual({ status: "received", attempts: 0 });
      // The key is (provider, event id): another provider's event with the same id is new.
      expect(await store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, provider: "paypal" })))).toBe(true);
      expect(await store.transaction((tx) => tx.getInboxEvent("stripe", "evt_missing"))).toBeNull();
    });

    rule("inboxCompareAndSet", async () => {
      const event = sampleInboxEvent();
      await store.transaction((tx) => tx.insertInboxEvent(event));
      const processedAt = "2026-01-01T00:00:00.000Z";
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.transaction((tx) =>
            tx.updateInboxEvent({ ...event, status: "processed", attempts: 1, processedAt, outcome: `racer ${i}` }, { status: "received", attempts: 0 }),
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await store.transaction((tx) => tx.getInboxEvent(event.provider, event.eventId));
      expect(stored).toMatchObject({ status: "processed", attempts: 1, processedAt, outcome: `racer ${results.indexOf(true)}` });
      expect(await harness.readBack.inboxEvent(event.provider, event.eventId)).toEqual({ status: "processed", attempts: 1 });
      // Stale on either half of the guard: nothing changes.
      expect(await store.transaction((tx) => tx.updateInboxEvent({ ...event, status: "failed", attempts: 2 }, { status: "received", attempts: 1 }))).toBe(false);
      expect(await store.transaction((tx) => tx.updateInboxEvent({ ...event, status: "failed", attempts: 2 }, { status: "processed", attempts: 0 }))).toBe(false);
      expect(await harness.readBack.inboxEvent(event.provider, event.eventId)).toEqual({ status: "processed", attempts: 1 });
    });

    rule("inboxList", async () => {
      const pay = testId("pay");
      const events = [
        sampleInboxEvent({ receivedAt: "2026-01-01T00:00:03.000Z", status: "held", paymentId: pay, providerPaymentId: null }),
        sampleInboxEvent({ receivedAt: "2026-01-01T00:00:01.000Z", status: "held", paymentId: null, providerPaymentId: "pi_list" }),
        sampleInboxEvent({ receivedAt: "2026-01-01T00:00:02.000Z", status: "processed", processedAt: "2026-01-01T00:00:02.000Z" }),
        sampleInboxEvent({ receivedAt: "2026-01-01T00:00:04.000Z", status: "failed", paymentId: pay }),
      ];
      await store.transaction(async (tx) => {
        for (const e of events) await tx.insertInboxEvent(e);
      });
      const ids = (list: { eventId: string }[]) => list.map((e) => e.eventId);
      const [e0, e1, e2, e3] = events.map((e) => e.eventId);
      expect(ids(await store.listInboxEvents({ limit: 10 }))).toEqual([e1, e2, e0, e3]);
      expect(ids(await store.listInboxEvents({ status: "held", limit: 10 }))).toEqual([e1, e0]);
      expect(ids(await store.listInboxEvents({ status: ["held", "failed"], limit: 10 }))).toEqual([e1, e0, e3]);
      expect(ids(await store.listInboxEvents({ status: ["held", "failed"], limit: 2 }))).toEqual([e1, e0]);
      expect(ids(await store.listInboxEvents({ paymentId: pay, limit: 10 }))).toEqual([e0, e3]);
      expect(ids(await store.listInboxEvents({ providerPaymentId: "pi_list", limit: 10 }))).toEqual([e1]);
      expect(ids(await store.listInboxEvents({ status: "held", forPayment: { paymentId: pay, providerPaymentId: "pi_list" }, limit: 10 }))).toEqual([e1, e0]);
      expect(ids(await store.listInboxEvents({ forPayment: { paymentId: pay, providerPaymentId: null }, limit: 10 }))).toEqual([e0, e3]);
      expect(ids(await store.listInboxEvents({ eventId: e2!, limit: 10 }))).toEqual([e2]);
      expect(ids(await store.listInboxEvents({ receivedBefore: "2026-01-01T00:00:03.000Z", limit: 10 }))).toEqual([e1, e2]);
      expect(await store.listInboxEvents({ provider: "paypal", limit: 10 })).toEqual([]);
    });

    rule("historyAndRefunds", async () => {
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

    rule("providerLookup", async () => {
      const payment = await insertPayment(store, samplePayment({ provider: "stripe", providerPaymentId: "pi_123" }));
      await insertPayment(store, samplePayment({ provider: "paypal", providerPaymentId: "pi_123" }));
      expect((await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_123")))?.id).toBe(payment.id);
      expect(await store.transaction((tx) => tx.findPaymentByProviderId("stripe", "pi_none"))).toBeNull();
    });

    rule("providerLookupOldest", async () => {
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

    rule("duplicatePaymentId", async () => {
      const payment = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
      const twin = { ...payment, description: "a second insert", amount: 1 };
      expect(await refusal(() => store.transaction((tx) => tx.insertPayment(twin)), payment.id, "")).toBe("conflict");
      expect(await store.getPayment(payment.id)).toEqual(payment);
      // A racer that lost is told `conflict` (it may re-read), never a driver error.
      const contested = samplePayment();
      const results = await Promise.allSettled(
        Array.from({ length: RACERS }, (_, i) => store.transaction((tx) => tx.insertPayment({ ...contested, description: `racer ${i}` }))),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(isPaymentError(result.reason, "conflict"), String(result.reason)).toBe(true);
      }
      const winner = results.findIndex((r) => r.status === "fulfilled");
      expect((await store.getPayment(contested.id))?.description).toBe(`racer ${winner}`);
      const refund = sampleRefund(payment, { amount: 100 });
      await store.transaction((tx) => tx.insertRefund(refund));
      expect(await refusal(() => store.transaction((tx) => tx.insertRefund({ ...refund, amount: 200 })), refund.id, "")).toBe("conflict");
      expect(await store.listRefunds(payment.id)).toEqual([refund]);
    });

    rule("missingRefundUpdate", async () => {
      const payment = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
      const missing = sampleRefund(payment, { status: "succeeded", providerRefundId: "re_missing" });
      expect(await refusal(() => store.transaction((tx) => tx.updateRefund(missing)), missing.id, "")).toBe("not_found");
      expect(await store.listRefunds(payment.id)).toEqual([]);
      expect(await store.transaction((tx) => tx.getRefund(missing.id))).toBeNull();
    });

    rule("listFiltersAndCursor", async () => {
      const created: Payment[] = [];
      for (let i = 0; i < 25; i++) {
        created.push(
          await insertPayment(
            store,
            samplePayment({
              owner: i % 2 === 0 ? "alice" : "bob",
              status: i % 5 === 0 ? "succeeded" : "pending",
              provider: i % 3 === 0 ? "stripe" : "simulated",
              references: { booking: `bk_${i % 4}` },
              createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
            }),
          ),
        );
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listPayments({}, { limit: 10, cursor });
        seen.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(created.map((p) => p.id).reverse());
      const alice = await store.listPayments({ owner: "alice" }, { limit: 100 });
      expect(alice.items).toHaveLength(13);
      expect((await store.listPayments({ status: "succeeded" }, { limit: 100 })).items).toHaveLength(5);
      expect((await store.listPayments({ status: ["succeeded", "pending"] }, { limit: 100 })).items).toHaveLength(25);
      expect((await store.listPayments({ provider: "stripe" }, { limit: 100 })).items).toHaveLength(9);
      expect((await store.listPayments({ reference: { key: "booking", value: "bk_1" } }, { limit: 100 })).items).toHaveLength(6);
      const window = await store.listPayments({ createdFrom: "2026-01-05T00:00:00.000Z", createdTo: "2026-01-10T00:00:00.000Z" }, { limit: 100 });
      expect(window.items).toHaveLength(5);
      expect((await store.listPayments({ owner: "alice", status: "succeeded", provider: "stripe" }, { limit: 100 })).items.map((p) => p.id)).toEqual(
        created.filter((p, i) => i % 2 === 0 && i % 5 === 0 && i % 3 === 0).map((p) => p.id).reverse(),
      );
    });

    rule("stats", async () => {
      await insertPayment(store, samplePayment({ status: "succeeded", amount: 1000, amountCaptured: 1000, amountRefunded: 300 }));
      await insertPayment(store, samplePayment({ status: "succeeded", amount: 500, amountCaptured: 500 }));
      await insertPayment(store, samplePayment({ status: "failed", amount: 700 }));
      await insertPayment(store, samplePayment({ status: "succeeded", amount: 900, currency: "EUR", amountCaptured: 900 }));
      const rows = await store.stats({});
      const usdSucceeded = rows.find((r) => r.status === "succeeded" && r.currency === "USD");
      expect(usdSucceeded).toEqual({ status: "succeeded", provider: "simulated", currency: "USD", count: 2, amount: 1500n, amountCaptured: 1500n, amountRefunded: 300n });
      expect(rows.find((r) => r.status === "failed")).toMatchObject({ count: 1, amount: 700n, amountCaptured: 0n });
      expect(rows.find((r) => r.currency === "EUR")).toMatchObject({ count: 1, amountCaptured: 900n });
      expect(await store.stats({ createdFrom: "2999-01-01T00:00:00.000Z" })).toEqual([]);
    });

    rule("statsExactPastInt64", async () => {
      const max = Number.MAX_SAFE_INTEGER;
      // Two pending payments of 2^53 - 1 already sum past 2^53 (what a client alone can create) ...
      await store.transaction(async (tx) => {
        for (let i = 0; i < 2; i++) await tx.insertPayment(samplePayment({ amount: max }));
      });
      expect((await store.stats({})).find((r) => r.status === "pending")).toMatchObject({ count: 2, amount: 2n * BigInt(max), amountCaptured: 0n });
      // ... and 1,100 of them past 2^63, where a 64-bit SUM overflows (1,024 × 2^53 = 2^63).
      const rows = 1100;
      for (let batch = 0; batch < rows / 100; batch++) {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 100; i++) {
            const refunded = (batch * 100 + i) % 2 === 0 ? max - 1 : 0;
            await tx.insertPayment(samplePayment({ status: "partially_refunded", amount: max, amountCaptured: max, amountRefunded: refunded }));
          }
        });
      }
      const big = BigInt(max);
      const row = (await store.stats({})).find((r) => r.status === "partially_refunded");
      expect(row).toEqual({
        status: "partially_refunded",
        provider: "simulated",
        currency: "USD",
        count: rows,
        amount: BigInt(rows) * big,
        amountCaptured: BigInt(rows) * big,
        amountRefunded: BigInt(rows / 2) * (big - 1n),
      });
      expect(row!.amount > 2n ** 63n).toBe(true);
    });

    rule("hostileTextWrites", async () => {
      const hostile = hostileTexts();
      const clean = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
      /** One field of a new payment set to the hostile text, by field. */
      const payments: Array<(text: string) => Payment> = [
        (t) => samplePayment({ description: t }),
        (t) => samplePayment({ metadata: { note: t } }),
        (t) => samplePayment({ metadata: { [t]: "value" } }),
        (t) => samplePayment({ references: { booking: t } }),
        (t) => samplePayment({ references: { [t]: "bk_1" } }),
        (t) => samplePayment({ owner: t }),
        (t) => samplePayment({ customerEmail: `a${t}@example.test` }),
        (t) => samplePayment({ providerPaymentId: t }),
        (t) => samplePayment({ paymentMethodId: `pm_${t}` }),
        (t) => samplePayment({ lineItems: [{ code: "base", description: t, amount: 2500 }] }),
        (t) => samplePayment({ lastError: { code: "card_declined", message: t } }),
        (t) => ({ ...samplePayment(), id: `pay_${t}` }),
      ];
      for (const [i, text] of hostile.entries()) {
        const payment = payments[i % payments.length]!(text);
        expect(await refusal(() => store.transaction((tx) => tx.insertPayment(payment)), text)).toBe("validation_error");
        // The same text in an update of a stored payment: refused, the stored version untouched.
        // (Every field but the id, which the update keeps: a stored payment's id never changes.)
        const update = payments[(i + 1) % (payments.length - 1)]!(text);
        const next = { ...update, id: clean.id, createdAt: clean.createdAt, version: 2 };
        expect(await refusal(() => store.transaction((tx) => tx.updatePayment(next, 1)), text)).toBe("validation_error");
      }
      expect((await store.listPayments({}, { limit: 500 })).items.map((p) => p.id)).toEqual([clean.id]);
      expect(await harness.readBack.payment(clean.id)).toMatchObject({ version: 1, status: "succeeded" });

      // Everything else a transaction writes, and the outbox operators' text.
      for (const [i, text] of hostile.entries()) {
        const key = `hostile-${i}`;
        const eventId = `evt_hostile_${i}`;
        const writes: Array<() => Promise<unknown>> = [
          () => store.transaction((tx) => tx.insertRefund(sampleRefund(clean, { reason: text }))),
          () => store.transaction((tx) => tx.insertRefund(sampleRefund(clean, { actor: text }))),
          () => store.transaction((tx) => tx.appendHistory([sampleHistory(clean, { reason: text })])),
          () => store.transaction((tx) => tx.appendHistory([sampleHistory(clean, { details: { note: text } })])),
          () => store.transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key, gatewayRequest: { description: text } }))),
          () => store.transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: `${key}${text}` }))),
          () => store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, lastError: text }))),
          () => store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId: `${eventId}${text}` }))),
          () => store.transaction((tx) => tx.appendOutbox([sampleEvent({ ...clean, references: { booking: text } })])),
        ];
        expect(await refusal(writes[i % writes.length]!, text)).toBe("validation_error");
        expect(await harness.readBack.idempotencyRecord("user_1", key)).toBeNull();
        expect(await harness.readBack.inboxEvent("stripe", eventId)).toBeNull();
      }
      expect(await store.listRefunds(clean.id)).toEqual([]);
      expect(await harness.readBack.historyCount(clean.id)).toBe(1);
      expect(await harness.readBack.outboxCount(clean.id)).toBe(1);

      // A refused write inside a larger transaction rolls the whole transaction back.
      const other = samplePayment();
      await expect(
        store.transaction(async (tx) => {
          await tx.insertPayment(other);
          await tx.appendHistory([sampleHistory(other, { reason: hostile[0]! })]);
        }),
      ).rejects.toSatisfy((error: unknown) => isPaymentError(error, "validation_error"));
      expect(await harness.readBack.payment(other.id)).toBeNull();
    });

    rule("freeTextLineBreaks", async () => {
      for (const text of lineBreakTexts()) {
        const payment = await insertPayment(store, samplePayment({ description: text, status: "succeeded", amountCaptured: 2500 }));
        expect((await store.getPayment(payment.id))?.description).toBe(text);
        const refund = sampleRefund(payment, { reason: text });
        await store.transaction((tx) => tx.insertRefund(refund));
        expect(await store.listRefunds(payment.id)).toEqual([refund]);
        expect(await refusal(() => store.transaction((tx) => tx.insertPayment(samplePayment({ metadata: { note: text } }))), text)).toBe("validation_error");
        expect(await refusal(() => store.transaction((tx) => tx.insertPayment(samplePayment({ references: { [`k${text}`]: "v" } }))), text)).toBe("validation_error");
        expect(await refusal(() => store.transaction((tx) => tx.insertPayment(samplePayment({ owner: text }))), text)).toBe("validation_error");
      }
      const lookalike = samplePayment({
        description: LOOKALIKE_TEXT,
        owner: `owner ${LOOKALIKE_TEXT}`,
        metadata: { [LOOKALIKE_TEXT]: LOOKALIKE_TEXT },
        references: { booking: LOOKALIKE_TEXT },
      });
      await insertPayment(store, lookalike);
      expect(await store.getPayment(lookalike.id)).toEqual(lookalike);
      expect((await store.listPayments({ reference: { key: "booking", value: LOOKALIKE_TEXT } }, { limit: 10 })).items.map((p) => p.id)).toEqual([lookalike.id]);
      expect((await store.listPayments({ owner: `owner ${LOOKALIKE_TEXT}` }, { limit: 10 })).items.map((p) => p.id)).toEqual([lookalike.id]);
    });

    rule("hostileTextLookups", async () => {
      // A stored twin of every hostile lookup below, with U+FFFD where the lookup has its poison: a driver that
      // replaced a lone surrogate on the way in would find it.
      const twin = await insertPayment(
        store,
        samplePayment({ owner: "owner_\ufffd", provider: "prov_\ufffd", references: { booking: "bk_\ufffd" }, providerPaymentId: "pi_\ufffd" }),
      );
      await store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId: "evt_\ufffd", paymentId: twin.id, providerPaymentId: "pi_\ufffd" })));
      const texts = [...hostileTexts(), "\ud800", "\udfff"];
      const none = { items: [], nextCursor: null };
      for (const text of texts) {
        const asTwin = (prefix: string) => `${prefix}_${text}`;
        const id = asTwin("pay");
        expect(await store.getPayment(id)).toBeNull();
        expect(await store.getPayment(text)).toBeNull();
        expect(await store.listHistory(id)).toEqual([]);
        expect(await store.listRefunds(id)).toEqual([]);
        expect(await store.listPayments({ owner: asTwin("owner") }, { limit: 10 })).toEqual(none);
        expect(await store.listPayments({ provider: asTwin("prov") }, { limit: 10 })).toEqual(none);
        expect(await store.listPayments({ reference: { key: "booking", value: asTwin("bk") } }, { limit: 10 })).toEqual(none);
        expect(await store.listPayments({ reference: { key: text, value: "bk_1" } }, { limit: 10 })).toEqual(none);
        expect(await store.listOutbox({ paymentId: id, limit: 10 })).toEqual([]);
        expect(await store.listInboxEvents({ eventId: asTwin("evt"), limit: 10 })).toEqual([]);
        expect(await store.listInboxEvents({ provider: text, paymentId: id, providerPaymentId: asTwin("pi"), limit: 10 })).toEqual([]);
        expect(await store.listInboxEvents({ forPayment: { paymentId: id, providerPaymentId: asTwin("pi") }, limit: 10 })).toEqual([]);
        const found = await store.transaction(async (tx) => [
          await tx.getPayment(id),
          await tx.getRefund(asTwin("rf")),
          await tx.findPaymentByProviderId(asTwin("prov"), asTwin("pi")),
          await tx.getIdempotencyRecord(text, text),
          await tx.getInboxEvent("stripe", asTwin("evt")),
        ]);
        expect(found, JSON.stringify(text)).toEqual([null, null, null, null, null]);
        expect(await store.markOutboxDelivered(1, text, new Date().toISOString())).toBe(false);
      }
      // The twin itself is found by its own text.
      expect((await store.listPayments({ owner: "owner_\ufffd" }, { limit: 10 })).items.map((p) => p.id)).toEqual([twin.id]);
      expect((await store.transaction((tx) => tx.findPaymentByProviderId("prov_\ufffd", "pi_\ufffd")))?.id).toBe(twin.id);
    });

    rule("filterInstants", async () => {
      await insertPayment(store, samplePayment());
      const bad = ["yesterday", "", "2026-02-30", "2026-13-01T00:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01T00:00:00", "\u0000", "1e12"];
      for (const text of bad) {
        for (const field of ["createdFrom", "createdTo", "updatedFrom", "authorizationExpiresBefore"] as const) {
          expect(await refusal(() => store.listPayments({ [field]: text }, { limit: 10 }), text, "")).toBe("validation_error");
        }
        expect(await refusal(() => store.stats({ createdFrom: text }), text, "")).toBe("validation_error");
        expect(await refusal(() => store.stats({ createdTo: text }), text, "")).toBe("validation_error");
      }
      // Every accepted form means the same instant on every store: a date is UTC midnight, a zone is honoured.
      const at = samplePayment({ createdAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z" });
      await insertPayment(store, at);
      const ids = async (filter: Parameters<PaymentStore["listPayments"]>[0]) => (await store.listPayments(filter, { limit: 10 })).items.map((p) => p.id);
      expect(await ids({ createdFrom: "2026-03-01", createdTo: "2026-03-02" })).toEqual([at.id]);
      expect(await ids({ createdFrom: "2026-03-01T11:00:00+01:00", createdTo: "2026-03-01T10:00:00.001Z" })).toEqual([at.id]);
      expect(await ids({ createdFrom: "2026-03-01T11:00:00.001+01:00", createdTo: "2026-03-02" })).toEqual([]);
      expect((await store.stats({ createdFrom: "2026-03-01", createdTo: "2026-03-02" })).map((r) => r.count)).toEqual([1]);
    });

    rule("invalidCursor", async () => {
      const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
      // Refused on an empty store too: the cursor is checked, not merely found to match nothing.
      expect(await refusal(() => store.listPayments({}, { limit: 10, cursor: "garbage" }), "garbage")).toBe("invalid_cursor");
      const created: Payment[] = [];
      for (let i = 0; i < 5; i++) created.push(await insertPayment(store, samplePayment()));
      const first = await store.listPayments({}, { limit: 2 });
      const cursor = first.nextCursor!;
      expect(cursor).toEqual(expect.any(String));
      expect((await store.listPayments({}, { limit: 2, cursor })).items.map((p) => p.id)).toEqual([created[2]!.id, created[1]!.id]);
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
      const garbage = [
        "garbage",
        "",
        " ",
        "null",
        created[3]!.id,
        cursor.slice(0, -1),
        cursor.slice(0, -2),
        cursor.slice(0, Math.floor(cursor.length / 2)),
        `${cursor}A`,
        `${cursor}==`,
        ` ${cursor}`,
        // Edits of the framing (an edit inside the id is just another position, as good as any issued one).
        flip(cursor, 3),
        flip(cursor, cursor.length - 1),
        cursor.replace(/-/g, "+").replace(/_/g, "/"),
        b64("{}"),
        b64("[]"),
        b64("null"),
        b64(JSON.stringify(created[3]!.id)),
        b64(JSON.stringify({ after: created[3]!.id })),
        b64(JSON.stringify({ v: 2, after: created[3]!.id })),
        b64(JSON.stringify({ v: 1, after: 5 })),
        b64(JSON.stringify({ v: 1, after: "" })),
        b64(JSON.stringify({ v: 1, after: created[3]!.id, extra: true })),
        b64(JSON.stringify({ v: 1, after: "pay_\u0000" })),
        b64(JSON.stringify({ v: 1, after: "pay_\ud800" })),
        b64(` ${JSON.stringify({ v: 1, after: created[3]!.id })}`),
        Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString("base64url"),
        "A".repeat(5000),
        ...hostileTexts(10),
        ...hostileTexts(10).map((text) => `${cursor}${text}`),
      ];
      for (const bad of garbage.filter((g) => g !== cursor)) {
        expect(await refusal(() => store.listPayments({}, { limit: 10, cursor: bad }), bad, bad.length > 40 ? "" : bad)).toBe("invalid_cursor");
        expect(await refusal(() => store.listPayments({ owner: "user_1" }, { limit: 10, cursor: bad }), bad, "")).toBe("invalid_cursor");
      }
    });

    rule("updatedFromFilter", async () => {
      // Created long ago, touched recently (a refund, a capture): inside the activity window.
      const old = samplePayment({ createdAt: "2025-01-01T00:00:00.000Z", updatedAt: "2026-03-01T12:00:00.000Z" });
      const oldUntouched = samplePayment({ createdAt: "2025-01-01T00:00:00.000Z", updatedAt: "2025-01-02T00:00:00.000Z" });
      const recent = samplePayment({ createdAt: "2026-03-01T11:00:00.000Z", updatedAt: "2026-03-01T11:00:00.000Z" });
      for (const p of [old, oldUntouched, recent]) await insertPayment(store, p);
      const ids = async (filter: Parameters<PaymentStore["listPayments"]>[0]) => (await store.listPayments(filter, { limit: 10 })).items.map((p) => p.id).sort();
      expect(await ids({ updatedFrom: "2026-03-01T11:00:00.000Z" })).toEqual([old.id, recent.id].sort());
      expect(await ids({ updatedFrom: "2026-03-01T12:00:00.000Z" })).toEqual([old.id]);
      expect(await ids({ updatedFrom: "2026-03-01T12:00:00.001Z" })).toEqual([]);
      expect(await ids({ updatedFrom: "2026-03-01T11:00:00.000Z", createdFrom: "2026-01-01T00:00:00.000Z" })).toEqual([recent.id]);
      // An update moves a payment into the window.
      const touched = { ...oldUntouched, status: "canceled" as const, updatedAt: "2026-03-02T00:00:00.000Z", version: 2 };
      expect(await store.transaction((tx) => tx.updatePayment(touched, 1))).not.toBeNull();
      expect(await ids({ updatedFrom: "2026-03-01T12:00:00.000Z" })).toEqual([old.id, oldUntouched.id].sort());
      // Pages through the window newest first without gaps, like every other filter.
      const first = await store.listPayments({ updatedFrom: "2026-01-01" }, { limit: 2 });
      const second = await store.listPayments({ updatedFrom: "2026-01-01" }, { limit: 2, cursor: first.nextCursor! });
      expect([...first.items, ...second.items].map((p) => p.id)).toEqual([recent.id, oldUntouched.id, old.id].sort().reverse());
      expect(second.nextCursor).toBeNull();
    });

    rule("outboxOrderPerPayment", async () => {
      const a = samplePayment();
      const b = samplePayment();
      const now = new Date().toISOString();
      await store.transaction(async (tx) => {
        await tx.insertPayment(a);
        await tx.insertPayment(b);
        await tx.appendOutbox([sampleEvent(a, "payment.created", now), sampleEvent(b, "payment.created", now)]);
        await tx.appendOutbox([sampleEvent(a, "payment.processing", now), sampleEvent(a, "payment.succeeded", now)]);
      });
      const delivered: string[] = [];
      for (let round = 0; round < 5; round++) {
        const claimed = await store.claimOutbox({ claimant: "d1", now: new Date(Date.now() + 1000).toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 10 });
        expect(new Set(claimed.map((e) => e.event.paymentId)).size).toBe(claimed.length);
        for (const entry of claimed) {
          delivered.push(`${entry.event.paymentId === a.id ? "a" : "b"}:${entry.event.type}`);
          expect(await store.markOutboxDelivered(entry.sequence, "d1", new Date().toISOString())).toBe(true);
        }
      }
      expect(delivered.filter((d) => d.startsWith("a:"))).toEqual(["a:payment.created", "a:payment.processing", "a:payment.succeeded"]);
      expect(delivered).toContain("b:payment.created");
      expect(await store.listOutbox({ status: "pending", limit: 10 })).toEqual([]);
      expect(await store.listOutbox({ status: "delivered", limit: 10 })).toHaveLength(4);
    });

    rule("outboxRetryHoldsBack", async () => {
      const a = samplePayment();
      const b = samplePayment();
      const now = new Date().toISOString();
      await store.transaction(async (tx) => {
        await tx.insertPayment(a);
        await tx.insertPayment(b);
        await tx.appendOutbox([sampleEvent(a, "payment.created", now), sampleEvent(a, "payment.processing", now), sampleEvent(b, "payment.created", now)]);
      });
      const soon = new Date(Date.now() + 1000).toISOString();
      const lease = new Date(Date.now() + 60_000).toISOString();
      const first = await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 });
      expect(first).toHaveLength(2);
      const aHead = first.find((e) => e.event.paymentId === a.id)!;
      const bHead = first.find((e) => e.event.paymentId === b.id)!;
      expect(aHead.event.type).toBe("payment.created");
      expect(await store.markOutboxFailed(aHead.sequence, "d1", { error: "broker down", nextAttemptAt: new Date(Date.now() + 3_600_000).toISOString(), dead: false })).toBe(true);
      expect(await store.markOutboxDelivered(bHead.sequence, "d1", soon)).toBe(true);
      // a's head waits for its retry: a's second event must not overtake it
      expect(await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 })).toEqual([]);
      const later = new Date(Date.now() + 7_200_000).toISOString();
      const retried = await store.claimOutbox({ claimant: "d1", now: later, leaseUntil: new Date(Date.now() + 7_300_000).toISOString(), limit: 10 });
      expect(retried.map((e) => e.sequence)).toEqual([aHead.sequence]);
      expect(retried[0]).toMatchObject({ attempts: 1, lastError: "broker down" });
      expect(await store.markOutboxFailed(aHead.sequence, "d1", { error: "still down", nextAttemptAt: later, dead: true })).toBe(true);
      expect(await store.claimOutbox({ claimant: "d1", now: new Date(Date.now() + 9_000_000).toISOString(), leaseUntil: new Date(Date.now() + 9_100_000).toISOString(), limit: 10 })).toEqual([]);
      expect((await store.listOutbox({ status: "dead", limit: 10 })).map((e) => e.sequence)).toEqual([aHead.sequence]);
      // a dead event never blocks another payment
      const c = samplePayment();
      await store.transaction(async (tx) => {
        await tx.insertPayment(c);
        await tx.appendOutbox([sampleEvent(c, "payment.created", now)]);
      });
      const third = await store.claimOutbox({ claimant: "d1", now: soon, leaseUntil: lease, limit: 10 });
      expect(third.map((e) => e.event.paymentId)).toEqual([c.id]);
    });

    rule("outboxLeaseRace", async () => {
      const now = new Date().toISOString();
      const payments = Array.from({ length: 30 }, () => samplePayment());
      await store.transaction(async (tx) => {
        for (const p of payments) {
          await tx.insertPayment(p);
          await tx.appendOutbox([sampleEvent(p, "payment.created", now)]);
        }
      });
      const claims = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.claimOutbox({ claimant: `d${i}`, now: new Date(Date.now() + 1000).toISOString(), leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 5 }),
        ),
      );
      const sequences = claims.flat().map((e) => e.sequence);
      expect(new Set(sequences).size).toBe(sequences.length);
      expect(sequences.length).toBe(30);
      // a holder that is not the lessee cannot mark it
      const entry = claims.flat()[0]!;
      const holder = claims.findIndex((c) => c.some((e) => e.sequence === entry.sequence));
      expect(await store.markOutboxDelivered(entry.sequence, "intruder", now)).toBe(false);
      expect(await store.markOutboxDelivered(entry.sequence, `d${holder}`, now)).toBe(true);
    });

    /** A payment whose first event is dead (and holds back its second), for the operator rules below. */
    const deadHead = async () => {
      const payment = samplePayment();
      const at = "2026-01-01T00:00:00.000Z";
      await store.transaction(async (tx) => {
        await tx.insertPayment(payment);
        await tx.appendOutbox([sampleEvent(payment, "payment.created", at), sampleEvent(payment, "payment.processing", at)]);
      });
      const [head] = await store.claimOutbox({ claimant: "d1", now: "2026-01-01T00:00:01.000Z", leaseUntil: "2026-01-01T00:01:00.000Z", limit: 10 });
      expect(await store.markOutboxFailed(head!.sequence, "d1", { error: "rejected", nextAttemptAt: "2026-01-01T00:00:02.000Z", dead: true })).toBe(true);
      expect(await store.claimOutbox({ claimant: "d1", now: "2026-01-02T00:00:00.000Z", leaseUntil: "2026-01-02T00:01:00.000Z", limit: 10 })).toEqual([]);
      return { payment, sequence: head!.sequence };
    };

    rule("outboxRetryDead", async () => {
      const { sequence } = await deadHead();
      const retryAt = "2026-01-03T00:00:00.000Z";
      const results = await Promise.all(Array.from({ length: RACERS }, () => store.retryOutboxEvent(sequence, retryAt)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const [entry] = await store.listOutbox({ status: "pending", limit: 1 });
      expect(entry).toMatchObject({ sequence, attempts: 1, nextAttemptAt: retryAt, lastError: "rejected", skipReason: null });
      // only a dead event can be retried: a pending one (or an unknown sequence) is left alone
      expect(await store.retryOutboxEvent(sequence, retryAt)).toBe(false);
      expect(await store.retryOutboxEvent(sequence + 1000, retryAt)).toBe(false);
      expect(await store.claimOutbox({ claimant: "d2", now: "2026-01-02T23:59:59.000Z", leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 })).toEqual([]);
      const claimed = await store.claimOutbox({ claimant: "d2", now: retryAt, leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 });
      expect(claimed.map((e) => e.sequence)).toEqual([sequence]);
    });

    rule("outboxSkipDead", async () => {
      const { payment, sequence } = await deadHead();
      const results = await Promise.all(Array.from({ length: RACERS }, (_, i) => store.skipOutboxEvent(sequence, `reason ${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const [skipped] = await store.listOutbox({ status: "skipped", paymentId: payment.id, limit: 10 });
      expect(skipped).toMatchObject({ sequence, skipReason: `reason ${results.indexOf(true)}`, deliveredAt: null });
      // skipped is terminal: neither retried nor skipped again
      expect(await store.retryOutboxEvent(sequence, "2026-01-03T00:00:00.000Z")).toBe(false);
      expect(await store.skipOutboxEvent(sequence, "again")).toBe(false);
      const next = await store.claimOutbox({ claimant: "d2", now: "2026-01-03T00:00:00.000Z", leaseUntil: "2026-01-03T00:01:00.000Z", limit: 10 });
      expect(next.map((e) => e.event.type)).toEqual(["payment.processing"]);
      // a pending event cannot be skipped
      expect(await store.skipOutboxEvent(next[0]!.sequence, "not dead")).toBe(false);
    });

    rule("pendingAndExpiredRecords", async () => {
      const old = "2026-01-01T00:00:00.000Z";
      const pending = sampleIdempotencyRecord({ recoveryPoint: "gateway_pending", lockId: null, lockedAt: null, updatedAt: old, expiresAt: old });
      const finishedExpired = sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 1 }, updatedAt: old, expiresAt: old });
      const finishedFresh = sampleIdempotencyRecord({ recoveryPoint: "finished", lockId: null, outcome: { ok: true, value: 2 }, expiresAt: "2999-01-01T00:00:00.000Z" });
      await store.transaction(async (tx) => {
        for (const r of [pending, finishedExpired, finishedFresh]) await tx.insertIdempotencyRecord(r);
      });
      const listed = await store.listPendingIdempotencyRecords("2026-06-01T00:00:00.000Z", 10);
      expect(listed.map((r) => r.key)).toEqual([pending.key]);
      expect(await store.listPendingIdempotencyRecords("2025-06-01T00:00:00.000Z", 10)).toEqual([]);
      expect(await store.deleteExpiredIdempotencyRecords("2026-06-01T00:00:00.000Z")).toBe(1);
      expect(await harness.readBack.idempotencyRecord(pending.scope, pending.key)).not.toBeNull();
      expect(await harness.readBack.idempotencyRecord(finishedExpired.scope, finishedExpired.key)).toBeNull();
      expect(await harness.readBack.idempotencyRecord(finishedFresh.scope, finishedFresh.key)).not.toBeNull();
    });

    rule("purge", async () => {
      const p = samplePayment();
      const at = "2026-01-01T00:00:00.000Z";
      const processed = (processedAt: string) => sampleInboxEvent({ receivedAt: at, status: "processed", attempts: 1, processedAt });
      const old = processed("2026-01-01T00:00:01.000Z");
      const recent = processed("2026-12-01T00:00:00.000Z");
      const held = sampleInboxEvent({ receivedAt: at, status: "held", attempts: 3 });
      const failed = sampleInboxEvent({ receivedAt: at, status: "failed", attempts: 1 });
      const orphaned = sampleInboxEvent({ receivedAt: at, status: "orphaned", attempts: 5 });
      await store.transaction(async (tx) => {
        await tx.insertPayment(p);
        await tx.appendOutbox([sampleEvent(p, "payment.created", at)]);
        for (const e of [old, recent, held, failed, orphaned]) await tx.insertInboxEvent(e);
      });
      const [entry] = await store.claimOutbox({ claimant: "d", now: "2026-01-01T00:00:01.000Z", leaseUntil: "2026-01-01T00:01:00.000Z", limit: 1 });
      await store.markOutboxDelivered(entry!.sequence, "d", "2026-01-01T00:00:02.000Z");
      expect(await store.purgeDeliveredOutbox("2026-02-01T00:00:00.000Z")).toBe(1);
      expect(await harness.readBack.outboxCount(p.id)).toBe(0);
      expect(await store.purgeWebhookEvents("2026-02-01T00:00:00.000Z")).toBe(1);
      expect(await harness.readBack.inboxEvent(old.provider, old.eventId)).toBeNull();
      for (const kept of [recent, held, failed, orphaned]) expect(await harness.readBack.inboxEvent(kept.provider, kept.eventId)).not.toBeNull();
      // A purged event is new again: a provider's late redelivery is stored (and applies to no effect).
      expect(await store.transaction((tx) => tx.insertInboxEvent(old))).toBe(true);
      expect(await store.transaction((tx) => tx.insertInboxEvent(recent))).toBe(false);
    });
  });
}
