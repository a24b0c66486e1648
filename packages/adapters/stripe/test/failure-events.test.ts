import { ManualClock, createMemoryStore, createPaymentService, paymentEventJsonSchemas } from "@org/payments-core";
import type { MemoryPaymentStore, PaymentEvent, PaymentEventType, PaymentService } from "@org/payments-core";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/**
 * Failure events from real provider answers: a charge the Stripe fake declines, through the whole service, leaves a
 * payment.failed event in the outbox whose code and decline code are Stripe's, valid against the published schema.
 */

const clock = new ManualClock(new Date());
let rig: StripeTestRig;
let store: MemoryPaymentStore;
let service: PaymentService;
let seq = 0;
const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });

beforeAll(async () => {
  rig = await startStripeRig({ fake: { now: () => clock.now().getTime() }, timeoutMs: 1000 });
});
afterAll(() => rig.close());
beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  store = createMemoryStore();
  service = createPaymentService({ store, gateways: [rig.gateway], clock });
});

/** A type's JSON Schema as a consumer in another language would apply it (ajv, draft 2020-12). */
function validatorFor(type: PaymentEventType) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  const validate = ajv.compile(paymentEventJsonSchemas()[type]);
  return (event: PaymentEvent) => (validate(event) ? "valid" : ajv.errorsText(validate.errors));
}

async function eventsOf(paymentId: string): Promise<PaymentEvent[]> {
  // Through JSON, as a broker delivers it.
  return (await store.listOutbox({ limit: 100 })).map((entry) => JSON.parse(JSON.stringify(entry.event)) as PaymentEvent).filter((e) => e.paymentId === paymentId);
}

describe("payment.failed from Stripe's declines", () => {
  it.each([
    ["pm_card_visa_chargeDeclined", "card_declined", "generic_decline"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds", "insufficient_funds"],
    ["pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"],
  ])("%s: the event carries code %s and Stripe's decline code %s, and validates against the schema", async (method, code, declineCode) => {
    const { payment } = await service.createPayment({ owner, amount: 4599, currency: "EUR" }, ctx("create"));
    await service.confirmPayment(payment.id, { paymentMethodId: method }, ctx("confirm")).catch(() => undefined);

    const failed = (await eventsOf(payment.id)).filter((e) => e.type === "payment.failed");
    expect(failed).toHaveLength(1);
    const event = failed[0]!;
    const [intent] = rig.fake.paymentIntents().filter((pi) => pi.metadata["payment_id"] === payment.id);
    const stripeError = intent!.last_payment_error as { code?: string; decline_code?: string; message?: string };
    expect(event.data.error).toEqual({ code, declineCode, message: expect.any(String) });
    // Stripe's own answer, not a generic one: the decline code is the one on the PaymentIntent.
    expect(event.data.error!.declineCode).toBe(stripeError.decline_code);
    expect(event.data.error!.message).toBe(stripeError.message);
    expect(event.data).toMatchObject({ previousStatus: "processing", payment: { status: "failed", amount: 4599 } });
    expect(validatorFor("payment.failed")(event)).toBe("valid");
  });
});

describe("refund.failed from Stripe's answers", () => {
  it("a refund Stripe refuses (charge disputed): the event keeps the refund's reason and carries Stripe's code", async () => {
    const { payment } = await service.createPayment({ owner, amount: 4599, currency: "EUR" }, ctx("create"));
    const paid = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.createDispute(paid.payment.providerPaymentId!);
    await service.refundPayment(payment.id, { amount: 1000, reason: "requested_by_customer" }, ctx("refund")).catch(() => undefined);
    const [event] = (await eventsOf(payment.id)).filter((e) => e.type === "refund.failed");
    expect(event!.data.refund).toMatchObject({ status: "failed", reason: "requested_by_customer" });
    expect(event!.data.error).toMatchObject({ code: "processing_error", declineCode: "charge_disputed" });
    expect(validatorFor("refund.failed")(event!)).toBe("valid");
  });

  it("a refund Stripe fails after accepting it, found by reconcile: Stripe's failure_reason (lost_or_stolen_card) is kept as the code, and refund.failed says so", async () => {
    const { payment } = await service.createPayment({ owner, amount: 5000, currency: "EUR" }, ctx("create"));
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"));
    rig.fake.setRefundStatus("pending");
    const { refund } = await service.refundPayment(payment.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund"));
    rig.fake.settleRefund(refund.providerRefundId!, "failed", "lost_or_stolen_card");
    await service.reconcile({ provider: "stripe", since: new Date(clock.now().getTime() - 60 * 60_000), apply: true });
    const [after] = await service.listRefunds(payment.id);
    expect(after!.failure).toEqual({ code: "processing_error", declineCode: "lost_or_stolen_card", message: "lost_or_stolen_card" });
    const [event] = (await eventsOf(payment.id)).filter((e) => e.type === "refund.failed");
    expect(event!.data).toMatchObject({ refund: { id: refund.id, status: "failed" }, error: after!.failure });
    expect(validatorFor("refund.failed")(event!)).toBe("valid");
  });
});
