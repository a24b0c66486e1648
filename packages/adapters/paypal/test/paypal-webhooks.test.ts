import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createPayPalWebhookSigner, type PayPalWebhookSigner } from "@org/payments-test-support/paypal-fake";
import type { PaymentGateway } from "@org/payments-core";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { approvedPayment, rejection } from "./support/drive.js";

const rig: PayPalTestRig = await startPayPalRig();
// A second, valid certificate that PayPal did not use to sign: "the wrong certificate".
const other: PayPalWebhookSigner = await createPayPalWebhookSigner();
rig.fake.registerCertificate(other.certUrl, other.certificatePem);
rig.addCertificate(other.certUrl, other.certificatePem);
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

/** PayPal delivers pretty-printed JSON; re-serializing it changes the bytes, as a JSON body parser would. */
function deliver(event: Record<string, unknown>, options: { transmissionTime?: Date; certUrl?: string; signer?: PayPalWebhookSigner } = {}) {
  const body = JSON.stringify(event, null, 1);
  const headers = (options.signer ?? rig.signer).sign(body, {
    webhookId: rig.fake.webhookId,
    ...(options.transmissionTime ? { transmissionTime: options.transmissionTime } : {}),
    ...(options.certUrl ? { certUrl: options.certUrl } : {}),
  });
  return { body, headers };
}

async function capturedEvent() {
  const paid = await approvedPayment(rig.gateway, rig.fake);
  const order = rig.fake.ledger.orders.get(paid.providerPaymentId)!;
  const captureId = order.captureIds[0]!;
  return { paid, event: rig.fake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", rig.fake.capture(captureId), "capture") };
}

for (const mode of ["offline", "api"] as const) {
  describe(`webhook verification (${mode})`, () => {
    let gateway: PaymentGateway;
    beforeEach(() => {
      gateway = rig.gatewayWith({ verification: mode });
    });
    const invalid = async (promise: Promise<unknown>) => expect((await rejection(promise)).code).toBe("webhook_signature_invalid");

    it("accepts a valid event and maps it onto our payment", async () => {
      const { paid, event } = await capturedEvent();
      const { body, headers } = deliver(event);
      const parsed = await gateway.parseWebhook(Buffer.from(body), headers);
      expect(parsed).toMatchObject({
        kind: "payment",
        provider: "paypal",
        eventId: event["id"],
        type: "PAYMENT.CAPTURE.COMPLETED",
        payment: { paymentId: paid.paymentId, providerPaymentId: paid.providerPaymentId, status: "succeeded", amountCaptured: 2000 },
      });
      if (mode === "api") expect(rig.fake.requests.some((r) => r.path === "/v1/notifications/verify-webhook-signature")).toBe(true);
    });

    it("rejects a tampered body", async () => {
      const { event } = await capturedEvent();
      const { body, headers } = deliver(event);
      await invalid(gateway.parseWebhook(body.replace('"20.00"', '"2000.00"'), headers));
    });

    it("rejects re-serialized JSON (the bytes PayPal signed are gone)", async () => {
      const { event } = await capturedEvent();
      const { body, headers } = deliver(event);
      await invalid(gateway.parseWebhook(JSON.stringify(JSON.parse(body)), headers));
    });

    it("rejects a signature made with another key than the certificate's", async () => {
      const { event } = await capturedEvent();
      const { body, headers } = deliver(event, { signer: other, certUrl: rig.signer.certUrl });
      await invalid(gateway.parseWebhook(body, headers));
    });

    it("rejects a certificate from a host that is not PayPal's, without fetching it", async () => {
      const { event } = await capturedEvent();
      for (const certUrl of [
        "https://evil.example/v1/notifications/certs/CERT-1",
        "http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1",
        "https://api.sandbox.paypal.com.evil.example/v1/notifications/certs/CERT-1",
        "https://api.paypal.com/v1/notifications/certs/CERT-1",
        "https://api.sandbox.paypal.com/somewhere/else",
      ]) {
        const before = rig.fake.requests.length;
        const { body, headers } = deliver(event, { certUrl });
        await invalid(gateway.parseWebhook(body, headers));
        expect(rig.fake.requests.length, certUrl).toBe(before);
      }
    });

    it("rejects a stale transmission time (a replayed delivery)", async () => {
      const { event } = await capturedEvent();
      const { body, headers } = deliver(event, { transmissionTime: new Date(Date.now() - 10 * 60_000) });
      await invalid(gateway.parseWebhook(body, headers));
    });

    it("rejects an event signed for another webhook id", async () => {
      const { event } = await capturedEvent();
      const body = JSON.stringify(event);
      const headers = rig.signer.sign(body, { webhookId: "WH0SOMEONEELSE001" });
      await invalid(gateway.parseWebhook(body, headers));
    });

    it("rejects missing signature headers", async () => {
      await invalid(gateway.parseWebhook("{}", {}));
    });
  });
}

describe("webhook events map onto payment, refund, dispute and ignored", () => {
  it("PAYMENT.CAPTURE.REFUNDED → refund with our refund id and payment id", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    const refund = await rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_hook", providerPaymentId: paid.providerPaymentId, amount: 300, currency: "USD", reason: "r" },
      { idempotencyKey: "k-hook" },
    );
    const { body, headers } = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.REFUNDED", rig.fake.refund(refund.providerRefundId), "refund"));
    expect(await rig.gateway.parseWebhook(body, headers)).toMatchObject({
      kind: "refund",
      paymentId: paid.paymentId,
      refund: { refundId: "rf_hook", providerRefundId: refund.providerRefundId, providerPaymentId: paid.providerPaymentId, amount: 300, status: "succeeded" },
    });
  });

  it("PAYMENT.CAPTURE.DENIED and PENDING → failed and processing", async () => {
    const declined = await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_201", responseCode: "5120" } });
    const captureId = rig.fake.ledger.orders.get(declined.providerPaymentId)!.captureIds[0]!;
    const capture = rig.fake.capture(captureId);
    let d = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.DENIED", { ...capture, status: "DECLINED" }, "capture"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "payment", payment: { status: "failed", failure: { code: "insufficient_funds" } } });
    d = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.PENDING", { ...capture, status: "PENDING" }, "capture"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "payment", payment: { status: "processing" } });
  });

  it("PAYMENT.AUTHORIZATION.VOIDED → canceled; CHECKOUT.ORDER.APPROVED → still awaiting our capture", async () => {
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    await rig.gateway.cancel({ paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId }, { idempotencyKey: "k-void" });
    const authorizationId = rig.fake.ledger.orders.get(authorized.providerPaymentId)!.authorizationIds[0]!;
    let d = deliver(rig.fake.webhookEvent("PAYMENT.AUTHORIZATION.VOIDED", rig.fake.authorization(authorizationId), "authorization"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({
      kind: "payment",
      payment: { status: "canceled", paymentId: authorized.paymentId, providerPaymentId: authorized.providerPaymentId },
    });
    const created = await rig.gateway.createPayment({ paymentId: "pay_hook_1", amount: 900, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: "k-o" });
    rig.fake.approveOrder(created.providerPaymentId);
    d = deliver(rig.fake.webhookEvent("CHECKOUT.ORDER.APPROVED", rig.fake.order(created.providerPaymentId), "checkout-order"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({
      kind: "payment",
      payment: { status: "requires_action", paymentId: "pay_hook_1", amount: 900 },
    });
  });

  it("CUSTOMER.DISPUTE.CREATED → dispute; an unrelated event → ignored", async () => {
    const dispute = {
      dispute_id: "PP-D-27803",
      status: "OPEN",
      reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
      dispute_amount: { currency_code: "USD", value: "20.00" },
      disputed_transactions: [{ seller_transaction_id: "3BC38643YC807283D", custom: "pay_disputed" }],
    };
    let d = deliver(rig.fake.webhookEvent("CUSTOMER.DISPUTE.CREATED", dispute, "dispute"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({
      kind: "dispute",
      paymentId: "pay_disputed",
      providerPaymentId: "3BC38643YC807283D",
      // No life-cycle stage given: a claim, not an inquiry. The capture is not the fake's: its id stands in for the order.
      dispute: { providerDisputeId: "PP-D-27803", status: "needs_response", providerStatus: "OPEN", reason: "product_not_received", amount: 2000, currency: "USD" },
    });
    d = deliver(rig.fake.webhookEvent("BILLING.SUBSCRIPTION.CREATED", { id: "I-1" }, "subscription"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "ignored", type: "BILLING.SUBSCRIPTION.CREATED" });
  });

  it("CUSTOMER.DISPUTE.CREATED without `custom` is matched through its capture: our payment id and our order", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    const captureId = rig.fake.ledger.orders.get(paid.providerPaymentId)!.captureIds[0]!;
    const d = deliver(rig.fake.webhookEvent("CUSTOMER.DISPUTE.CREATED", rig.fake.disputeResource(captureId), "dispute"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({
      kind: "dispute",
      paymentId: paid.paymentId,
      providerPaymentId: paid.providerPaymentId,
      // The fake's resource is an inquiry (dispute_life_cycle_stage INQUIRY), OPEN: waiting for the seller.
      dispute: { status: "warning_needs_response", providerStatus: "OPEN", amount: 2000, paymentId: paid.paymentId, providerPaymentId: paid.providerPaymentId },
    });
  });

  it("a PAYMENT.CAPTURE.PENDING keeps PayPal's reason; the COMPLETED that follows settles it", async () => {
    const held = await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "pending", reason: "ECHECK" } });
    expect(held).toMatchObject({ status: "processing", pendingReason: "ECHECK", amountCaptured: 0 });
    const captureId = rig.fake.ledger.orders.get(held.providerPaymentId)!.captureIds[0]!;
    let d = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.PENDING", rig.fake.capture(captureId), "capture"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "payment", payment: { status: "processing", pendingReason: "ECHECK" } });
    rig.fake.settleCapture(captureId, "COMPLETED");
    d = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", rig.fake.capture(captureId), "capture"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "payment", payment: { status: "succeeded", amountCaptured: 2000, pendingReason: null } });
    expect(await rig.gateway.retrieve(held.providerPaymentId)).toMatchObject({ status: "succeeded", amountCaptured: 2000 });
  });

  it("a pending capture PayPal then denies is failed by webhook and by retrieve", async () => {
    const held = await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "pending", reason: "PENDING_REVIEW" } });
    const captureId = rig.fake.ledger.orders.get(held.providerPaymentId)!.captureIds[0]!;
    rig.fake.settleCapture(captureId, "DECLINED");
    const d = deliver(rig.fake.webhookEvent("PAYMENT.CAPTURE.DENIED", rig.fake.capture(captureId), "capture"));
    expect(await rig.gateway.parseWebhook(d.body, d.headers)).toMatchObject({ kind: "payment", payment: { status: "failed", paymentId: held.paymentId } });
    expect(await rig.gateway.retrieve(held.providerPaymentId)).toMatchObject({ status: "failed", amountCaptured: 0 });
  });
});
