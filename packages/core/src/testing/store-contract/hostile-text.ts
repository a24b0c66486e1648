import { expect } from "vitest";
import type { Payment } from "../../domain/payment.js";
import { isPaymentError } from "../../errors/index.js";
import { sampleEvent, sampleHistory, sampleIdempotencyRecord, sampleInboxEvent, samplePayment, sampleRefund } from "../fixtures.js";
import { LOOKALIKE_TEXT, hostileTexts, lineBreakTexts } from "../hostile-text-generators.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { expectNamesField, refusal, refusedWith } from "./refusal.js";
import { insertPayment } from "./seed.js";

/**
 * Hostile text: what every write and lookup of the port promises about text no store can keep (NUL, controls, lone
 * surrogates): refused with validation_error on the way in, matched by nothing on the way out, the same on every store.
 */
export const HOSTILE_TEXT_CASES = {
  hostileTextWrites: "refuses a write holding NUL, a control or a lone surrogate with validation_error naming the field; nothing is stored",
  freeTextLineBreaks: "keeps line breaks in descriptions and reasons, refuses them in single-line fields, and keeps look-alike text verbatim",
  hostileTextLookups: "answers a lookup or filter by text no row can hold with null or an empty list, never another error",
} as const;

/**
 * A read-back under a key holding text no row can hold. A lower layer that refuses even to be asked (PostgreSQL
 * refuses NUL in a text parameter) cannot hold such a row either: that refusal counts as absent. The same read-backs
 * under clean keys, in this case and every other, prove the read-back itself works.
 */
async function readBackOrAbsent<T>(read: () => Promise<T | null>): Promise<T | null> {
  return read().catch(() => null);
}

export function defineHostileTextCases(define: DefineCase<keyof typeof HOSTILE_TEXT_CASES>, kit: StoreUnderTest): void {
  define("hostileTextWrites", async () => {
    const { store, harness } = kit;
    const hostile = hostileTexts();
    const clean = await insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500 }));
    /** One field of a new payment set to the hostile text, with the word its refusal must name. */
    const payments: Array<[field: string, make: (text: string) => Payment]> = [
      ["description", (t) => samplePayment({ description: t })],
      ["metadata", (t) => samplePayment({ metadata: { note: t } })],
      ["metadata", (t) => samplePayment({ metadata: { [t]: "value" } })],
      ["references", (t) => samplePayment({ references: { booking: t } })],
      ["references", (t) => samplePayment({ references: { [t]: "bk_1" } })],
      ["owner", (t) => samplePayment({ owner: t })],
      ["customerEmail", (t) => samplePayment({ customerEmail: `a${t}@example.test` })],
      ["providerPaymentId", (t) => samplePayment({ providerPaymentId: t })],
      ["paymentMethodId", (t) => samplePayment({ paymentMethodId: `pm_${t}` })],
      ["lineItems", (t) => samplePayment({ lineItems: [{ code: "base", description: t, amount: 2500 }] })],
      ["lastError", (t) => samplePayment({ lastError: { code: "card_declined", message: t } })],
      ["id", (t) => ({ ...samplePayment(), id: `pay_${t}` })],
    ];
    /** Refused with validation_error naming `field`, without repeating the text. */
    const expectRefusedNaming = async (field: string, text: string, work: () => Promise<unknown>) => {
      const error = await refusedWith(work, text);
      expect(error.code, `${field}: ${JSON.stringify(text)}`).toBe("validation_error");
      expectNamesField(error, field, text);
    };
    for (const [i, text] of hostile.entries()) {
      const [field, make] = payments[i % payments.length]!;
      const payment = make(text);
      await expectRefusedNaming(field, text, () => store.transaction((tx) => tx.insertPayment(payment)));
      // The same text in an update of a stored payment: refused, the stored version untouched.
      // (Every field but the id, which the update keeps: a stored payment's id never changes.)
      const [updatedField, makeUpdate] = payments[(i + 1) % (payments.length - 1)]!;
      const next = { ...makeUpdate(text), id: clean.id, createdAt: clean.createdAt, version: 2 };
      await expectRefusedNaming(updatedField, text, () => store.transaction((tx) => tx.updatePayment(next, 1)));
    }
    expect((await store.listPayments({}, { limit: 500 })).items.map((p) => p.id)).toEqual([clean.id]);
    expect(await harness.readBack.payment(clean.id)).toMatchObject({ version: 1, status: "succeeded" });

    // Everything else a transaction writes, and the outbox operators' text. Each write's record is then looked up
    // under the very key it was written with, hostile text and all, so a store that kept it anyway is seen.
    for (const [i, text] of hostile.entries()) {
      const key = `hostile-${i}`;
      const eventId = `evt_hostile_${i}`;
      const writes: Array<[field: string, write: () => Promise<unknown>]> = [
        ["reason", () => store.transaction((tx) => tx.insertRefund(sampleRefund(clean, { reason: text })))],
        ["actor", () => store.transaction((tx) => tx.insertRefund(sampleRefund(clean, { actor: text })))],
        ["reason", () => store.transaction((tx) => tx.appendHistory([sampleHistory(clean, { reason: text })]))],
        ["details", () => store.transaction((tx) => tx.appendHistory([sampleHistory(clean, { details: { note: text } })]))],
        ["gatewayRequest", () => store.transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key, gatewayRequest: { description: text } })))],
        ["key", () => store.transaction((tx) => tx.insertIdempotencyRecord(sampleIdempotencyRecord({ key: `${key}${text}` })))],
        ["lastError", () => store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId, lastError: text })))],
        ["eventId", () => store.transaction((tx) => tx.insertInboxEvent(sampleInboxEvent({ eventId: `${eventId}${text}` })))],
        ["event", () => store.transaction((tx) => tx.appendOutbox([sampleEvent({ ...clean, references: { booking: text } })]))],
      ];
      const [field, write] = writes[i % writes.length]!;
      await expectRefusedNaming(field, text, write);
      expect(await harness.readBack.idempotencyRecord("user_1", key)).toBeNull();
      expect(await readBackOrAbsent(() => harness.readBack.idempotencyRecord("user_1", `${key}${text}`))).toBeNull();
      expect(await harness.readBack.inboxEvent("stripe", eventId)).toBeNull();
      expect(await readBackOrAbsent(() => harness.readBack.inboxEvent("stripe", `${eventId}${text}`))).toBeNull();
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

  define("freeTextLineBreaks", async () => {
    const { store } = kit;
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

  define("hostileTextLookups", async () => {
    const { store } = kit;
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
}
