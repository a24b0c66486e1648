import { inspect } from "node:util";
import { PaymentError } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { approvedPayment, paymentId, rejection } from "./support/drive.js";

const rig: PayPalTestRig = await startPayPalRig();
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

describe("declines are failed payments with the core's decline codes and PayPal's issue", () => {
  const cases = [
    { outcome: { kind: "decline_422", issue: "TRANSACTION_REFUSED" }, code: "card_declined", declineCode: "TRANSACTION_REFUSED" },
    // Buyer refusals that are not about a card: definite declines, never a retryable gateway_error.
    { outcome: { kind: "decline_422", issue: "PAYER_ACCOUNT_RESTRICTED" }, code: "card_declined", declineCode: "PAYER_ACCOUNT_RESTRICTED" },
    { outcome: { kind: "decline_422", issue: "PAYER_ACCOUNT_LOCKED_OR_CLOSED" }, code: "card_declined", declineCode: "PAYER_ACCOUNT_LOCKED_OR_CLOSED" },
    { outcome: { kind: "decline_422", issue: "TRANSACTION_LIMIT_EXCEEDED" }, code: "card_declined", declineCode: "TRANSACTION_LIMIT_EXCEEDED" },
    { outcome: { kind: "decline_422", issue: "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED" }, code: "card_declined", declineCode: "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED" },
    { outcome: { kind: "decline_422", issue: "CARD_BRAND_NOT_SUPPORTED" }, code: "card_declined", declineCode: "CARD_BRAND_NOT_SUPPORTED" },
    // The merchant's side refuses: still a definite decline.
    { outcome: { kind: "decline_422", issue: "TRANSACTION_RECEIVING_LIMIT_EXCEEDED" }, code: "processing_error", declineCode: "TRANSACTION_RECEIVING_LIMIT_EXCEEDED" },
    { outcome: { kind: "decline_201", responseCode: "5120" }, code: "insufficient_funds", declineCode: "5120" },
    { outcome: { kind: "decline_201", responseCode: "5400" }, code: "expired_card", declineCode: "5400" },
    { outcome: { kind: "decline_201", responseCode: "5110" }, code: "incorrect_cvc", declineCode: "5110" },
    { outcome: { kind: "decline_201", responseCode: "9100" }, code: "processing_error", declineCode: "9100" },
    { outcome: { kind: "decline_201", responseCode: "0500" }, code: "card_declined", declineCode: "0500" },
  ] as const;
  for (const { outcome, code, declineCode } of cases) {
    const label = outcome.kind === "decline_422" ? `422 ${outcome.issue}` : `201 DECLINED ${outcome.responseCode}`;
    it(`capture answering ${label} → failed / ${code}`, async () => {
      const payment = await approvedPayment(rig.gateway, rig.fake, { outcome });
      expect(payment.status).toBe("failed");
      expect(payment.failure).toMatchObject({ code, declineCode });
      expect(payment.amountCaptured).toBe(0);
    });
  }

  it("an authorization that comes back DENIED → failed", async () => {
    const payment = await approvedPayment(rig.gateway, rig.fake, { manual: true, outcome: { kind: "decline_201", responseCode: "5120" } });
    expect(payment).toMatchObject({ status: "failed", failure: { code: "insufficient_funds" }, amountCapturable: 0 });
  });

  it("resuming before the buyer approved is not a failure: the payment still requires action", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
    const resumed = await rig.gateway.resumePayment({ paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: `${id}:r` });
    expect(resumed.status).toBe("requires_action");
  });
});

describe("answers that need the buyer again are requires_action with somewhere to go, never failed", () => {
  const resume = (payment: { paymentId: string | null; providerPaymentId: string }, key: string, manual = false) =>
    rig.gateway.resumePayment(
      { paymentId: payment.paymentId!, providerPaymentId: payment.providerPaymentId, captureMethod: manual ? "manual" : "automatic" },
      { idempotencyKey: key },
    );

  it("422 PAYER_ACTION_REQUIRED → requires_action with the order's payer-action link; after the buyer acts it captures", async () => {
    const payment = await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_422", issue: "PAYER_ACTION_REQUIRED" } });
    const links = rig.fake.order(payment.providerPaymentId)["links"] as Array<{ rel: string; href: string }>;
    const payerAction = links.find((l) => l.rel === "payer-action")?.href;
    expect(payerAction).toBeTruthy();
    expect(payment).toMatchObject({ status: "requires_action", nextAction: { type: "redirect", url: payerAction }, failure: null, amountCaptured: 0 });
    expect(await rig.gateway.retrieve(payment.providerPaymentId)).toMatchObject({ status: "requires_action", nextAction: { url: payerAction } });
    rig.fake.approveOrder(payment.providerPaymentId);
    expect(await resume(payment, `${payment.paymentId}:resume:2`)).toMatchObject({ status: "succeeded", amountCaptured: 2000 });
  });

  it("422 INSTRUMENT_DECLINED → requires_action on the same order (PayPal's recovery: the buyer picks another funding source)", async () => {
    const payment = await approvedPayment(rig.gateway, rig.fake, { outcome: { kind: "decline_422", issue: "INSTRUMENT_DECLINED" } });
    const url = `https://www.sandbox.paypal.com/checkoutnow?token=${payment.providerPaymentId}`;
    expect(payment).toMatchObject({ status: "requires_action", nextAction: { type: "redirect", url }, failure: null });
    // PayPal keeps the order APPROVED: retrieve (and so reconcile) reports what it is, with the buyer's page.
    expect(rig.fake.ledger.orders.get(payment.providerPaymentId)!.status).toBe("APPROVED");
    expect(await rig.gateway.retrieve(payment.providerPaymentId)).toMatchObject({ status: "requires_action", nextAction: { url } });
    rig.fake.approveOrder(payment.providerPaymentId);
    expect(await resume(payment, `${payment.paymentId}:resume:2`)).toMatchObject({ status: "succeeded", amountCaptured: 2000 });
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("PAYER_ACTION_REQUIRED on an authorization is the same buyer step", async () => {
    const payment = await approvedPayment(rig.gateway, rig.fake, { manual: true, outcome: { kind: "decline_422", issue: "PAYER_ACTION_REQUIRED" } });
    expect(payment).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    rig.fake.approveOrder(payment.providerPaymentId);
    expect(await resume(payment, `${payment.paymentId}:resume:2`, true)).toMatchObject({ status: "authorized", amountCapturable: 2000 });
  });

  it("an order created with an experience context sends the buyer to its payer-action link", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment(
      { paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic", returnUrl: "https://shop.example/r", cancelUrl: "https://shop.example/c" },
      { idempotencyKey: `${id}:c` },
    );
    const links = rig.fake.order(created.providerPaymentId)["links"] as Array<{ rel: string; href: string }>;
    expect(created.nextAction?.url).toBe(links.find((l) => l.rel === "payer-action")?.href);
  });
});

describe("unknown outcomes, rate limits and provider failures", () => {
  async function createWith(gateway = rig.gateway) {
    const id = paymentId();
    return rejection(gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` }));
  }

  it("a dropped connection → gateway_outcome_unknown", async () => {
    rig.fake.injectFault({ path: "/v2/checkout/orders", fault: { kind: "drop_before" } });
    const error = await createWith();
    expect(error).toBeInstanceOf(PaymentError);
    expect(error.code).toBe("gateway_outcome_unknown");
    expect(error.cause).toBeDefined();
  });

  it("a timeout → gateway_outcome_unknown", async () => {
    const slow = rig.gatewayWith({ timeoutMs: 200 });
    rig.fake.injectFault({ path: "/v2/checkout/orders", fault: { kind: "delay", ms: 600 } });
    expect((await createWith(slow)).code).toBe("gateway_outcome_unknown");
  });

  it.each([500, 502, 503])("HTTP %i → gateway_outcome_unknown, never a decline", async (status) => {
    rig.fake.injectFault({ path: "/v2/checkout/orders", fault: { kind: "status", status } });
    expect((await createWith()).code).toBe("gateway_outcome_unknown");
  });

  it("a 5xx on capture is unknown, and the retry with the same key captures once", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
    rig.fake.approveOrder(created.providerPaymentId);
    rig.fake.injectFault({ path: /\/capture$/, fault: { kind: "status", status: 503 } });
    const resume = { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" as const };
    expect((await rejection(rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:r` }))).code).toBe("gateway_outcome_unknown");
    expect((await rig.gateway.resumePayment(resume, { idempotencyKey: `${id}:r` })).status).toBe("succeeded");
  });

  it("429 → gateway_rate_limited with Retry-After", async () => {
    rig.fake.injectFault({ path: "/v2/checkout/orders", fault: { kind: "status", status: 429, retryAfterSeconds: 7 } });
    expect(await createWith()).toMatchObject({ code: "gateway_rate_limited", retryAfterSeconds: 7 });
  });

  it("refused credentials → gateway_error", async () => {
    expect((await createWith(rig.gatewayWith({ clientSecret: "wrong" }))).code).toBe("gateway_error");
  });

  it("a failed token fetch does not poison the client: the next call fetches a token again", async () => {
    const fresh = rig.gatewayWith();
    rig.fake.injectFault({ path: "/v1/oauth2/token", fault: { kind: "status", status: 503 } });
    // The call itself was never sent: retryable, not an unknown outcome.
    expect((await createWith(fresh)).code).toBe("gateway_error");
    const id = paymentId();
    const created = await fresh.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
    expect(created.status).toBe("requires_action");
  });

  it("an unknown order → not_found", async () => {
    expect((await rejection(rig.gateway.retrieve("0000000000000000X"))).code).toBe("not_found");
  });

  it("refunding more than was captured → refund_exceeds_captured, before PayPal is asked", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    const error = await rejection(
      rig.gateway.refund({ paymentId: paid.paymentId!, refundId: "rf_x", providerPaymentId: paid.providerPaymentId, amount: 2001, currency: "USD", reason: "r" }, { idempotencyKey: "k" }),
    );
    expect(error.code).toBe("refund_exceeds_captured");
  });

  it("errors never carry an access token or the client secret", async () => {
    await approvedPayment(rig.gateway, rig.fake);
    const failures = [];
    for (const fault of [{ kind: "drop_before" }, { kind: "status", status: 500 }, { kind: "status", status: 429 }] as const) {
      rig.fake.injectFault({ path: "/v2/checkout/orders", fault });
      failures.push(await createWith());
    }
    failures.push(await createWith(rig.gatewayWith({ clientSecret: "s3cr3t-wrong" })));
    const secrets = [...rig.fake.issuedTokens, rig.fake.clientSecret, "s3cr3t-wrong", Buffer.from(`${rig.fake.clientId}:s3cr3t-wrong`).toString("base64")];
    expect(rig.fake.issuedTokens.length).toBeGreaterThan(0);
    for (const failure of failures) {
      const text = inspect(failure, { depth: 12, showHidden: false }) + JSON.stringify(failure);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    // The credentials were there to scrub: the causes still show where the header was.
    expect(failures.some((f) => inspect(f, { depth: 12 }).includes("[redacted]"))).toBe(true);
  });
});

describe("capture, cancel and refund across the order's life", () => {
  it("captures part of an authorization with final_capture, releasing the rest", async () => {
    const authorized = await approvedPayment(rig.gateway, rig.fake, { manual: true });
    const captured = await rig.gateway.capture(
      { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount: 1234, currency: "USD" },
      { idempotencyKey: "k-cap" },
    );
    expect(captured).toMatchObject({ status: "succeeded", amountCaptured: 1234, amountCapturable: 0 });
    const body = JSON.parse(rig.fake.requests.find((r) => r.path.endsWith("/capture"))!.body) as Record<string, unknown>;
    expect(body).toEqual({ amount: { currency_code: "USD", value: "12.34" }, final_capture: true });
  });

  it("cancels an unapproved order locally, without calling PayPal", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
    const before = rig.fake.requests.filter((r) => r.method === "POST").length;
    const canceled = await rig.gateway.cancel({ paymentId: id, providerPaymentId: created.providerPaymentId }, { idempotencyKey: `${id}:x` });
    expect(canceled).toMatchObject({ status: "canceled", nextAction: null });
    expect(rig.fake.requests.filter((r) => r.method === "POST").length).toBe(before);
  });

  it("refuses to cancel a captured payment", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    const error = await rejection(rig.gateway.cancel({ paymentId: paid.paymentId!, providerPaymentId: paid.providerPaymentId }, { idempotencyKey: "k" }));
    expect(error.code).toBe("invalid_state_transition");
  });

  it("refunds in several parts, each carrying our refund id in custom_id", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake);
    for (const [i, amount] of [500, 700, 800].entries()) {
      await rig.gateway.refund(
        { paymentId: paid.paymentId!, refundId: `rf_${i}`, providerPaymentId: paid.providerPaymentId, amount, currency: "USD", reason: "r" },
        { idempotencyKey: `k-rf-${i}` },
      );
    }
    const order = await rig.gateway.retrieve(paid.providerPaymentId);
    expect(order).toMatchObject({ status: "succeeded", amountCaptured: 2000, amountRefunded: 2000 });
    expect(order.refunds?.map((r) => r.refundId)).toEqual(["rf_0", "rf_1", "rf_2"]);
  });
});
