import { specFactsSource, specMismatches } from "@org/payments-test-support/stripe-fake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

// The fake must speak Stripe's wire format, not our guess of it: its objects are checked against the field list
// and JSON types of Stripe's published example objects (a trimmed copy kept in test-support, MIT).
let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig();
  const pay = (pm: string, captureMethod: "automatic" | "manual" = "automatic") =>
    rig.gateway.createPayment(
      { paymentId: newPaymentId(), amount: 2000, currency: "EUR", captureMethod, paymentMethodId: pm },
      { idempotencyKey: key("spec") },
    );
  const paid = await pay("pm_card_visa");
  await pay("pm_card_visa", "manual");
  await pay("pm_card_visa_chargeDeclined");
  await pay("pm_card_authenticationRequired");
  await rig.gateway.refund(
    { paymentId: "p", refundId: "r", providerPaymentId: paid.providerPaymentId, amount: 500, currency: "EUR", reason: "duplicate" },
    { idempotencyKey: key("spec-r") },
  );
});
afterAll(() => rig.close());

describe("the Stripe fake against Stripe's fixtures", () => {
  it("names its source", () => {
    expect(specFactsSource).toMatch(/stripe\/openapi.*MIT/);
  });

  it("PaymentIntents in every state have Stripe's fields and types, as listed over the SDK", async () => {
    const listed = await rig.stripe.paymentIntents.list({ limit: 100 });
    const statuses = new Set(listed.data.map((pi) => pi.status));
    expect(statuses).toEqual(new Set(["succeeded", "requires_capture", "requires_payment_method", "requires_action"]));
    for (const pi of listed.data) expect(specMismatches("payment_intent", pi as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("Refunds have Stripe's fields and types", async () => {
    const refunds = await rig.stripe.refunds.list({ limit: 100 });
    expect(refunds.data).toHaveLength(1);
    for (const refund of refunds.data) expect(specMismatches("refund", refund as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("events have Stripe's fields and types", () => {
    const events = rig.fake.events();
    expect(events.length).toBeGreaterThan(5);
    for (const event of events) expect(specMismatches("event", event)).toEqual([]);
  });

  it("the check itself catches a missing field and a wrong type", () => {
    expect(specMismatches("refund", { id: "re_1" })).toContain("refund.amount is missing");
    const [pi] = rig.fake.paymentIntents();
    expect(specMismatches("payment_intent", { ...pi, amount: "2000" })).toContain(
      "payment_intent.amount is string, Stripe sends number",
    );
  });
});
