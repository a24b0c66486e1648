import { isPaymentError, type GatewayWebhookEvent, type PaymentGateway } from "@org/payments-core";
import { signWebhookPayload, type FakeEvent } from "@org/payments-test-support/stripe-fake";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STRIPE_API_VERSION, createStripeGateway } from "../src/index.js";
import { ROTATED_WEBHOOK_SECRET, WEBHOOK_SECRET, key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

let rig: StripeTestRig;
const signer = Stripe.webhooks;
const NOW_S = 1_800_000_000;
const now = () => new Date(NOW_S * 1000);
/** Visa's merchant-initiated authorization window (Stripe's docs: 4 days and 18 hours), shorter than the 7-day guess. */
const VISA_MIT_WINDOW_S = (4 * 24 + 18) * 60 * 60;

beforeAll(async () => {
  rig = await startStripeRig({ fake: { authorizationWindowS: VISA_MIT_WINDOW_S } });
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

function gatewayWith(secrets: string | string[]): PaymentGateway {
  return createStripeGateway({ stripe: rig.stripe, webhookSecrets: secrets, now });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the webhook to be rejected");
    },
    (e: unknown) => e,
  );
}

async function paidEvent(): Promise<FakeEvent> {
  await rig.gateway.createPayment(
    { paymentId: newPaymentId(), amount: 1500, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
    { idempotencyKey: key("w") },
  );
  const [event] = rig.fake.events("payment_intent.succeeded");
  if (!event) throw new Error("fake sent no payment_intent.succeeded");
  return event;
}

describe("stripe webhooks", () => {
  it("accepts a correctly signed event and maps payment_intent.succeeded to a payment event", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S - 10 });
    const parsed = await gatewayWith(WEBHOOK_SECRET).parseWebhook(new TextEncoder().encode(signed.rawBody), signed.headers);
    expect(parsed).toMatchObject({ kind: "payment", provider: "stripe", eventId: event.id, type: "payment_intent.succeeded" });
    const payment = (parsed as Extract<GatewayWebhookEvent, { kind: "payment" }>).payment;
    expect(payment).toMatchObject({ status: "succeeded", amount: 1500, currency: "USD", amountCaptured: 1500 });
    expect(payment.paymentId).toMatch(/^pay_/);
  });

  it("accepts an event signed with the second secret of a rotation (comma-separated)", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: ROTATED_WEBHOOK_SECRET, timestamp: NOW_S });
    const gateway = gatewayWith(`${WEBHOOK_SECRET}, ${ROTATED_WEBHOOK_SECRET}`);
    expect((await gateway.parseWebhook(signed.rawBody, signed.headers)).eventId).toBe(event.id);
  });

  it("rejects a tampered body", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S });
    const tampered = signed.rawBody.replace('"amount": 1500', '"amount": 1');
    expect(tampered).not.toBe(signed.rawBody);
    const error = await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(tampered, signed.headers));
    expect(isPaymentError(error, "webhook_signature_invalid")).toBe(true);
  });

  it("rejects an event signed with a secret we do not hold", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: "whsec_someone_else", timestamp: NOW_S });
    const error = await rejection(gatewayWith([WEBHOOK_SECRET, ROTATED_WEBHOOK_SECRET]).parseWebhook(signed.rawBody, signed.headers));
    expect(isPaymentError(error, "webhook_signature_invalid")).toBe(true);
  });

  it("rejects a signature older than the 300 s tolerance (a replay), by the injected clock", async () => {
    const event = await paidEvent();
    const stale = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S - 301 });
    const error = await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(stale.rawBody, stale.headers));
    expect(isPaymentError(error, "webhook_signature_invalid")).toBe(true);
    const fresh = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S - 299 });
    expect((await gatewayWith(WEBHOOK_SECRET).parseWebhook(fresh.rawBody, fresh.headers)).eventId).toBe(event.id);
  });

  it("rejects a body that was parsed and re-serialized (the signature covers the raw bytes)", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S });
    const reserialized = JSON.stringify(JSON.parse(signed.rawBody));
    const error = await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(reserialized, signed.headers));
    expect(isPaymentError(error, "webhook_signature_invalid")).toBe(true);
  });

  it("rejects a missing signature header and a gateway with no secret configured", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S });
    expect(isPaymentError(await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(signed.rawBody, {})), "webhook_signature_invalid")).toBe(true);
    expect(isPaymentError(await rejection(gatewayWith([]).parseWebhook(signed.rawBody, signed.headers)), "webhook_signature_invalid")).toBe(true);
  });

  it("reads the header whatever its case and accepts a one-element array", async () => {
    const event = await paidEvent();
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S });
    const headers = { "Stripe-Signature": [signed.headers["stripe-signature"] as string] };
    expect((await gatewayWith(WEBHOOK_SECRET).parseWebhook(signed.rawBody, headers)).eventId).toBe(event.id);
  });

  async function parse(event: FakeEvent): Promise<GatewayWebhookEvent> {
    const signed = signWebhookPayload({ signer, payload: event, secret: WEBHOOK_SECRET, timestamp: NOW_S });
    return gatewayWith(WEBHOOK_SECRET).parseWebhook(signed.rawBody, signed.headers);
  }

  it("maps declines, authorizations, 3-D Secure and cancellations to payment events", async () => {
    const create = (pm: string, captureMethod: "automatic" | "manual" = "automatic") =>
      rig.gateway.createPayment(
        { paymentId: newPaymentId(), amount: 1500, currency: "USD", captureMethod, paymentMethodId: pm },
        { idempotencyKey: key("w") },
      );
    await create("pm_card_visa_chargeDeclinedInsufficientFunds");
    const authorized = await create("pm_card_visa", "manual");
    await create("pm_card_authenticationRequired");
    await rig.gateway.cancel({ paymentId: "p", providerPaymentId: authorized.providerPaymentId }, { idempotencyKey: key("c") });

    const failed = await parse(rig.fake.events("payment_intent.payment_failed")[0] as FakeEvent);
    expect(failed).toMatchObject({ kind: "payment", payment: { status: "failed", failure: { code: "insufficient_funds" } } });
    const capturable = await parse(rig.fake.events("payment_intent.amount_capturable_updated")[0] as FakeEvent);
    expect(capturable).toMatchObject({ kind: "payment", payment: { status: "authorized", amountCapturable: 1500 } });
    const action = await parse(rig.fake.events("payment_intent.requires_action")[0] as FakeEvent);
    expect(action).toMatchObject({ kind: "payment", payment: { status: "requires_action", nextAction: { type: "use_sdk" } } });
    const canceled = await parse(rig.fake.events("payment_intent.canceled")[0] as FakeEvent);
    expect(canceled).toMatchObject({ kind: "payment", payment: { status: "canceled" } });
    const created = await parse(rig.fake.events("payment_intent.created")[0] as FakeEvent);
    expect(created.kind).toBe("ignored");
  });

  it("maps refund events with our ids, a failed refund, and a dispute", async () => {
    const paymentId = newPaymentId();
    const paid = await rig.gateway.createPayment(
      { paymentId, amount: 1500, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
      { idempotencyKey: key("w") },
    );
    rig.fake.setRefundStatus("pending");
    const refund = await rig.gateway.refund(
      { paymentId, refundId: "ref_w", providerPaymentId: paid.providerPaymentId, amount: 700, currency: "USD", reason: "requested_by_customer" },
      { idempotencyKey: key("r") },
    );
    expect(refund.status).toBe("pending");
    rig.fake.settleRefund(refund.providerRefundId, "failed");
    rig.fake.createDispute(paid.providerPaymentId);

    const createdEvent = await parse(rig.fake.events("refund.created")[0] as FakeEvent);
    expect(createdEvent).toMatchObject({ kind: "refund", paymentId, refund: { refundId: "ref_w", amount: 700, status: "pending" } });
    const failed = await parse(rig.fake.events("refund.failed")[0] as FakeEvent);
    expect(failed).toMatchObject({ kind: "refund", refund: { status: "failed", failureReason: "expired_or_canceled_card" } });
    // Current API versions do not embed refunds in the charge: the refund.* events carry them instead.
    expect((await parse(rig.fake.events("charge.refunded")[0] as FakeEvent)).kind).toBe("ignored");
    const dispute = await parse(rig.fake.events("charge.dispute.created")[0] as FakeEvent);
    expect(dispute).toMatchObject({
      kind: "dispute",
      paymentId,
      providerPaymentId: paid.providerPaymentId,
      dispute: { status: "needs_response", reason: "fraudulent", amount: 1500 },
    });
    expect(dispute.occurredAt).toMatch(/Z$/);
  });

  async function pay(captureMethod: "automatic" | "manual" = "automatic", paymentId = newPaymentId()) {
    return rig.gateway.createPayment(
      { paymentId, amount: 1500, currency: "USD", captureMethod, paymentMethodId: "pm_card_visa" },
      { idempotencyKey: key("w") },
    );
  }

  it("an authorization's expiry from a webhook is the charge's capture_before (fetched: events never expand it)", async () => {
    const authorized = await pay("manual");
    const charge = rig.fake.charge(rig.fake.paymentIntents()[0]?.latest_charge as string);
    const captureBefore = (charge?.payment_method_details as { card: { capture_before: number } }).card.capture_before;
    const expected = new Date(captureBefore * 1000).toISOString();
    expect(authorized.authorizationExpiresAt).toBe(expected);

    const event = rig.fake.events("payment_intent.amount_capturable_updated")[0] as FakeEvent;
    expect(typeof event.data.object["latest_charge"]).toBe("string");
    const parsed = await parse(event);
    // Not created + 7 days: Visa's merchant-initiated window is 4 days 18 hours.
    expect(parsed).toMatchObject({ kind: "payment", payment: { status: "authorized", authorizationExpiresAt: expected } });
    expect(rig.fake.requests.at(-1)?.path).toBe(`/v1/charges/${charge?.id}`);
  });

  it("keeps Stripe's cancellation_reason", async () => {
    const authorized = await pay("manual");
    await rig.stripe.paymentIntents.cancel(authorized.providerPaymentId, { cancellation_reason: "abandoned" });
    const parsed = await parse(rig.fake.events("payment_intent.canceled")[0] as FakeEvent);
    expect(parsed).toMatchObject({ kind: "payment", payment: { status: "canceled", cancellationReason: "abandoned" } });
    expect((await rig.gateway.retrieve(authorized.providerPaymentId)).cancellationReason).toBe("abandoned");
  });

  it("a refund that fails after Stripe reported it succeeded maps to a failed refund event with the reason", async () => {
    const paymentId = newPaymentId();
    const paid = await pay("automatic", paymentId);
    const refund = await rig.gateway.refund(
      { paymentId, refundId: "ref_late", providerPaymentId: paid.providerPaymentId, amount: 600, currency: "USD", reason: "requested_by_customer" },
      { idempotencyKey: key("r") },
    );
    expect(refund.status).toBe("succeeded");
    rig.fake.settleRefund(refund.providerRefundId, "failed", "expired_or_canceled_card");
    for (const type of ["refund.failed", "charge.refund.updated"]) {
      const parsed = await parse(rig.fake.events(type)[0] as FakeEvent);
      expect(parsed, type).toMatchObject({
        kind: "refund",
        paymentId,
        refund: { refundId: "ref_late", providerRefundId: refund.providerRefundId, status: "failed", failureReason: "expired_or_canceled_card", amount: 600 },
      });
    }
  });

  it("a refund made in the Dashboard (no metadata of ours) carries our payment id through its PaymentIntent", async () => {
    const paymentId = newPaymentId();
    const paid = await pay("automatic", paymentId);
    await rig.stripe.refunds.create({ payment_intent: paid.providerPaymentId, amount: 300 });
    const parsed = await parse(rig.fake.events("refund.created")[0] as FakeEvent);
    expect(parsed).toMatchObject({ kind: "refund", paymentId, refund: { refundId: null, amount: 300 } });
  });

  it("a dispute carries our payment id, also when Stripe names only the charge", async () => {
    const paymentId = newPaymentId();
    const paid = await pay("automatic", paymentId);
    rig.fake.createDispute(paid.providerPaymentId, "product_not_received", { withoutPaymentIntent: true });
    const parsed = await parse(rig.fake.events("charge.dispute.created")[0] as FakeEvent);
    expect(parsed).toMatchObject({ kind: "dispute", paymentId, providerPaymentId: paid.providerPaymentId, dispute: { reason: "product_not_received" } });
  });

  it("refuses an event of another API version with a clear error naming the version to pin the endpoint to", async () => {
    const event = await paidEvent();
    for (const version of ["2024-06-20", null]) {
      const signed = signWebhookPayload({ signer, payload: { ...event, api_version: version }, secret: WEBHOOK_SECRET, timestamp: NOW_S });
      const error = await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(signed.rawBody, signed.headers));
      expect(isPaymentError(error, "validation_error"), String(version)).toBe(true);
      expect((error as Error).message).toContain(STRIPE_API_VERSION);
      expect((error as { details?: unknown }).details).toMatchObject({ field: "api_version", pinnedVersion: STRIPE_API_VERSION });
    }
    // A wrong version is not a bad signature: the signature is checked first and was fine.
    const tampered = signWebhookPayload({ signer, payload: { ...event, api_version: "2024-06-20" }, secret: "whsec_other", timestamp: NOW_S });
    expect(isPaymentError(await rejection(gatewayWith(WEBHOOK_SECRET).parseWebhook(tampered.rawBody, tampered.headers)), "webhook_signature_invalid")).toBe(true);
  });
});
