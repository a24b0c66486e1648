import type { OutboxEntry, PaymentFilter, PaymentStore } from "@org/payments-core";
import { sampleEvent, samplePayment, sampleRefund } from "@org/payments-core/testing";
import { expect } from "vitest";

/**
 * The data and the filters both SQL adapters' query-plan tests use, so that the two engines are asked the same
 * questions over the same rows: payments spread over a year, one every ~100 minutes, each with a reference of its
 * own, and an outbox with a delivered history and a backlog.
 */
export const SEEDED_PAYMENTS = 5_000;
const YEAR_START = Date.parse("2026-01-01T00:00:00.000Z");
const SPACING_MS = 6_000_000;
export const seededAt = (index: number): string => new Date(YEAR_START + index * SPACING_MS).toISOString();
export const LAST_SEEDED = seededAt(SEEDED_PAYMENTS - 1);
const tenMinutesBefore = (iso: string) => new Date(Date.parse(iso) - 600_000).toISOString();

/** Each filter a host pages through, and the index that must answer it instead of a walk of every payment. */
export const INDEXED_FILTERS: ReadonlyArray<{ name: string; filter: PaymentFilter; index: string }> = [
  { name: "reference", filter: { reference: { key: "booking", value: "b_4242" } }, index: "payment_references_lookup" },
  { name: "createdFrom (the last 10 minutes)", filter: { createdFrom: tenMinutesBefore(LAST_SEEDED) }, index: "payments_created_at" },
  { name: "createdTo (the first day)", filter: { createdTo: seededAt(14) }, index: "payments_created_at" },
  { name: "updatedFrom (reconcile's window)", filter: { updatedFrom: tenMinutesBefore(LAST_SEEDED) }, index: "payments_updated_at" },
  { name: "authorizationExpiresBefore", filter: { authorizationExpiresBefore: seededAt(10) }, index: "payments_authorization_expires_at" },
  { name: "updatedTo (the first day)", filter: { updatedTo: seededAt(14) }, index: "payments_updated_at" },
  { name: "customerId", filter: { customerId: "cus_42" }, index: "payments_customer_id_id" },
  { name: "customerEmail", filter: { customerEmail: "c42@example.com" }, index: "payments_customer_email_id" },
  { name: "currency (a rare one)", filter: { currency: "JPY" }, index: "payments_currency_id" },
  { name: "amount range", filter: { amountMin: 3_000, amountMax: 3_010 }, index: "payments_amount" },
  { name: "disputed", filter: { disputed: true }, index: "payments_disputed_id" },
];

/**
 * Metadata is JSON with free keys. PostgreSQL answers it alone through its GIN index; SQLite has none over arbitrary
 * keys, so there it is checked on the rows another filter found (here a customer's, through that filter's index).
 */
export const METADATA_ALONE: { filter: PaymentFilter; index: string } = {
  filter: { metadata: { key: "channel", value: "ch_4242" } },
  index: "payments_metadata",
};
export const METADATA_WITH_CUSTOMER: { filter: PaymentFilter; index: string } = {
  filter: { customerId: "cus_242", metadata: { key: "channel", value: "ch_4242" } },
  index: "payments_customer_id_id",
};

/** The provider refund id support looks up (`findRefundByProviderId`): one of the seeded refunds, of a stripe payment. */
export const SEEDED_REFUND_LOOKUP = { provider: "stripe", providerRefundId: "re_4240", index: "refunds_provider_refund_id" } as const;

/** Inserts the year of payments through the port, in one transaction; every tenth has a refund with a provider id. */
export async function seedYearOfPayments(store: PaymentStore): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < SEEDED_PAYMENTS; i++) {
      const payment = samplePayment({
        createdAt: seededAt(i),
        updatedAt: seededAt(i),
        owner: `user_${i % 50}`,
        references: { booking: `b_${i}` },
        // Five payments per customer, a rare currency and a rare dispute, amounts one apart, a channel each: each
        // search filter selective enough that its index is the plan to choose.
        customerId: `cus_${i % 1_000}`,
        customerEmail: `c${i % 1_000}@example.com`,
        currency: i % 250 === 0 ? "JPY" : "EUR",
        amount: 1_000 + i,
        disputed: i % 250 === 1,
        metadata: { channel: `ch_${i}` },
        provider: i % 10 === 0 ? "stripe" : "simulated",
        // A few authorized payments carry an expiry (the index is partial: only those).
        authorizationExpiresAt: i % 100 === 0 ? seededAt(i + 7) : null,
        });
      await tx.insertPayment(payment);
      if (i % 10 === 0) await tx.insertRefund(sampleRefund(payment, { providerRefundId: `re_${i}` }));
    }
  });
}

/** 2,000 payments with three events each; then `MARK_HISTORY_DELIVERED`, run through the driver, delivers the first 3,000. */
export async function seedOutboxBacklog(store: PaymentStore): Promise<void> {
  await store.transaction(async (tx) => {
    for (let i = 0; i < 2_000; i++) {
      const payment = samplePayment({ createdAt: seededAt(i), updatedAt: seededAt(i) });
      await tx.appendOutbox([0, 1, 2].map((n) => sampleEvent(payment, n === 0 ? "payment.created" : "payment.processing", seededAt(i))));
    }
  });
}

/** A delivered history ahead of the backlog: the claim must walk past it through its index, not over it. */
export const MARK_HISTORY_DELIVERED = "update outbox set status = 'delivered', delivered_at = next_attempt_at where sequence <= 3000";

/** The claim both engines make over the seeded backlog. */
export const BACKLOG_CLAIM = { claimant: "d1", now: LAST_SEEDED, leaseUntil: new Date(Date.parse(LAST_SEEDED) + 60_000).toISOString(), limit: 50 };

/** What that claim must lease: the oldest undelivered event of each of the next 50 payments, in sequence order. */
export function expectOldestHeadsClaimed(claimed: readonly OutboxEntry[]): void {
  expect(claimed).toHaveLength(50);
  expect(new Set(claimed.map((entry) => entry.event.paymentId)).size).toBe(50);
  expect(claimed.map((entry) => entry.sequence)).toEqual(Array.from({ length: 50 }, (_, k) => 3_001 + 3 * k));
}
