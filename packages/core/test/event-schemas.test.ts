import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { PAYMENT_EVENT_SCHEMAS, parsePaymentEvent, paymentEventJsonSchemas } from "../src/domain/event-schemas.js";
import { PAYMENT_EVENT_TYPES } from "../src/domain/events.js";
import { EVENT_FAILURE_MESSAGE_MAX, eventFailureReason } from "../src/domain/event-failure-reason.js";
import type { PaymentEvent } from "../src/domain/events.js";
import type { Payment } from "../src/domain/payment.js";
import { ManualClock } from "../src/ports/clock.js";
import type { GatewayCallOptions, GatewayRefund, GatewayWebhookEvent, RefundGatewayRequest, WebhookHeaders } from "../src/ports/payment-gateway.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { PaymentService } from "../src/service/payment-service.js";
import { SimulatedGateway } from "../src/simulated/index.js";
import { ctx } from "./helpers.js";

/** The simulated provider, plus the one thing it cannot produce: a failed refund. */
class ProviderWithFailuresAndDisputes extends SimulatedGateway {
  failRefunds = false;
  /** Lets an unknown payment method reach the provider, which refuses it there (phase 2). */
  override checkPaymentMethod(): null {
    return null;
  }
  override async refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund> {
    const refund = await super.refund(request, options);
    return this.failRefunds ? { ...refund, status: "failed", failureReason: "card account closed" } : refund;
  }
}

/** ajv without ajv-formats: the one format the schemas use, as core writes it (UTC, `Z`). */
function compiler(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  return ajv;
}

/** Runs every flow that emits an event and returns everything the outbox holds. */
async function eventsOfEveryFlow(): Promise<PaymentEvent[]> {
  const clock = new ManualClock("2026-03-01T10:00:00.000Z");
  const store = new MemoryPaymentStore();
  const gateway = new ProviderWithFailuresAndDisputes({ clock });
  const service = new PaymentService({ store, gateways: [gateway], clock });
  const create = async (key: string, captureMethod: "automatic" | "manual" = "automatic") =>
    (await service.createPayment({ owner: "user_1", amount: 1000, currency: "USD", captureMethod, references: { booking: key } }, ctx(`create-${key}`))).payment;
  const confirm = (payment: Payment, paymentMethodId: string) => service.confirmPayment(payment.id, { paymentMethodId }, ctx(`confirm-${payment.id}`));

  const paid = await create("paid");
  await confirm(paid, "pm_card_visa");
  await service.refundPayment(paid.id, { amount: 300, reason: "late pickup" }, ctx("refund-1", "admin"));
  await service.refundPayment(paid.id, { amount: 700, reason: "canceled trip" }, ctx("refund-2", "admin"));

  const refused = await create("refused");
  await confirm(refused, "pm_bogus").catch(() => undefined);

  const declined = await create("declined");
  await confirm(declined, "pm_card_visa_chargeDeclined").catch(() => undefined);

  const threeDs = await create("3ds");
  const pending = await confirm(threeDs, "pm_card_authenticationRequired");
  gateway.completeAction(pending.payment.providerPaymentId!);
  await service.confirmPayment(threeDs.id, {}, ctx("resume-3ds"));

  const held = await create("held", "manual");
  await confirm(held, "pm_card_visa");
  await service.capturePayment(held.id, { amount: 600 }, ctx("capture", "admin"));
  const released = await create("released", "manual");
  await confirm(released, "pm_card_visa");
  await service.cancelPayment(released.id, {}, ctx("cancel"));

  const refundFails = await create("refund-fails");
  await confirm(refundFails, "pm_card_visa");
  gateway.failRefunds = true;
  await service.refundPayment(refundFails.id, { amount: 100, reason: "goodwill" }, ctx("refund-3", "admin")).catch(() => undefined);
  gateway.failRefunds = false;

  // A chargeback opened, answered and lost; an inquiry that closed without becoming one.
  const chargeback = gateway.openDispute((await service.getPayment(paid.id)).providerPaymentId!, { amount: 400 });
  const deliver = async (disputeId: string, type?: string) => {
    const webhook = gateway.disputeWebhookFor(disputeId, type);
    await service.handleWebhook("simulated", webhook.rawBody, webhook.headers);
  };
  await deliver(chargeback, "dispute.created");
  clock.advance(1_000);
  gateway.moveDispute(chargeback, "under_review");
  await deliver(chargeback);
  clock.advance(1_000);
  gateway.moveDispute(chargeback, "lost");
  await deliver(chargeback);
  const inquiry = gateway.openDispute((await service.getPayment(held.id)).providerPaymentId!, { inquiry: true, reason: "unrecognized" });
  gateway.moveDispute(inquiry, "warning_closed");
  await deliver(inquiry, "dispute.created");
  await service.updatePayment(paid.id, { description: "seat 12A", metadata: { desk: "note" } }, ctx("update-paid"));

  // We recorded a failure the provider did not: reconciliation corrects it (payment.succeeded + payment.corrected).
  const wrongFail = await create("wrong-fail");
  await confirm(wrongFail, "pm_card_visa");
  await store.transaction(async (tx) => {
    const current = (await tx.getPayment(wrongFail.id))!;
    await tx.updatePayment({ ...current, status: "failed", amountCaptured: 0, receiptNumber: null, version: current.version + 1 }, current.version);
  });
  // The provider has no object for a payment we hold authorized: reconcile fails it, with no decline code.
  const vanished = await create("vanished", "manual");
  await store.transaction(async (tx) => {
    const current = (await tx.getPayment(vanished.id))!;
    await tx.updatePayment({ ...current, status: "authorized", providerPaymentId: "sim_nowhere", version: current.version + 1 }, current.version);
  });
  clock.advance(60_000);
  await service.reconcile({ provider: "simulated", since: new Date("2026-03-01T00:00:00.000Z"), apply: true });

  return (await store.listOutbox({ limit: 1_000 })).map((entry) => entry.event);
}

describe("versioned event payloads", () => {
  it("the flows emit every event type, and every event validates against its type's JSON Schema", async () => {
    const events = await eventsOfEveryFlow();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(PAYMENT_EVENT_TYPES));
    const ajv = compiler();
    const schemas = paymentEventJsonSchemas();
    const validators = new Map(PAYMENT_EVENT_TYPES.map((type) => [type, ajv.compile(schemas[type])]));
    for (const event of events) {
      const validate = validators.get(event.type)!;
      expect(validate(event), `${event.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it("every event matches its zod schema with no undocumented field", async () => {
    for (const event of await eventsOfEveryFlow()) {
      // zod strips unknown keys: anything the service sends that the schema does not describe shows up here.
      expect(PAYMENT_EVENT_SCHEMAS[event.type].parse(JSON.parse(JSON.stringify(event)))).toEqual(JSON.parse(JSON.stringify(event)));
    }
  });

  it("failure events say why: payment.failed with and without the provider's decline code, refund.failed with its reason", async () => {
    const events = await eventsOfEveryFlow();
    const ajv = compiler();
    const schemas = paymentEventJsonSchemas();
    const failed = events.filter((e) => e.type === "payment.failed");
    expect(failed.length).toBeGreaterThanOrEqual(2);
    // Every payment.failed the service emits names its reason (the schema keeps it optional for older events).
    for (const event of failed) expect(event.data.error, event.paymentId).toBeDefined();
    const declined = failed.find((e) => e.data.error?.declineCode !== undefined)!;
    expect(declined.data.error).toEqual({ code: "card_declined", declineCode: "generic_decline", message: "Your card was declined (generic_decline)." });
    const withoutDeclineCode = failed.find((e) => e.data.error?.declineCode === undefined)!;
    expect(withoutDeclineCode.data.error).toEqual({ code: "processing_error", message: "the provider has no record of this payment" });
    expect(withoutDeclineCode.data.error).not.toHaveProperty("declineCode");
    const validateFailed = ajv.compile(schemas["payment.failed"]);
    for (const event of [declined, withoutDeclineCode]) expect(validateFailed(event), ajv.errorsText(validateFailed.errors)).toBe(true);

    const refundFailed = events.find((e) => e.type === "refund.failed")!;
    expect(refundFailed.data.refund).toMatchObject({ status: "failed", reason: "goodwill" });
    expect(refundFailed.data.error).toEqual({ code: "processing_error", message: "card account closed" });
    const validateRefundFailed = ajv.compile(schemas["refund.failed"]);
    expect(validateRefundFailed(refundFailed), ajv.errorsText(validateRefundFailed.errors)).toBe(true);

    // The reason's shape is part of the contract: a code is required, a decline code is a string.
    const broken = (error: unknown) => ({ ...declined, data: { ...declined.data, error } });
    expect(validateFailed(broken({ message: "no code" }))).toBe(false);
    expect(validateFailed(broken({ code: "card_declined", declineCode: 51, message: "numeric" }))).toBe(false);
  });

  it("a failure message never carries a card number into an event, and stays bounded", () => {
    const reason = eventFailureReason({ code: "card_declined", declineCode: "do_not_honor", message: `card 4242 4242 4242 4242 declined\u0000${"x".repeat(900)}` });
    expect(reason.message).not.toMatch(/4242 4242 4242 4242/);
    expect(reason.message).not.toContain("\u0000");
    expect(reason.message.length).toBeLessThanOrEqual(EVENT_FAILURE_MESSAGE_MAX);
    expect(reason).toMatchObject({ code: "card_declined", declineCode: "do_not_honor" });
  });

  it("rejects a float amount, a wrong status for the type and an unknown schema version", () => {
    const schemas = paymentEventJsonSchemas();
    const ajv = compiler();
    const validate = ajv.compile(schemas["payment.succeeded"]);
    const event = {
      id: "evt_1",
      type: "payment.succeeded",
      schemaVersion: 1,
      paymentId: "pay_1",
      occurredAt: "2026-03-01T10:00:00.000Z",
      data: {
        previousStatus: "processing",
        payment: {
          id: "pay_1",
          owner: "u",
          status: "succeeded",
          amount: 1000,
          currency: "USD",
          provider: "simulated",
          providerPaymentId: "sim_1",
          amountCaptured: 1000,
          amountRefunded: 0,
          references: {},
          version: 3,
        },
      },
    };
    expect(validate(event)).toBe(true);
    expect(parsePaymentEvent(event)).toEqual(event);
    expect(validate({ ...event, data: { ...event.data, payment: { ...event.data.payment, amount: 10.5 } } })).toBe(false);
    expect(validate({ ...event, data: { ...event.data, payment: { ...event.data.payment, status: "failed" } } })).toBe(false);
    expect(validate({ ...event, schemaVersion: 2 })).toBe(false);
    expect(validate({ ...event, occurredAt: "yesterday" })).toBe(false);
    // Open for additions: a field a later minor release adds does not fail an older consumer's validation.
    expect(validate({ ...event, data: { ...event.data, addedLater: true } })).toBe(true);
    expect(() => parsePaymentEvent({ ...event, type: "payment.unknown" })).toThrow();
    expect(schemas["payment.succeeded"]).toMatchObject({ $id: "urn:org:payments:event:payment.succeeded:v1" });
  });
});
