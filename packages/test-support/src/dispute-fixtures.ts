import type { Dispute, DisputeFilter, Payment, PaymentStore } from "@org/payments-core";
import { samplePayment } from "@org/payments-core/testing";

/**
 * Disputes for the SQL adapters' own tests (what is specific to SQL: the migration, the unique constraint, the
 * indexes, the deferred writes); the port's rules are core's store contract. Both SQL adapters' tests use
 * this one file, so both engines are asked the same questions over the same rows.
 */

let counter = 0;

/** A needs_response chargeback of `payment`, opened when it was last updated; ids sort in creation order. */
export function makeDispute(payment: Payment, overrides: Partial<Dispute> = {}): Dispute {
  counter += 1;
  const at = payment.updatedAt;
  const serial = `${Date.now().toString(36).padStart(10, "0")}${String(counter).padStart(8, "0")}`;
  return {
    id: `dp_${serial}`,
    paymentId: payment.id,
    provider: payment.provider,
    providerDisputeId: `du_${serial}`,
    providerPaymentId: payment.providerPaymentId,
    amount: payment.amount,
    currency: payment.currency,
    status: "needs_response",
    reason: "fraudulent",
    providerReason: "fraudulent",
    evidenceDueBy: new Date(Date.parse(at) + 7 * 86_400_000).toISOString(),
    statusHistory: [{ status: "needs_response", providerStatus: "needs_response", at }],
    openedAt: at,
    closedAt: null,
    reportedAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

export const SEEDED_DISPUTES = 3_000;
const YEAR_START = Date.parse("2026-01-01T00:00:00.000Z");
/** One dispute every ~3 hours over a year. */
const SPACING_MS = 10_000_000;
export const disputeSeededAt = (index: number): string => new Date(YEAR_START + index * SPACING_MS).toISOString();
const LAST = disputeSeededAt(SEEDED_DISPUTES - 1);
const tenMinutesBefore = (iso: string) => new Date(Date.parse(iso) - 600_000).toISOString();

/** The payment id the paymentId filter asks for: one seeded payment among thousands. */
export const SEEDED_PAYMENT_ID = "pay_seeded_00001234";

/**
 * A year of disputes, each of its own payment, in one transaction: most `needs_response`, `under_review` or `won`
 * on stripe in EUR; a rare status, provider and currency each (so each filter is selective enough that its index is
 * the plan to choose); an evidence deadline on one in ten, the others answered already.
 */
export async function seedYearOfDisputes(store: PaymentStore): Promise<void> {
  const common = ["needs_response", "under_review", "won"] as const;
  await store.transaction(async (tx) => {
    for (let i = 0; i < SEEDED_DISPUTES; i++) {
      const at = disputeSeededAt(i);
      const paypal = i % 250 === 1;
      const payment = samplePayment({
        id: `pay_seeded_${String(i).padStart(8, "0")}`,
        createdAt: at,
        updatedAt: at,
        provider: paypal ? "paypal" : "stripe",
        currency: i % 250 === 2 ? "JPY" : "EUR",
      });
      await tx.insertPayment(payment);
      await tx.insertDispute(
        makeDispute(payment, {
          status: i % 250 === 0 ? "lost" : common[i % 3]!,
          evidenceDueBy: i % 10 === 0 ? new Date(Date.parse(at) + 7 * 86_400_000).toISOString() : null,
        }),
      );
    }
  });
}

/** Each filter a host pages disputes by, and the index that must answer it instead of a walk of every dispute. */
export const INDEXED_DISPUTE_FILTERS: ReadonlyArray<{ name: string; filter: DisputeFilter; index: string }> = [
  { name: "paymentId", filter: { paymentId: SEEDED_PAYMENT_ID }, index: "disputes_payment_id_id" },
  { name: "status (a rare one)", filter: { status: "lost" }, index: "disputes_status_id" },
  { name: "provider (a rare one)", filter: { provider: "paypal" }, index: "disputes_provider_id" },
  { name: "currency (a rare one)", filter: { currency: "JPY" }, index: "disputes_currency_id" },
  { name: "openedFrom (the last 10 minutes)", filter: { openedFrom: tenMinutesBefore(LAST) }, index: "disputes_opened_at" },
  { name: "openedTo (the first day)", filter: { openedTo: disputeSeededAt(8) }, index: "disputes_opened_at" },
  { name: "evidenceDueBefore (the first fortnight)", filter: { evidenceDueBefore: disputeSeededAt(120) }, index: "disputes_evidence_due_by" },
];

/** The window the stats are asked for: the first day, through disputes_opened_at. */
export const STATS_WINDOW = { openedFrom: disputeSeededAt(0), openedTo: disputeSeededAt(8) };
