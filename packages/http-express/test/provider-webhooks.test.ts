import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { createPayPalClient, createPayPalGateway } from "@org/payments-paypal";
import { createSqliteStore, migrate } from "@org/payments-sqlite";
import { createStripeGateway } from "@org/payments-stripe";
import {
  createPayPalWebhookSigner,
  startPayPalFake,
  type PayPalFake,
  type PayPalWebhookSigner,
} from "@org/payments-test-support/paypal-fake";
import { signWebhookPayload, startStripeFake, type StripeFake } from "@org/payments-test-support/stripe-fake";
import express from "express";
import { pino } from "pino";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentsRouter } from "../src/index.js";
import { AUDIENCE, ISSUER, JWT_SECRET, call, token, type CallResult, type TestServer } from "./server-harness.js";

/**
 * The router's webhook route with signed events from the real providers' adapters: the Stripe and PayPal SDKs talk
 * over HTTP to our local fakes, events are signed as each provider signs them, and they reach the service through
 * POST /webhooks/:provider as raw bytes. Nothing leaves 127.0.0.1.
 */

const STRIPE_WEBHOOK_SECRET = "whsec_router_test";

let stripeFake: StripeFake;
let paypalFake: PayPalFake;
let paypalSigner: PayPalWebhookSigner;
let server: TestServer;
let alice: string;
let admin: string;
let seq = 0;
const key = () => `provider-webhooks-${++seq}`;

beforeAll(async () => {
  stripeFake = await startStripeFake();
  const stripeGateway = createStripeGateway({
    stripe: new Stripe(stripeFake.apiKey, stripeFake.clientConfig(2000)),
    webhookSecrets: [STRIPE_WEBHOOK_SECRET],
  });

  paypalFake = await startPayPalFake();
  paypalSigner = await createPayPalWebhookSigner();
  const paypalGateway = createPayPalGateway({
    environment: "sandbox",
    webhookId: paypalFake.webhookId,
    verification: "offline",
    client: createPayPalClient({
      clientId: paypalFake.clientId,
      clientSecret: paypalFake.clientSecret,
      environment: "sandbox",
      timeoutMs: 5000,
      unstableHttpClientOptions: paypalFake.httpClientOptions(),
    }),
    // Nothing may reach the internet: the only certificate is the throwaway one the test signs with.
    certificateFetcher: async (url) => {
      if (url.href !== paypalSigner.certUrl) throw new Error(`no test certificate at ${url.href}`);
      return paypalSigner.certificatePem;
    },
  });

  const dir = mkdtempSync(join(tmpdir(), "payments-provider-webhooks-"));
  const store = await createSqliteStore({ filename: join(dir, "payments.db") });
  await migrate(store);
  const simulated = new SimulatedGateway();
  const service = createPaymentService({ store, gateways: [simulated, stripeGateway, paypalGateway] });
  const app = express();
  app.use(
    "/api",
    createPaymentsRouter({
      service,
      jwt: { secret: JWT_SECRET, algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE },
      logger: pino({ level: "silent" }),
      rateLimit: false,
    }),
  );
  const http = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => http.once("listening", () => resolve()));
  const { port } = http.address() as AddressInfo;
  server = {
    baseUrl: `http://127.0.0.1:${port}/api`,
    store,
    gateway: simulated,
    service,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  alice = await token("alice");
  admin = await token("ops", { admin: true });
});

afterAll(async () => {
  await server?.close();
  await stripeFake?.close();
  await paypalFake?.close();
});

const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}): Promise<CallResult> => call(server, method, path, options);

async function createPayment(provider: "stripe" | "paypal", amount: number): Promise<string> {
  const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount, currency: "USD", provider } });
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ provider, status: "pending" });
  return created.json.id as string;
}

async function payment(id: string) {
  return (await api("GET", `/payments/${id}`, { token: alice })).json;
}

describe("POST /webhooks/stripe with events signed by the Stripe SDK", () => {
  function deliver(event: object, secret = STRIPE_WEBHOOK_SECRET) {
    const signed = signWebhookPayload({ signer: Stripe.webhooks, payload: event, secret });
    return { rawBody: signed.rawBody, headers: signed.headers };
  }

  function eventFor(type: string, objectId: string) {
    const event = stripeFake.events(type).find((e) => e.data.object["id"] === objectId);
    if (!event) throw new Error(`the Stripe fake sent no ${type} for ${objectId}`);
    return event;
  }

  it("charges through the router, then a refund.updated webhook settles a refund Stripe left pending, once", async () => {
    const id = await createPayment("stripe", 5000);
    const confirmed = await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ status: "succeeded", amountCaptured: 5000 });

    stripeFake.setRefundStatus("pending");
    const refunded = await api("POST", `/payments/${id}/refunds`, { token: admin, key: key(), body: { amount: 2000, reason: "detour" } });
    stripeFake.setRefundStatus("succeeded");
    expect(refunded.status).toBe(201);
    expect(refunded.json.refund).toMatchObject({ amount: 2000, status: "pending" });
    expect(await payment(id)).toMatchObject({ amountRefunded: 0, amountRefundReserved: 2000 });

    stripeFake.settleRefund(refunded.json.refund.providerRefundId, "succeeded");
    const event = deliver(eventFor("refund.updated", refunded.json.refund.providerRefundId));
    const first = await api("POST", "/webhooks/stripe", event);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: true, status: "applied" });
    const again = await api("POST", "/webhooks/stripe", event);
    expect(again.status).toBe(200);
    expect(again.json.status).toBe("duplicate");

    const refunds = await api("GET", `/payments/${id}/refunds`, { token: alice });
    expect(refunds.json.data).toMatchObject([{ amount: 2000, status: "succeeded" }]);
    expect(await payment(id)).toMatchObject({ status: "partially_refunded", amountRefunded: 2000, amountRefundReserved: 0 });
  });

  it("payment_intent.succeeded moves a payment the service left at processing (lost response) to succeeded", async () => {
    const id = await createPayment("stripe", 4200);
    // Twice: stripe-node retries a reset connection once with the same key before giving up.
    stripeFake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/payment_intents", times: 2 });
    const confirmKey = key();
    const lost = await api("POST", `/payments/${id}/confirm`, { token: alice, key: confirmKey, body: { paymentMethodId: "pm_card_visa" } });
    expect(lost.status).toBe(503);
    expect(lost.json.error.code).toBe("gateway_outcome_unknown");
    expect(lost.headers.get("retry-after")).toBeTruthy();
    expect(await payment(id)).toMatchObject({ status: "processing", providerPaymentId: null });

    const intents = stripeFake.paymentIntents().filter((pi) => pi.metadata["payment_id"] === id);
    expect(intents).toHaveLength(1);
    const event = deliver(eventFor("payment_intent.succeeded", intents[0]!.id));
    const applied = await api("POST", "/webhooks/stripe", event);
    expect(applied.json).toMatchObject({ received: true, status: "applied" });
    expect(await payment(id)).toMatchObject({ status: "succeeded", amountCaptured: 4200, providerPaymentId: intents[0]!.id });
    expect((await api("POST", "/webhooks/stripe", event)).json.status).toBe("duplicate");

    // The client's retry with its key finds the same PaymentIntent; the webhook already moved the payment on.
    const retried = await api("POST", `/payments/${id}/confirm`, { token: alice, key: confirmKey, body: { paymentMethodId: "pm_card_visa" } });
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: "succeeded", amountCaptured: 4200 });
    expect(stripeFake.paymentIntents().filter((pi) => pi.metadata["payment_id"] === id)).toHaveLength(1);
  });

  it("a bad signature is 400 webhook_signature_invalid and changes nothing", async () => {
    const id = await createPayment("stripe", 1500);
    await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    const [intent] = stripeFake.paymentIntents().filter((pi) => pi.metadata["payment_id"] === id);
    const event = eventFor("payment_intent.succeeded", intent!.id);

    const valid = deliver(event);
    const tamperedBody = valid.rawBody.replace('"amount": 1500', '"amount": 15');
    expect(tamperedBody).not.toBe(valid.rawBody);
    const tampered = await api("POST", "/webhooks/stripe", { ...valid, rawBody: tamperedBody });
    const foreign = await api("POST", "/webhooks/stripe", deliver(event, "whsec_someone_else"));
    const reserialized = await api("POST", "/webhooks/stripe", { ...valid, rawBody: JSON.stringify(JSON.parse(valid.rawBody)) });
    const unsigned = await api("POST", "/webhooks/stripe", { rawBody: valid.rawBody, headers: { "content-type": "application/json" } });
    for (const rejected of [tampered, foreign, reserialized, unsigned]) {
      expect(rejected.status).toBe(400);
      expect(rejected.json.error.code).toBe("webhook_signature_invalid");
    }
    // None of them was recorded as seen: the genuine delivery is still taken as new (nothing left to change).
    expect((await api("POST", "/webhooks/stripe", valid)).json.status).toBe("ignored");
  });
});

describe("POST /webhooks/paypal with events signed by a throwaway PayPal certificate", () => {
  function deliver(event: Record<string, unknown>, webhookId = paypalFake.webhookId) {
    // Pretty-printed like PayPal's deliveries: verification is over these bytes, not a re-serialization.
    const rawBody = JSON.stringify(event, null, 1);
    return { rawBody, headers: { ...paypalSigner.sign(rawBody, { webhookId }), "content-type": "application/json" } };
  }

  /** Confirm creates the order (requires_action), the buyer approves in the fake, a second confirm resumes it. */
  async function approvedPayPalPayment(amount: number): Promise<{ id: string; orderId: string }> {
    const id = await createPayment("paypal", amount);
    const started = await api("POST", `/payments/${id}/confirm`, {
      token: alice,
      key: key(),
      body: { returnUrl: "https://shop.example/paypal/return", cancelUrl: "https://shop.example/paypal/cancel" },
    });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    const orderId = started.json.providerPaymentId as string;
    paypalFake.approveOrder(orderId);
    return { id, orderId };
  }

  it("approval then a second confirm captures through the router; a capture webhook for it is applied once", async () => {
    const { id, orderId } = await approvedPayPalPayment(3000);
    const resumed = await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: {} });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ status: "succeeded", amountCaptured: 3000, providerPaymentId: orderId });

    const captureId = paypalFake.ledger.orders.get(orderId)!.captureIds[0]!;
    const event = deliver(paypalFake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", paypalFake.capture(captureId), "capture"));
    const first = await api("POST", "/webhooks/paypal", event);
    expect(first.status).toBe(200);
    // The payment already reflects the capture: the event is recorded as seen and changes nothing.
    expect(first.json).toMatchObject({ received: true, status: "ignored" });
    expect((await api("POST", "/webhooks/paypal", event)).json.status).toBe("duplicate");
    expect(await payment(id)).toMatchObject({ status: "succeeded", amountCaptured: 3000 });
  });

  it("PAYMENT.CAPTURE.COMPLETED moves a payment whose capture response was lost from processing to succeeded", async () => {
    const { id, orderId } = await approvedPayPalPayment(2500);
    paypalFake.injectFault({ method: "POST", path: /\/capture$/, fault: { kind: "drop_after_success" } });
    const lost = await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: {} });
    expect(lost.status).toBe(503);
    expect(lost.json.error.code).toBe("gateway_outcome_unknown");
    expect(await payment(id)).toMatchObject({ status: "processing", amountCaptured: 0 });

    const captureId = paypalFake.ledger.orders.get(orderId)!.captureIds[0]!;
    const event = deliver(paypalFake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", paypalFake.capture(captureId), "capture"));
    const applied = await api("POST", "/webhooks/paypal", event);
    expect(applied.json).toMatchObject({ received: true, status: "applied" });
    expect(await payment(id)).toMatchObject({ status: "succeeded", amountCaptured: 2500 });
    expect((await api("POST", "/webhooks/paypal", event)).json.status).toBe("duplicate");
    expect(paypalFake.ledger.orders.get(orderId)!.captureIds).toHaveLength(1);
  });

  it("PAYMENT.CAPTURE.REFUNDED settles a refund whose response was lost (left pending, amount reserved)", async () => {
    const { id, orderId } = await approvedPayPalPayment(4000);
    await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: {} });
    paypalFake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "drop_after_success" } });
    const lost = await api("POST", `/payments/${id}/refunds`, { token: admin, key: key(), body: { amount: 1500, reason: "late pickup" } });
    expect(lost.status).toBe(503);
    expect(lost.json.error.code).toBe("gateway_outcome_unknown");
    const pending = await api("GET", `/payments/${id}/refunds`, { token: alice });
    expect(pending.json.data).toMatchObject([{ amount: 1500, status: "pending" }]);
    expect(await payment(id)).toMatchObject({ amountRefunded: 0, amountRefundReserved: 1500 });

    const captureId = paypalFake.ledger.orders.get(orderId)!.captureIds[0]!;
    const refundId = [...paypalFake.ledger.refunds.values()].find((r) => r.captureId === captureId)!.id;
    const event = deliver(paypalFake.webhookEvent("PAYMENT.CAPTURE.REFUNDED", paypalFake.refund(refundId), "refund"));
    const applied = await api("POST", "/webhooks/paypal", event);
    expect(applied.json).toMatchObject({ received: true, status: "applied" });
    expect((await api("POST", "/webhooks/paypal", event)).json.status).toBe("duplicate");

    const settled = await api("GET", `/payments/${id}/refunds`, { token: alice });
    expect(settled.json.data).toMatchObject([{ amount: 1500, status: "succeeded", providerRefundId: refundId }]);
    expect(await payment(id)).toMatchObject({ status: "partially_refunded", amountRefunded: 1500, amountRefundReserved: 0 });
  });

  it("a bad signature is 400 webhook_signature_invalid and changes nothing", async () => {
    const { id, orderId } = await approvedPayPalPayment(1000);
    await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: {} });
    const captureId = paypalFake.ledger.orders.get(orderId)!.captureIds[0]!;
    const event = paypalFake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", paypalFake.capture(captureId), "capture");

    const valid = deliver(event);
    const tamperedBody = valid.rawBody.replace('"10.00"', '"1000.00"');
    expect(tamperedBody).not.toBe(valid.rawBody);
    const tampered = await api("POST", "/webhooks/paypal", { ...valid, rawBody: tamperedBody });
    const otherWebhook = await api("POST", "/webhooks/paypal", deliver(event, "WH0SOMEONEELSE001"));
    const reserialized = await api("POST", "/webhooks/paypal", { ...valid, rawBody: JSON.stringify(JSON.parse(valid.rawBody)) });
    const unsigned = await api("POST", "/webhooks/paypal", { rawBody: valid.rawBody, headers: { "content-type": "application/json" } });
    for (const rejected of [tampered, otherWebhook, reserialized, unsigned]) {
      expect(rejected.status).toBe(400);
      expect(rejected.json.error.code).toBe("webhook_signature_invalid");
    }
    expect((await api("POST", "/webhooks/paypal", valid)).json.status).toBe("ignored");
  });
});
