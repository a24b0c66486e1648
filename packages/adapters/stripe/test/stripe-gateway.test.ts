import { isPaymentError, type PaymentGateway } from "@org/payments-core";
import type { StripeFake } from "@org/payments-test-support/stripe-fake";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { STRIPE_API_VERSION } from "../src/index.js";
import { PAYMENT_METHODS, key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

let rig: StripeTestRig;
let gateway: PaymentGateway;
let fake: StripeFake;

beforeAll(async () => {
  rig = await startStripeRig();
  gateway = rig.gateway;
  fake = rig.fake;
});
afterAll(() => rig.close());
beforeEach(() => fake.reset());

function create(overrides: Partial<Parameters<PaymentGateway["createPayment"]>[0]> = {}, idempotencyKey = key("create")) {
  return gateway.createPayment(
    {
      paymentId: newPaymentId(),
      amount: 2500,
      currency: "USD",
      captureMethod: "automatic",
      paymentMethodId: PAYMENT_METHODS.succeeds,
      ...overrides,
    },
    { idempotencyKey },
  );
}

describe("stripe gateway over HTTP", () => {
  it("an automatic-capture payment succeeds and carries our payment id back from metadata", async () => {
    const paymentId = newPaymentId();
    const payment = await create({ paymentId });
    expect(payment).toMatchObject({
      provider: "stripe",
      paymentId,
      status: "succeeded",
      amount: 2500,
      currency: "USD",
      amountCaptured: 2500,
      amountCapturable: 0,
      amountRefunded: 0,
      paymentMethodType: "card",
    });
    expect(payment.providerPaymentId).toMatch(/^pi_/);
    const [pi] = fake.paymentIntents();
    expect(pi?.metadata).toEqual({ payment_id: paymentId });
    expect(pi?.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: "never" });
    // Every request pins the API version the SDK's types describe, whatever the client was built with.
    expect(fake.events()[0]?.api_version).toBe(STRIPE_API_VERSION);
  });

  it("every mutating call carries the core's gateway key as Stripe's Idempotency-Key", async () => {
    const payment = await create({ captureMethod: "manual" }, "gw-create-1");
    await gateway.capture(
      { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, amount: 1000, currency: "USD" },
      { idempotencyKey: "gw-capture-1" },
    );
    await gateway.refund(
      {
        paymentId: payment.paymentId ?? "",
        refundId: "ref_1",
        providerPaymentId: payment.providerPaymentId,
        amount: 500,
        currency: "USD",
        reason: "requested_by_customer",
      },
      { idempotencyKey: "gw-refund-1" },
    );
    const posts = fake.requests.filter((r) => r.method === "POST").map((r) => r.idempotencyKey);
    expect(posts).toEqual(["gw-create-1", "gw-capture-1", "gw-refund-1"]);
  });

  it("manual capture authorizes, reports the charge's capture_before as the expiry, and captures partially", async () => {
    const payment = await create({ captureMethod: "manual", amount: 10_000 });
    expect(payment.status).toBe("authorized");
    expect(payment.amountCapturable).toBe(10_000);
    const [charge] = fake.paymentIntents().map((pi) => fake.charge(pi.latest_charge as string));
    const captureBefore = (charge?.payment_method_details as { card: { capture_before: number } }).card.capture_before;
    expect(payment.authorizationExpiresAt).toBe(new Date(captureBefore * 1000).toISOString());

    const captured = await gateway.capture(
      { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, amount: 6_000, currency: "USD" },
      { idempotencyKey: key("capture") },
    );
    expect(captured).toMatchObject({ status: "succeeded", amountCaptured: 6_000, amountCapturable: 0 });
  });

  it("a capture retried after its reply was lost past key retention still answers with the captured payment", async () => {
    const payment = await create({ captureMethod: "manual" });
    const request = { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, amount: 2500, currency: "USD" };
    await gateway.capture(request, { idempotencyKey: "cap-a" });
    const again = await gateway.capture(request, { idempotencyKey: "cap-b" });
    expect(again.status).toBe("succeeded");
  });

  it("cancels an authorization, and a repeated cancel reports the canceled payment", async () => {
    const payment = await create({ captureMethod: "manual" });
    const request = { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId };
    expect((await gateway.cancel(request, { idempotencyKey: key("cancel") })).status).toBe("canceled");
    expect((await gateway.cancel(request, { idempotencyKey: key("cancel") })).status).toBe("canceled");
  });

  it("capturing a canceled payment is invalid_state_transition", async () => {
    const payment = await create({ captureMethod: "manual" });
    await gateway.cancel({ paymentId: "p", providerPaymentId: payment.providerPaymentId }, { idempotencyKey: key("c") });
    const error = await gateway
      .capture({ paymentId: "p", providerPaymentId: payment.providerPaymentId, amount: 2500, currency: "USD" }, { idempotencyKey: key("x") })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, "invalid_state_transition")).toBe(true);
  });

  it("refunds fully, partially and many times; retrieve reports amountRefunded and each refund with our id", async () => {
    const payment = await create({ amount: 3000 });
    const base = { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, currency: "USD" };
    const first = await gateway.refund({ ...base, refundId: "ref_a", amount: 1000, reason: "requested_by_customer" }, { idempotencyKey: key("r") });
    expect(first).toMatchObject({ refundId: "ref_a", amount: 1000, status: "succeeded", providerPaymentId: payment.providerPaymentId });
    await gateway.refund({ ...base, refundId: "ref_b", amount: 500, reason: "customer changed trip" }, { idempotencyKey: key("r") });
    await gateway.refund({ ...base, refundId: "ref_c", amount: 1500, reason: "duplicate" }, { idempotencyKey: key("r") });

    const retrieved = await gateway.retrieve(payment.providerPaymentId);
    expect(retrieved.amountRefunded).toBe(3000);
    expect(retrieved.refunds?.map((r) => r.refundId).sort()).toEqual(["ref_a", "ref_b", "ref_c"]);
    // Stripe takes only its own reasons; ours is kept in metadata.
    expect(fake.refunds().find((r) => r.metadata.refund_id === "ref_b")).toMatchObject({
      reason: null,
      metadata: { reason: "customer changed trip" },
    });

    // Nothing left to refund: Stripe's 400 charge_already_refunded is its definite refusal of this refund.
    const over = await gateway.refund({ ...base, refundId: "ref_d", amount: 1, reason: "requested_by_customer" }, { idempotencyKey: key("r") });
    expect(over).toMatchObject({ status: "failed", failureReason: "charge_already_refunded", refundId: "ref_d", providerRefundId: "" });
  });

  it("a refund larger than what is left is refund_exceeds_captured (the caller may ask for less)", async () => {
    const payment = await create({ amount: 3000 });
    const base = { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, currency: "USD" };
    await gateway.refund({ ...base, refundId: "ref_a", amount: 2000, reason: "requested_by_customer" }, { idempotencyKey: key("r") });
    const error = await gateway
      .refund({ ...base, refundId: "ref_b", amount: 1001, reason: "requested_by_customer" }, { idempotencyKey: key("r") })
      .catch((e: unknown) => e);
    expect(isPaymentError(error, "refund_exceeds_captured")).toBe(true);
  });

  it("a card needing 3-D Secure returns requires_action with the client secret, then resumes to success", async () => {
    const payment = await create({ paymentMethodId: PAYMENT_METHODS.requires_action });
    expect(payment.status).toBe("requires_action");
    expect(payment.nextAction).toMatchObject({ type: "use_sdk" });
    expect(payment.nextAction?.clientSecret).toMatch(/^pi_.+_secret_/);

    fake.completeAction(payment.providerPaymentId, "succeed");
    const resumed = await gateway.resumePayment(
      { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, captureMethod: "automatic" },
      { idempotencyKey: key("resume") },
    );
    expect(resumed).toMatchObject({ status: "succeeded", amountCaptured: 2500 });
  });

  it("with a return URL the next action is a redirect, and an intent left for server confirmation is confirmed", async () => {
    const payment = await create({
      paymentMethodId: PAYMENT_METHODS.requires_action,
      captureMethod: "manual",
      returnUrl: "https://shop.example/return",
    });
    expect(payment.nextAction).toMatchObject({ type: "redirect" });
    expect(payment.nextAction?.url).toContain("/_fake/3ds/");

    fake.completeAction(payment.providerPaymentId, "leave_for_confirm");
    const resumed = await gateway.resumePayment(
      {
        paymentId: payment.paymentId ?? "",
        providerPaymentId: payment.providerPaymentId,
        captureMethod: "manual",
        returnUrl: "https://shop.example/return",
      },
      { idempotencyKey: "resume-1" },
    );
    expect(resumed.status).toBe("authorized");
    expect(fake.requests.filter((r) => r.path.endsWith("/confirm")).map((r) => r.idempotencyKey)).toEqual(["resume-1"]);
  });

  it("a failed 3-D Secure authentication resumes as failed with authentication_required", async () => {
    const payment = await create({ paymentMethodId: PAYMENT_METHODS.requires_action });
    fake.completeAction(payment.providerPaymentId, "fail");
    const resumed = await gateway.resumePayment(
      { paymentId: payment.paymentId ?? "", providerPaymentId: payment.providerPaymentId, captureMethod: "automatic" },
      { idempotencyKey: key("resume") },
    );
    expect(resumed.status).toBe("failed");
    expect(resumed.failure).toMatchObject({ code: "authentication_required", declineCode: "payment_intent_authentication_failure" });
  });

  const declines = [
    ["declined", "card_declined", "generic_decline"],
    ["insufficient_funds", "insufficient_funds", "insufficient_funds"],
    ["expired_card", "expired_card", "expired_card"],
    ["incorrect_cvc", "incorrect_cvc", "incorrect_cvc"],
    ["processing_error", "processing_error", "processing_error"],
  ] as const;
  for (const [scenario, code, declineCode] of declines) {
    it(`a ${scenario} card is a failed payment (not a throw) with code ${code} and Stripe's ${declineCode}`, async () => {
      const payment = await create({ paymentMethodId: PAYMENT_METHODS[scenario] });
      expect(payment.status).toBe("failed");
      expect(payment.failure).toMatchObject({ code, declineCode });
      expect(payment.providerPaymentId).toMatch(/^pi_/);
      expect(payment.amountCaptured).toBe(0);
    });
  }

  it("a payment without a payment method is refused before calling Stripe", async () => {
    const error = await create({ paymentMethodId: null }).catch((e: unknown) => e);
    expect(isPaymentError(error, "validation_error")).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it("retrieve of an unknown PaymentIntent is not_found", async () => {
    const error = await gateway.retrieve("pi_missing").catch((e: unknown) => e);
    expect(isPaymentError(error, "not_found")).toBe(true);
  });

  it("findByPaymentId finds the intent by metadata, and returns null for a payment Stripe never saw", async () => {
    const paymentId = newPaymentId();
    await create();
    const made = await create({ paymentId });
    await create();
    expect((await gateway.findByPaymentId(paymentId))?.providerPaymentId).toBe(made.providerPaymentId);
    expect(await gateway.findByPaymentId(newPaymentId())).toBeNull();
  });

  it("findByPaymentId with the search strategy finds the same intent", async () => {
    const searching = await startStripeRig({ gateway: { findStrategy: "search" } });
    try {
      const paymentId = newPaymentId();
      const made = await searching.gateway.createPayment(
        { paymentId, amount: 900, currency: "EUR", captureMethod: "automatic", paymentMethodId: "pm_card_visa" },
        { idempotencyKey: key("c") },
      );
      expect((await searching.gateway.findByPaymentId(paymentId))?.providerPaymentId).toBe(made.providerPaymentId);
      expect(await searching.gateway.findByPaymentId(newPaymentId())).toBeNull();
    } finally {
      await searching.close();
    }
  });

  it("listTransactions pages through every intent in the window (more than one page) with its refunds", async () => {
    const since = new Date(fake.now() - 1000);
    const made: string[] = [];
    for (let i = 0; i < 130; i++) made.push((await create({ amount: 100 + i })).providerPaymentId);
    const refunded = made[7] as string;
    await gateway.refund(
      { paymentId: "p", refundId: "ref_x", providerPaymentId: refunded, amount: 50, currency: "USD", reason: "duplicate" },
      { idempotencyKey: key("r") },
    );
    const seen: string[] = [];
    for await (const payment of gateway.listTransactions({ since, until: new Date(fake.now() + 1000) })) {
      seen.push(payment.providerPaymentId);
      if (payment.providerPaymentId === refunded) {
        expect(payment.amountRefunded).toBe(50);
        expect(payment.refunds?.map((r) => r.refundId)).toEqual(["ref_x"]);
      }
    }
    expect(seen.sort()).toEqual([...made].sort());
    expect(fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/payment_intents").length).toBe(2);

    const later = [];
    for await (const payment of gateway.listTransactions({
      since: new Date(fake.now() + 60_000),
      until: new Date(fake.now() + 120_000),
    })) {
      later.push(payment);
    }
    expect(later).toEqual([]);
  });
});
