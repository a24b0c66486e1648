import { expect } from "vitest";
import type { Dispute } from "../../domain/dispute.js";
import type { Payment } from "../../domain/payment.js";
import type { DisputeFilter, PaymentStore } from "../../ports/payment-store.js";
import { RACERS } from "../case.js";
import { sampleDispute, samplePayment } from "../fixtures.js";
import type { DefineCase, StoreUnderTest } from "./contract-case.js";
import { expectNamesField, refusal, refusedWith } from "./refusal.js";
import { insertPayment } from "./seed.js";

/** Disputes: what `DisputesTx` and `DisputeReads` promise (ports/store/disputes.ts). */
export const DISPUTE_CASES = {
  disputeRoundTrip: "stores a dispute with every field (its status history in order, nullable fields both ways) and reads it back by id, provider id and payment",
  disputeUpdateGuard: "updateDispute stores only at the expected version; a stale version changes nothing and answers null",
  disputeUpdateRace: "10 concurrent updates of one dispute at the same version: exactly one is stored",
  disputeDuplicates: "a second dispute with the same id, or the same provider and provider dispute id, is refused with conflict and stores nothing; the same provider id at another provider is another dispute",
  disputeInsertRace: "10 concurrent inserts of one provider dispute under different ids: exactly one is stored, the others lose with conflict",
  disputeWithinTransaction: "a dispute inserted or updated in a transaction is read back by the same transaction, and is gone when it rolls back",
  disputeListFilters: "lists disputes newest first, each filter alone changing the result (status, provider, payment, currency, opened window, evidence due), all pages without a repeat",
  disputeListRefusals: "a dispute list refuses an unknown filter, a status no dispute has, a bad instant and a bad cursor with stable codes; unmatchable text lists nothing",
  disputeStats: "dispute stats group by status and currency with exact sums past 2^53, windowed on when the dispute was opened",
  disputeRefusals: "a dispute write with an amount that is not a safe integer, or text no store can hold, is refused naming the field and stores nothing; lookups by such text find nothing",
  disputeOfMissingPayment: "a dispute of a payment the store does not hold is refused with not_found and rolls its transaction back",
} as const;

const HOUR = 3_600_000;
const at = (base: string, hours: number) => new Date(Date.parse(base) + hours * HOUR).toISOString();

async function insertDisputes(store: PaymentStore, disputes: readonly Dispute[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const dispute of disputes) await tx.insertDispute(dispute);
  });
}

/** Every id a filter lists, following every page of two. */
async function listedIds(store: PaymentStore, filter: DisputeFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listDisputes(filter, { limit: 2, cursor });
    ids.push(...page.items.map((d) => d.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

/** Newest first, as the list orders them. */
const idsOf = (...disputes: Dispute[]) => disputes.map((d) => d.id).sort().reverse();

async function capturedPayment(store: PaymentStore, overrides: Partial<Payment> = {}): Promise<Payment> {
  return insertPayment(store, samplePayment({ status: "succeeded", amountCaptured: 2500, providerPaymentId: "pi_disputed", ...overrides }));
}

export function defineDisputeCases(define: DefineCase<keyof typeof DISPUTE_CASES>, kit: StoreUnderTest): void {
  define("disputeRoundTrip", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const other = await capturedPayment(store);
    const opened = "2026-02-01T09:30:00.123Z";
    const full = sampleDispute(payment, {
      amount: 1999,
      status: "lost",
      reason: "product_not_received",
      providerReason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
      providerDisputeId: "PP-D-1",
      statusHistory: [
        { status: "needs_response", providerStatus: "WAITING_FOR_SELLER_RESPONSE", at: opened },
        { status: "under_review", providerStatus: "UNDER_REVIEW", at: at(opened, 24) },
        { status: "lost", providerStatus: "RESOLVED", at: at(opened, 48) },
      ],
      openedAt: opened,
      closedAt: at(opened, 48),
      evidenceDueBy: null,
    });
    const bare = sampleDispute(payment, { providerPaymentId: null });
    const others = sampleDispute(other);
    await insertDisputes(store, [bare, full, others]);
    expect(await store.getDispute(full.id)).toEqual(full);
    expect(await store.getDispute(bare.id)).toEqual(bare);
    expect(await store.getDispute("dp_missing")).toBeNull();
    expect(await store.transaction((tx) => tx.findDisputeByProviderId(payment.provider, "PP-D-1"))).toEqual(full);
    expect(await store.transaction((tx) => tx.findDisputeByProviderId(payment.provider, "PP-D-2"))).toBeNull();
    // Oldest first (by id), only the payment's own.
    expect(await store.listPaymentDisputes(payment.id)).toEqual([full, bare].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await store.listPaymentDisputes(other.id)).toEqual([others]);
    expect(await store.listPaymentDisputes("pay_missing")).toEqual([]);
  });

  define("disputeUpdateGuard", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const dispute = sampleDispute(payment);
    await insertDisputes(store, [dispute]);
    const moved: Dispute = {
      ...dispute,
      status: "under_review",
      evidenceDueBy: null,
      statusHistory: [...dispute.statusHistory, { status: "under_review", providerStatus: "under_review", at: at(dispute.openedAt, 1) }],
      updatedAt: at(dispute.openedAt, 1),
      version: 2,
    };
    expect(await store.transaction((tx) => tx.updateDispute(moved, 1))).toEqual(moved);
    expect(await store.getDispute(dispute.id)).toEqual(moved);
    // Judged at version 1 again: the stored version is 2, so this one loses and changes nothing.
    const stale: Dispute = { ...dispute, status: "won", closedAt: at(dispute.openedAt, 2), version: 2 };
    expect(await store.transaction((tx) => tx.updateDispute(stale, 1))).toBeNull();
    expect(await store.getDispute(dispute.id)).toEqual(moved);
    const missing = sampleDispute(payment, { version: 2 });
    expect(await store.transaction((tx) => tx.updateDispute(missing, 1))).toBeNull();
    expect(await store.getDispute(missing.id)).toBeNull();
  });

  define("disputeUpdateRace", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const dispute = sampleDispute(payment);
    await insertDisputes(store, [dispute]);
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, racer) =>
        kit.racer(racer).transaction((tx) => tx.updateDispute({ ...dispute, providerReason: `racer ${racer}`, version: 2 }, 1)),
      ),
    );
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(await store.getDispute(dispute.id)).toEqual(winners[0]);
  });

  define("disputeDuplicates", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const paypal = await capturedPayment(store, { provider: "paypal" });
    const dispute = sampleDispute(payment, { providerDisputeId: "dp_same" });
    await insertDisputes(store, [dispute]);
    const sameId = sampleDispute(payment, { id: dispute.id });
    expect(await refusal(() => insertDisputes(store, [sameId]), sameId.id, "")).toBe("conflict");
    const sameProviderId = sampleDispute(payment, { providerDisputeId: "dp_same", amount: 7 });
    // Refused with everything the transaction wrote before it: the payment's flag stays as it was.
    const flagAndInsert = () =>
      store.transaction(async (tx) => {
        await tx.updatePayment({ ...payment, disputed: true, version: payment.version + 1 }, payment.version);
        await tx.insertDispute(sameProviderId);
      });
    expect(await refusal(flagAndInsert, sameProviderId.id, "")).toBe("conflict");
    expect(await store.getDispute(sameProviderId.id)).toBeNull();
    expect(await store.getPayment(payment.id)).toMatchObject({ disputed: false, version: payment.version });
    expect(await store.listPaymentDisputes(payment.id)).toEqual([dispute]);
    // Provider ids are the provider's own: PayPal may use the same text for another dispute.
    const paypals = sampleDispute(paypal, { providerDisputeId: "dp_same" });
    await insertDisputes(store, [paypals]);
    expect(await store.transaction((tx) => tx.findDisputeByProviderId("paypal", "dp_same"))).toEqual(paypals);
    expect(await store.transaction((tx) => tx.findDisputeByProviderId(payment.provider, "dp_same"))).toEqual(dispute);
  });

  define("disputeInsertRace", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const outcomes = await Promise.all(
      Array.from({ length: RACERS }, async (_, racer) => {
        try {
          await kit.racer(racer).transaction((tx) => tx.insertDispute(sampleDispute(payment, { providerDisputeId: "dp_raced" })));
          return "stored";
        } catch (error) {
          return (error as { code?: string }).code ?? String(error);
        }
      }),
    );
    expect(outcomes.filter((o) => o === "stored")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "conflict")).toHaveLength(RACERS - 1);
    expect(await store.listPaymentDisputes(payment.id)).toHaveLength(1);
  });

  define("disputeWithinTransaction", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const dispute = sampleDispute(payment, { providerDisputeId: "dp_in_tx" });
    const moved: Dispute = { ...dispute, status: "under_review", version: 2 };
    const seen = await store.transaction(async (tx) => {
      await tx.insertDispute(dispute);
      const inserted = await tx.findDisputeByProviderId(payment.provider, "dp_in_tx");
      const updated = await tx.updateDispute(moved, 1);
      const afterUpdate = await tx.findDisputeByProviderId(payment.provider, "dp_in_tx");
      return { inserted, updated, afterUpdate };
    });
    expect(seen).toEqual({ inserted: dispute, updated: moved, afterUpdate: moved });
    const rolledBack = sampleDispute(payment, { providerDisputeId: "dp_rolled_back" });
    await expect(
      store.transaction(async (tx) => {
        await tx.insertDispute(rolledBack);
        expect(await tx.findDisputeByProviderId(payment.provider, "dp_rolled_back")).toEqual(rolledBack);
        throw new Error("give up");
      }),
    ).rejects.toThrow("give up");
    expect(await store.getDispute(rolledBack.id)).toBeNull();
    expect(await store.getDispute(dispute.id)).toEqual(moved);
  });

  define("disputeListFilters", async () => {
    const { store } = kit;
    const base = "2026-03-01T00:00:00.000Z";
    const usd = await capturedPayment(store);
    const eur = await capturedPayment(store, { currency: "EUR" });
    const paypal = await capturedPayment(store, { provider: "paypal" });
    const open = sampleDispute(usd, { openedAt: at(base, 0), evidenceDueBy: at(base, 48) });
    const review = sampleDispute(usd, { status: "under_review", openedAt: at(base, 1), evidenceDueBy: null });
    const won = sampleDispute(eur, { status: "won", openedAt: at(base, 2), evidenceDueBy: at(base, 72), closedAt: at(base, 30) });
    const inquiry = sampleDispute(paypal, { status: "warning_needs_response", openedAt: at(base, 3), evidenceDueBy: at(base, 24) });
    await insertDisputes(store, [open, review, won, inquiry]);
    expect(await listedIds(store, {})).toEqual(idsOf(open, review, won, inquiry));
    expect(await listedIds(store, { status: "needs_response" })).toEqual(idsOf(open));
    expect(await listedIds(store, { status: ["won", "under_review"] })).toEqual(idsOf(review, won));
    expect(await listedIds(store, { status: [] })).toEqual([]);
    expect(await listedIds(store, { provider: "paypal" })).toEqual(idsOf(inquiry));
    expect(await listedIds(store, { paymentId: usd.id })).toEqual(idsOf(open, review));
    expect(await listedIds(store, { currency: "EUR" })).toEqual(idsOf(won));
    // The window is [from, to): a dispute opened at `to` is outside it.
    expect(await listedIds(store, { openedFrom: at(base, 1), openedTo: at(base, 3) })).toEqual(idsOf(review, won));
    expect(await listedIds(store, { openedFrom: at(base, 3) })).toEqual(idsOf(inquiry));
    expect(await listedIds(store, { openedTo: at(base, 1) })).toEqual(idsOf(open));
    // Due strictly before the instant; a dispute that takes no evidence is never due.
    expect(await listedIds(store, { evidenceDueBefore: at(base, 48) })).toEqual(idsOf(inquiry));
    expect(await listedIds(store, { evidenceDueBefore: at(base, 49) })).toEqual(idsOf(open, inquiry));
    expect(await listedIds(store, { provider: "simulated", status: ["needs_response", "won"], openedTo: at(base, 2) })).toEqual(idsOf(open));
    const first = await store.listDisputes({}, { limit: 3 });
    expect(first.items.map((d) => d.id)).toEqual(idsOf(open, review, won, inquiry).slice(0, 3));
    expect(first.items[0]).toEqual([open, review, won, inquiry].sort((a, b) => (a.id < b.id ? 1 : -1))[0]);
  });

  define("disputeListRefusals", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    await insertDisputes(store, [sampleDispute(payment)]);
    const unknown = await refusedWith(() => store.listDisputes({ statuz: "won" } as DisputeFilter, { limit: 10 }), "statuz", "");
    expect(unknown.code).toBe("validation_error");
    expectNamesField(unknown, "filter.statuz", "statuz");
    expect(await refusal(() => store.listDisputes({ status: "open" as never }, { limit: 10 }), "open")).toBe("validation_error");
    expect(await refusal(() => store.listDisputes({ openedFrom: "yesterday" }, { limit: 10 }), "yesterday")).toBe("validation_error");
    expect(await refusal(() => store.listDisputes({ evidenceDueBefore: "2026-13-01" }, { limit: 10 }), "2026-13-01")).toBe("validation_error");
    expect(await refusal(() => store.listDisputes({}, { limit: 10, cursor: "garbage" }), "garbage")).toBe("invalid_cursor");
    for (const text of ["pay\u0000x", "\ud800", "USD\u0007"]) {
      expect((await store.listDisputes({ paymentId: text }, { limit: 10 })).items).toEqual([]);
      expect((await store.listDisputes({ currency: text }, { limit: 10 })).items).toEqual([]);
      expect((await store.listDisputes({ provider: text }, { limit: 10 })).items).toEqual([]);
    }
  });

  define("disputeStats", async () => {
    const { store } = kit;
    const base = "2026-03-01T00:00:00.000Z";
    const largest = Number.MAX_SAFE_INTEGER;
    const usd = await capturedPayment(store, { amount: largest, amountCaptured: largest });
    const eur = await capturedPayment(store, { currency: "EUR" });
    await insertDisputes(store, [
      sampleDispute(usd, { amount: largest, status: "lost", openedAt: at(base, 0) }),
      sampleDispute(usd, { amount: largest, status: "lost", openedAt: at(base, 0.5) }),
      sampleDispute(usd, { amount: largest, status: "lost", openedAt: at(base, 1) }),
      sampleDispute(usd, { amount: 5, status: "needs_response", openedAt: at(base, 2) }),
      sampleDispute(eur, { amount: 700, status: "won", openedAt: at(base, 3) }),
    ]);
    expect(await store.disputeStats({})).toEqual([
      // 3 × (2^53 − 1) is no double: a sum that went through a float reads back rounded.
      { status: "lost", currency: "USD", count: 3, amount: 3n * BigInt(largest) },
      { status: "needs_response", currency: "USD", count: 1, amount: 5n },
      { status: "won", currency: "EUR", count: 1, amount: 700n },
    ]);
    expect(await store.disputeStats({ openedFrom: at(base, 1), openedTo: at(base, 3) })).toEqual([
      { status: "lost", currency: "USD", count: 1, amount: BigInt(largest) },
      { status: "needs_response", currency: "USD", count: 1, amount: 5n },
    ]);
    expect(await store.disputeStats({ openedFrom: at(base, 4) })).toEqual([]);
  });

  define("disputeOfMissingPayment", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    const orphan = sampleDispute(samplePayment({ id: "pay_not_stored" }));
    const flagThenInsert = () =>
      store.transaction(async (tx) => {
        await tx.updatePayment({ ...payment, disputed: true, version: payment.version + 1 }, payment.version);
        await tx.insertDispute(orphan);
      });
    expect(await refusal(flagThenInsert, orphan.id, "")).toBe("not_found");
    expect(await store.getDispute(orphan.id)).toBeNull();
    expect(await store.getPayment(payment.id)).toMatchObject({ disputed: false, version: payment.version });
  });

  define("disputeRefusals", async () => {
    const { store } = kit;
    const payment = await capturedPayment(store);
    for (const amount of [12.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      const bad = sampleDispute(payment, { amount });
      expect(await refusal(() => insertDisputes(store, [bad]), String(amount))).toBe("internal");
      expect(await store.getDispute(bad.id)).toBeNull();
    }
    for (const [field, value] of [
      ["providerReason", "fraud\u0000ulent"],
      ["providerDisputeId", "dp\ud800"],
      ["providerPaymentId", "pi_\u0007"],
    ] as const) {
      const bad = sampleDispute(payment, { [field]: value });
      const error = await refusedWith(() => insertDisputes(store, [bad]), value);
      expect(error.code).toBe("validation_error");
      expectNamesField(error, `dispute.${field}`, value);
      expect(await store.getDispute(bad.id)).toBeNull();
    }
    const dispute = sampleDispute(payment);
    await insertDisputes(store, [dispute]);
    const hostileUpdate = { ...dispute, providerReason: "x\u0000", version: 2 };
    expect(await refusal(() => store.transaction((tx) => tx.updateDispute(hostileUpdate, 1)), "x\u0000")).toBe("validation_error");
    expect(await store.getDispute(dispute.id)).toEqual(dispute);
    for (const text of ["dp\u0000", "\ud800"]) {
      expect(await store.getDispute(text)).toBeNull();
      expect(await store.transaction((tx) => tx.findDisputeByProviderId(payment.provider, text))).toBeNull();
      expect(await store.listPaymentDisputes(text)).toEqual([]);
    }
  });
}
