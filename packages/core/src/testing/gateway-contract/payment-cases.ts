import { expect } from "vitest";
import type { TestContext } from "vitest";
import type { GatewayPayment, GatewayScenario } from "../../ports/payment-gateway.js";
import { testId } from "../fixtures.js";
import { manualCaptureMissing, partialCaptureMissing } from "./capability-gates.js";
import { type DefineCase, type GatewayUnderTest, skipWhen } from "./contract-case.js";
import { expectDefiniteThrow, failUnless, rejectionOf } from "./definite-answer.js";
import { drivePayment } from "./drive-payment.js";

const EXPECTED_DECLINE: Partial<Record<GatewayScenario, string>> = {
  declined: "card_declined",
  insufficient_funds: "insufficient_funds",
  expired_card: "expired_card",
  incorrect_cvc: "incorrect_cvc",
  processing_error: "processing_error",
};

/** A payment's life at the provider: charge, authorize and capture (in full or in part), cancel, read back. */
export function definePaymentCases(define: DefineCase, subject: GatewayUnderTest): void {
  define("automaticCapture", async () => {
    const { harness, amount } = subject;
    const payment = await drivePayment(harness, "succeeds", { amount });
    expect(payment).toMatchObject({ status: "succeeded", amount, currency: harness.currency, amountCaptured: amount });
    expect(payment.provider).toBe(harness.gateway.provider);
  });

  define("manualCapture", async (context) => {
    skipWhen(context, manualCaptureMissing(subject.capabilities));
    const { harness, amount } = subject;
    const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
    expect(authorized).toMatchObject({ status: "authorized", amountCapturable: amount, amountCaptured: 0 });
    await expectExpiryNoLaterThanProvider(subject, authorized, context);
    const captured = await harness.gateway.capture(
      { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount, currency: harness.currency },
      { idempotencyKey: `${authorized.paymentId}:capture` },
    );
    expect(captured).toMatchObject({ status: "succeeded", amountCaptured: amount });
  });

  // Declaring partialCapture is a promise: a gateway that captures the whole authorization instead fails here.
  define("partialCapture", async (context) => {
    skipWhen(context, partialCaptureMissing(subject.capabilities));
    const { harness, amount } = subject;
    const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
    const part = Math.floor(amount / 2);
    const captured = await harness.gateway.capture(
      { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount: part, currency: harness.currency },
      { idempotencyKey: `${authorized.paymentId}:capture` },
    );
    expect(captured).toMatchObject({ status: "succeeded", amountCaptured: part });
    expect((await harness.gateway.retrieve(authorized.providerPaymentId)).amountCaptured).toBe(part);
  });

  define("cancelAuthorization", async (context) => {
    skipWhen(context, manualCaptureMissing(subject.capabilities));
    const { harness, amount } = subject;
    const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
    const canceled = await harness.gateway.cancel(
      { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId },
      { idempotencyKey: `${authorized.paymentId}:cancel` },
    );
    expect(canceled.status).toBe("canceled");
    expect((await harness.gateway.retrieve(authorized.providerPaymentId)).status).toBe("canceled");
  });

  define("retrieve", async () => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const again = await harness.gateway.retrieve(paid.providerPaymentId);
    expect(again).toMatchObject({ providerPaymentId: paid.providerPaymentId, paymentId: paid.paymentId, status: paid.status, amount, amountCaptured: paid.amountCaptured });
  });

  define("findByPaymentId", async () => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const found = await harness.gateway.findByPaymentId(paid.paymentId!);
    expect(found?.providerPaymentId).toBe(paid.providerPaymentId);
    expect(await harness.gateway.findByPaymentId(testId("pay"))).toBeNull();
  });

  define("declines", async (context) => {
    const { harness, amount } = subject;
    let checked = 0;
    const unproduced: string[] = [];
    for (const [scenario, code] of Object.entries(EXPECTED_DECLINE) as Array<[GatewayScenario, string]>) {
      if (harness.paymentMethodFor(scenario) === null) {
        unproduced.push(scenario);
        continue;
      }
      const payment = await drivePayment(harness, scenario, { amount });
      expect(payment.status, scenario).toBe("failed");
      expect(payment.failure?.code, scenario).toBe(code);
      expect(payment.failure?.declineCode, scenario).toBeTruthy();
      checked++;
    }
    if (unproduced.length > 0) await context.annotate(`not checked (the harness cannot produce them): ${unproduced.join(", ")}`);
    expect(checked, "the harness produces none of the decline scenarios").toBeGreaterThan(0);
  });

  define("requiresAction", async (context) => {
    const { harness, amount } = subject;
    if (harness.paymentMethodFor("requires_action") === null) context.skip("the harness cannot produce requires_action");
    const payment = await drivePayment(harness, "requires_action", { amount });
    expect(payment.status).toBe("requires_action");
    expect(payment.nextAction?.url ?? payment.nextAction?.clientSecret).toBeTruthy();
    await harness.completeAction(payment, "succeeds");
    const resumed = await harness.gateway.resumePayment(
      { paymentId: payment.paymentId!, providerPaymentId: payment.providerPaymentId, paymentMethodId: harness.paymentMethodFor("requires_action"), captureMethod: "automatic" },
      { idempotencyKey: `${payment.paymentId}:resume:1` },
    );
    expect(resumed).toMatchObject({ status: "succeeded", amountCaptured: amount });
  });

  define("invalidPaymentMethod", async (context) => {
    const { harness, amount } = subject;
    const method = harness.paymentMethodFor("invalid_payment_method");
    // A provider without payment method ids (PayPal's redirect flow) has nothing to refuse here.
    if (method === null) context.skip("the harness has no payment method id for invalid_payment_method");
    const paymentId = testId("pay");
    const error = await rejectionOf(
      harness.gateway.createPayment({ paymentId, amount, currency: harness.currency, captureMethod: "automatic", paymentMethodId: method }, { idempotencyKey: `${paymentId}:confirm` }),
      (payment) => `answered ${(payment as { status?: string }).status} instead of refusing the request`,
    );
    // The method id is what the customer (or a script probing for valid ones) sent: the error says it is unknown, not which.
    expectDefiniteThrow(error, "an unknown payment method", [method!]);
    expect(["validation_error", "not_found"]).toContain((error as { code: string }).code);
  });
}

/**
 * The core plans captures (and the expiry sweep) by the adapter's `authorizationExpiresAt`: one later than the
 * provider's own would have it capture a lapsed authorization. Checked when the harness can read the provider's.
 */
async function expectExpiryNoLaterThanProvider(subject: GatewayUnderTest, authorized: GatewayPayment, context: TestContext): Promise<void> {
  const held = await subject.harness.amountsAtProvider?.(authorized.providerPaymentId);
  const providerExpiry = held?.authorizationExpiresAt;
  if (!providerExpiry) {
    await context.annotate("the provider's own authorization expiry was not read (amountsAtProvider gives none): a reported expiry later than the provider's would pass");
    return;
  }
  const reported = authorized.authorizationExpiresAt;
  // No expiry reported while the provider holds one: the core would assume its own validity, possibly past the provider's.
  failUnless(Boolean(reported), `the adapter reports no authorization expiry, but the provider lets it lapse at ${providerExpiry}`);
  failUnless(
    Date.parse(reported!) <= Date.parse(providerExpiry),
    `the adapter reports the authorization valid until ${reported}, but the provider lets it lapse at ${providerExpiry}`,
  );
}
