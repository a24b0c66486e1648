import { DISPUTE_REASONS, DISPUTE_STATUSES, isPaymentError, type PaymentError } from "@org/payments-core";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { coreDisputeReason, coreDisputeStatus } from "../src/dispute-vocabulary.js";
import { disputeSubject, mapDispute } from "../src/map-dispute.js";

// Stripe's published example dispute (stripe/openapi fixtures3.json, MIT), as stripe-node 23 types it; the tests
// vary what they are about. Statuses newer than the wire check's definition (prevented, appeals) are tested here.
function stripeDispute(overrides: Partial<Stripe.Dispute> = {}): Stripe.Dispute {
  return {
    id: "dp_1Pgc71B7WZ01zgkWMevJiAUx",
    object: "dispute",
    amount: 1000,
    balance_transactions: [],
    charge: "ch_1PgafuB7WZ01zgkWXYmPNZs8",
    created: 1_234_567_890,
    currency: "usd",
    enhanced_eligibility_types: ["visa_compelling_evidence_3"],
    evidence: {} as Stripe.Dispute.Evidence,
    evidence_details: { due_by: 1_723_679_999, has_evidence: false, past_due: false, submission_count: 0 } as Stripe.Dispute.EvidenceDetails,
    intended_submission_method: null,
    is_charge_refundable: true,
    livemode: false,
    metadata: {},
    payment_intent: "pi_1",
    reason: "general",
    status: "warning_needs_response",
    ...overrides,
  };
}

const subject = { providerPaymentId: "pi_1", paymentId: "pay_1" };

function refusal(run: () => unknown): PaymentError {
  try {
    run();
  } catch (error) {
    expect(isPaymentError(error)).toBe(true);
    return error as PaymentError;
  }
  throw new Error("expected a refusal");
}

describe("Stripe's dispute statuses and reasons in the core's words", () => {
  it("the core's seven statuses and fourteen reasons are Stripe's own and map to themselves", () => {
    for (const status of DISPUTE_STATUSES) expect(coreDisputeStatus(status)).toBe(status);
    for (const reason of DISPUTE_REASONS) expect(coreDisputeReason(reason)).toBe(reason);
  });

  it.each([
    ["prevented", "warning_closed"],
    ["appeal_needs_response", "needs_response"],
    ["appeal_under_review", "under_review"],
  ] as const)("stripe-node 23's %s is the nearest core status %s, Stripe's word kept", (providerStatus, status) => {
    const mapped = mapDispute(stripeDispute({ status: providerStatus }), subject);
    expect(mapped).toMatchObject({ status, providerStatus });
  });

  it("a status Stripe adds later is refused with a stable code and reason, never guessed", () => {
    const error = refusal(() => mapDispute(stripeDispute({ status: "escalated_to_network" }), subject));
    expect(error.code).toBe("validation_error");
    expect(error.details).toMatchObject({ provider: "stripe", field: "dispute.status", reason: "dispute_status_unknown" });
    // Something that is not a status word is not repeated.
    const odd = refusal(() => coreDisputeStatus("<script>4242 4242</script>"));
    expect(odd.message).not.toContain("4242");
  });

  it("a reason the core does not share (noncompliant, a future one) is general, Stripe's word kept", () => {
    expect(mapDispute(stripeDispute({ reason: "noncompliant" }), subject)).toMatchObject({ reason: "general", providerReason: "noncompliant" });
    expect(mapDispute(stripeDispute({ reason: "brand_new_reason" }), subject)).toMatchObject({ reason: "general", providerReason: "brand_new_reason" });
  });
});

describe("mapDispute", () => {
  it("maps Stripe's example: ids, amount in minor units, upper-case currency, deadline and opening as ISO", () => {
    expect(mapDispute(stripeDispute(), subject)).toEqual({
      providerDisputeId: "dp_1Pgc71B7WZ01zgkWMevJiAUx",
      providerPaymentId: "pi_1",
      paymentId: "pay_1",
      status: "warning_needs_response",
      providerStatus: "warning_needs_response",
      reason: "general",
      providerReason: "general",
      amount: 1000,
      currency: "USD",
      evidenceDueBy: "2024-08-14T23:59:59.000Z",
      openedAt: "2009-02-13T23:31:30.000Z",
    });
  });

  it.each([
    ["jpy", 5000, 5000],
    ["kwd", 12340, 12340],
    ["isk", 150000, 1500],
    ["mga", 50, 5000],
  ])("amounts use the currency's exponent (%s: Stripe %i is %i minor units)", (currency, stripeAmount, minor) => {
    expect(mapDispute(stripeDispute({ currency, amount: stripeAmount }), subject)).toMatchObject({ amount: minor, currency: currency.toUpperCase() });
  });

  it("no deadline when Stripe sends none, 0 (the issuer takes no response), or the dispute is closed", () => {
    const details = (due_by: number | null) => ({ ...stripeDispute().evidence_details, due_by });
    expect(mapDispute(stripeDispute({ evidence_details: details(null) }), subject).evidenceDueBy).toBeNull();
    expect(mapDispute(stripeDispute({ evidence_details: details(0) }), subject).evidenceDueBy).toBeNull();
    for (const status of ["won", "lost", "warning_closed", "prevented"] as const) {
      expect(mapDispute(stripeDispute({ status }), subject).evidenceDueBy).toBeNull();
    }
    // Under review Stripe still holds the deadline: kept.
    expect(mapDispute(stripeDispute({ status: "under_review" }), subject).evidenceDueBy).toBe("2024-08-14T23:59:59.000Z");
  });
});

describe("disputeSubject", () => {
  const intent = (id: string, paymentId?: string) => ({ id, object: "payment_intent", metadata: paymentId ? { payment_id: paymentId } : {} }) as unknown as Stripe.PaymentIntent;
  const none = {
    charge: async (): Promise<Stripe.Charge> => {
      throw new Error("no read expected");
    },
    paymentIntent: async (): Promise<Stripe.PaymentIntent> => {
      throw new Error("no read expected");
    },
  };

  it("an expanded PaymentIntent gives our payment id without a read", async () => {
    expect(await disputeSubject(stripeDispute({ payment_intent: intent("pi_9", "pay_9") }), none)).toEqual({ providerPaymentId: "pi_9", paymentId: "pay_9" });
  });

  it("a dispute naming only its charge goes through the charge to its intent", async () => {
    const reads: string[] = [];
    const lookups = {
      charge: async (id: string) => (reads.push(id), { id, payment_intent: "pi_7" }) as unknown as Stripe.Charge,
      paymentIntent: async (id: string) => (reads.push(id), intent(id, "pay_7")),
    };
    expect(await disputeSubject(stripeDispute({ payment_intent: null, charge: "ch_7" }), lookups)).toEqual({ providerPaymentId: "pi_7", paymentId: "pay_7" });
    expect(reads).toEqual(["ch_7", "pi_7"]);
  });

  it("a charge without an intent: no provider payment, no payment id, no further read", async () => {
    const lookups = { ...none, charge: async (id: string) => ({ id, payment_intent: null }) as unknown as Stripe.Charge };
    expect(await disputeSubject(stripeDispute({ payment_intent: null }), lookups)).toEqual({ providerPaymentId: null, paymentId: null });
  });
});
