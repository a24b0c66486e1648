import { ManualClock, createMemoryStore, createPaymentService, paymentEventJsonSchemas } from "@org/payments-core";
import type { MemoryPaymentStore, PaymentEvent, PaymentEventType, PaymentService } from "@org/payments-core";
import type { ApprovalOutcome } from "@org/payments-test-support/paypal-fake";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * Failure events from real provider answers: a capture the PayPal fake declines, or a refund it refuses, through the
 * whole service, leaves a payment.failed / refund.failed event whose reason is PayPal's, valid against the schema.
 */

const clock = new ManualClock(new Date());
const rig: PayPalTestRig = await startPayPalRig({ clock: () => clock.now() }, { now: () => clock.now() });
afterAll(() => rig.close());

let store: MemoryPaymentStore;
let service: PaymentService;
let seq = 0;
const owner = "alice";
const ctx = (label: string) => ({ scope: owner, idempotencyKey: `${label}-${++seq}` });

beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  store = createMemoryStore();
  service = createPaymentService({ store, gateways: [rig.gateway], clock });
});

/** Creates the payment and its order, lets the buyer approve it (with `outcome` at capture), and resumes it. */
async function resumedAfterApproval(outcome?: ApprovalOutcome) {
  const { payment } = await service.createPayment({ owner, amount: 5000, currency: "USD", provider: "paypal" }, ctx("create"));
  const confirmed = await service.confirmPayment(payment.id, { returnUrl: "https://shop.example/return", cancelUrl: "https://shop.example/cancel" }, ctx("confirm"));
  rig.fake.approveOrder(confirmed.payment.providerPaymentId!, outcome);
  await service.confirmPayment(payment.id, {}, ctx("resume")).catch(() => undefined);
  return payment;
}

/** A type's JSON Schema as a consumer in another language would apply it (ajv, draft 2020-12). */
function validatorFor(type: PaymentEventType) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  const validate = ajv.compile(paymentEventJsonSchemas()[type]);
  return (event: PaymentEvent) => (validate(event) ? "valid" : ajv.errorsText(validate.errors));
}

async function eventsOf(paymentId: string, type: PaymentEventType): Promise<PaymentEvent[]> {
  // Through JSON, as a broker delivers it.
  const entries = await store.listOutbox({ limit: 100 });
  return entries.map((entry) => JSON.parse(JSON.stringify(entry.event)) as PaymentEvent).filter((e) => e.paymentId === paymentId && e.type === type);
}

describe("failure events from PayPal's answers", () => {
  it.each([
    [{ kind: "decline_422", issue: "PAYER_ACCOUNT_RESTRICTED" }, "card_declined", "PAYER_ACCOUNT_RESTRICTED"],
    [{ kind: "decline_201", responseCode: "5120" }, "insufficient_funds", "5120"],
  ] as const)("a capture declined (%o): payment.failed carries %s and PayPal's %s, valid against the schema", async (outcome, code, declineCode) => {
    const payment = await resumedAfterApproval(outcome);
    const failed = await eventsOf(payment.id, "payment.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.error).toEqual({ code, declineCode, message: expect.any(String) });
    expect(failed[0]!.data.error!.message.length).toBeGreaterThan(0);
    expect(failed[0]!.data.payment).toMatchObject({ status: "failed", amountCaptured: 0 });
    expect(validatorFor("payment.failed")(failed[0]!)).toBe("valid");
  });

  it("a refund PayPal refuses: refund.failed keeps the reason it was asked for and says why it failed", async () => {
    const payment = await resumedAfterApproval();
    rig.fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue: "REFUND_FAILED_INSUFFICIENT_FUNDS" } });
    await service.refundPayment(payment.id, { amount: 1200, reason: "requested_by_customer" }, ctx("refund")).catch(() => undefined);
    const [event] = await eventsOf(payment.id, "refund.failed");
    expect(event!.data.refund).toMatchObject({ status: "failed", amount: 1200, reason: "requested_by_customer" });
    expect(event!.data.error).toEqual({ code: "processing_error", declineCode: "REFUND_FAILED_INSUFFICIENT_FUNDS", message: "REFUND_FAILED_INSUFFICIENT_FUNDS" });
    expect(validatorFor("refund.failed")(event!)).toBe("valid");
  });
});
