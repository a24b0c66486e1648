import { specFactsSource, specMismatches } from "@org/payments-test-support/stripe-fake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";
import { eventViolations, objectViolations, responseViolations } from "./support/stripe-wire-schema.js";

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

describe("the check of every answer against Stripe's OpenAPI definition", () => {
  it("catches a card error whose payment_method lacks Stripe's required fields (what the fake used to send)", async () => {
    const [declined] = rig.fake.paymentIntents().filter((pi) => pi.status === "requires_payment_method");
    const error = declined?.last_payment_error as { payment_method: Record<string, unknown> };
    expect(objectViolations("api_errors", error)).toEqual([]);
    const bare = { ...error, payment_method: { id: "pm_1", object: "payment_method", type: "card" } };
    expect(objectViolations("api_errors", bare)).toEqual(
      expect.arrayContaining([expect.stringContaining("(billing_details)"), expect.stringContaining("(created)"), expect.stringContaining("(livemode)")]),
    );
  });

  it("catches a dispute without evidence, and an event carrying it", () => {
    const dispute = rig.fake.createDispute(rig.fake.paymentIntents().find((pi) => pi.status === "succeeded")?.id as string);
    expect(objectViolations("dispute", dispute)).toEqual([]);
    const { evidence: _dropped, ...withoutEvidence } = dispute;
    expect(objectViolations("dispute", withoutEvidence)).toEqual([expect.stringContaining("(evidence)")]);
    const [event] = rig.fake.events("charge.dispute.created");
    expect(eventViolations({ ...event, data: { object: withoutEvidence } })).toEqual([expect.stringContaining("(evidence)")]);
  });

  it("checks an endpoint's answer by the endpoint's own schema, and any error by Stripe's error schema", () => {
    expect(responseViolations({ method: "GET", path: "/v1/refunds/re_1", status: 200, body: { id: "re_1", object: "refund" }, headers: {} })).toEqual(
      expect.arrayContaining([expect.stringContaining("(amount)")]),
    );
    expect(responseViolations({ method: "POST", path: "/v1/refunds", status: 400, body: { error: { message: "no type" } }, headers: {} })).toEqual([
      expect.stringContaining("(type)"),
    ]);
    expect(responseViolations({ method: "GET", path: "/v1/balance", status: 200, body: {}, headers: {} })).toEqual([
      expect.stringContaining("no such endpoint"),
    ]);
  });

  it("keeps Stripe's enums: a status Stripe does not have is a violation", async () => {
    const pi = (await rig.stripe.paymentIntents.list({ limit: 1 })).data[0];
    expect(objectViolations("payment_intent", { ...pi, status: "pending" })).toEqual(
      expect.arrayContaining([expect.stringContaining("/status must be equal to one of the allowed values")]),
    );
  });
});

