import { describe, expect, it } from "vitest";
import { disputeReasonOf } from "../src/disputes/dispute-reason.js";
import { disputeStatusOf } from "../src/disputes/dispute-status.js";
import { mapDispute, needsDisputeDetails } from "../src/disputes/map-dispute.js";

/** The mapping tables on their own: PayPal's words → the core's (Stripe's), as the README's table says. */
describe("PayPal dispute status → the core's status", () => {
  it.each([
    ["OPEN", "CHARGEBACK", undefined, "needs_response"],
    ["WAITING_FOR_SELLER_RESPONSE", "CHARGEBACK", undefined, "needs_response"],
    ["WAITING_FOR_SELLER_RESPONSE", "PRE_ARBITRATION", undefined, "needs_response"],
    ["OPEN", "INQUIRY", undefined, "warning_needs_response"],
    ["WAITING_FOR_SELLER_RESPONSE", "INQUIRY", undefined, "warning_needs_response"],
    ["WAITING_FOR_BUYER_RESPONSE", "CHARGEBACK", undefined, "under_review"],
    ["UNDER_REVIEW", "ARBITRATION", undefined, "under_review"],
    ["WAITING_FOR_BUYER_RESPONSE", "INQUIRY", undefined, "warning_under_review"],
    ["UNDER_REVIEW", "INQUIRY", undefined, "warning_under_review"],
    ["RESOLVED", "CHARGEBACK", "RESOLVED_SELLER_FAVOUR", "won"],
    ["RESOLVED", "CHARGEBACK", "CANCELED_BY_BUYER", "won"],
    ["RESOLVED", "CHARGEBACK", "DENIED", "won"],
    ["RESOLVED", "CHARGEBACK", "RESOLVED_BUYER_FAVOUR", "lost"],
    ["RESOLVED", "CHARGEBACK", "RESOLVED_WITH_PAYOUT", "lost"],
    ["RESOLVED", "CHARGEBACK", "ACCEPTED", "lost"],
    ["RESOLVED", "INQUIRY", "CANCELED_BY_BUYER", "warning_closed"],
    ["RESOLVED", "INQUIRY", "ACCEPTED", "warning_closed"],
    // No outcome PayPal states: not invented, kept open for a later report (or reconcile) to close.
    ["RESOLVED", "CHARGEBACK", "NONE", "under_review"],
    ["RESOLVED", "CHARGEBACK", undefined, "under_review"],
    ["OTHER", "CHARGEBACK", undefined, "under_review"],
    ["OTHER", "INQUIRY", undefined, "warning_under_review"],
    ["SOMETHING_NEW", undefined, undefined, "under_review"],
    // No stage at all (an older resource): a claim.
    ["OPEN", undefined, undefined, "needs_response"],
  ] as const)("%s at %s with outcome %s → %s", (status, stage, outcome, expected) => {
    expect(disputeStatusOf({ status, stage, outcome })).toBe(expected);
  });
});

describe("PayPal dispute reason → the core's reason", () => {
  it.each([
    ["MERCHANDISE_OR_SERVICE_NOT_RECEIVED", "product_not_received"],
    ["MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED", "product_unacceptable"],
    ["UNAUTHORISED", "fraudulent"],
    ["CREDIT_NOT_PROCESSED", "credit_not_processed"],
    ["DUPLICATE_TRANSACTION", "duplicate"],
    ["INCORRECT_AMOUNT", "general"],
    ["PAYMENT_BY_OTHER_MEANS", "duplicate"],
    ["CANCELED_RECURRING_BILLING", "subscription_canceled"],
    ["PROBLEM_WITH_REMITTANCE", "general"],
    ["OTHER", "general"],
    ["A_REASON_PAYPAL_ADDS_LATER", "general"],
    // An inherited property name is not a reason.
    ["constructor", "general"],
  ] as const)("%s → %s", (reason, expected) => {
    expect(disputeReasonOf(reason)).toBe(expected);
  });
});

describe("a dispute resource → GatewayDispute", () => {
  const noCapture = async () => null;
  const resource = (overrides: Record<string, unknown> = {}) => ({
    dispute_id: "PP-R-12345678",
    create_time: "2026-03-01T10:00:00.123Z",
    update_time: "2026-03-02T11:30:00.456Z",
    reason: "UNAUTHORISED",
    status: "WAITING_FOR_SELLER_RESPONSE",
    dispute_amount: { currency_code: "USD", value: "12.34" },
    dispute_life_cycle_stage: "CHARGEBACK",
    seller_response_due_date: "2026-03-11T11:30:00.456Z",
    disputed_transactions: [{ seller_transaction_id: "5O190127TN364715T" }],
    ...overrides,
  });

  it("keeps PayPal's words, converts the amount to minor units, and takes PayPal's times", async () => {
    expect(await mapDispute(resource(), noCapture, "2026-03-05T00:00:00.000Z")).toEqual({
      providerDisputeId: "PP-R-12345678",
      providerPaymentId: "5O190127TN364715T",
      paymentId: null,
      status: "needs_response",
      providerStatus: "WAITING_FOR_SELLER_RESPONSE",
      reason: "fraudulent",
      providerReason: "UNAUTHORISED",
      amount: 1234,
      currency: "USD",
      evidenceDueBy: "2026-03-11T11:30:00.456Z",
      openedAt: "2026-03-01T10:00:00.123Z",
      updatedAt: "2026-03-02T11:30:00.456Z",
    });
  });

  it("finds the order and our payment through the capture; PayPal's `custom` wins when it sends one", async () => {
    const lookup = async (id: string) => (id === "5O190127TN364715T" ? { orderId: "ORDER0000000000AB", paymentId: "pay_from_capture" } : null);
    expect(await mapDispute(resource(), lookup, "2026-03-05T00:00:00.000Z")).toMatchObject({ providerPaymentId: "ORDER0000000000AB", paymentId: "pay_from_capture" });
    const withCustom = resource({ disputed_transactions: [{ seller_transaction_id: "5O190127TN364715T", custom: "pay_custom" }] });
    expect(await mapDispute(withCustom, lookup, "2026-03-05T00:00:00.000Z")).toMatchObject({ providerPaymentId: "ORDER0000000000AB", paymentId: "pay_custom" });
  });

  it.each([
    ["JPY", "1200", 1200],
    // HUF has two decimals in ISO 4217 (the core's minor units) though PayPal sends whole forints.
    ["HUF", "1500", 150000],
    ["EUR", "0.50", 50],
  ] as const)("%s %s is %i minor units", async (currency, value, expected) => {
    expect(await mapDispute(resource({ dispute_amount: { currency_code: currency, value } }), noCapture, "x")).toMatchObject({ amount: expected, currency });
  });

  it("a decided dispute takes no evidence, whatever due date PayPal still carries", async () => {
    const won = resource({ status: "RESOLVED", dispute_outcome: { outcome_code: "RESOLVED_SELLER_FAVOUR" } });
    expect(await mapDispute(won, noCapture, "x")).toMatchObject({ status: "won", evidenceDueBy: null });
  });

  it("times PayPal leaves out fall back to the event's; an amount it leaves out falls back to the transaction's", async () => {
    const bare = resource({ create_time: undefined, update_time: undefined, dispute_amount: undefined, disputed_transactions: [{ seller_transaction_id: "X", gross_amount: { currency_code: "GBP", value: "3.00" } }] });
    const mapped = await mapDispute(bare, noCapture, "2026-03-05T00:00:00.000Z");
    expect(mapped).toMatchObject({ openedAt: "2026-03-05T00:00:00.000Z", amount: 300, currency: "GBP" });
    expect(mapped.updatedAt).toBeUndefined();
  });

  it("a list summary needs the details when it lacks the transaction, or a resolved one lacks its outcome", () => {
    const { disputed_transactions: _, ...summary } = resource();
    expect(needsDisputeDetails(summary)).toBe(true);
    expect(needsDisputeDetails(resource())).toBe(false);
    expect(needsDisputeDetails(resource({ status: "RESOLVED" }))).toBe(true);
    expect(needsDisputeDetails(resource({ status: "RESOLVED", dispute_outcome: { outcome_code: "DENIED" } }))).toBe(false);
  });
});

describe("the README's dispute reason table says what the code says", () => {
  it("every PayPal reason it names maps as it says", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("| PayPal `reason` |"), readme.indexOf("### Reconcile"));
    let named = 0;
    for (const row of section.matchAll(/^\| ((?:`[A-Z_]+`(?:, )?)+)[^|]* \| `([a-z_]+)` \|$/gm)) {
      for (const reason of row[1]!.matchAll(/`([A-Z_]+)`/g)) {
        named++;
        expect(disputeReasonOf(reason[1]!), reason[1]).toBe(row[2]);
      }
    }
    expect(named).toBe(10);
  });
});
