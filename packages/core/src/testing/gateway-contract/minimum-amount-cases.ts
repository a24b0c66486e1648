import { expect } from "vitest";
import type { GatewayCapabilities } from "../../ports/payment-gateway.js";
import { testId } from "../fixtures.js";
import { acceptsCurrency, declaredMinimum } from "./capability-gates.js";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { expectCode, expectDefiniteThrow, failUnless, rejectionOf } from "./definite-answer.js";
import { drivePayment } from "./drive-payment.js";

/** The harness currency when the gateway declares a minimum above 1 for it, else the first such currency it accepts. */
function currencyWithMinimum(capabilities: GatewayCapabilities, preferred: string): { currency: string; minimum: number } | null {
  const candidates = [preferred, ...Object.keys(capabilities.minimumAmounts).sort()].map((code) => code.toUpperCase());
  for (const currency of candidates) {
    const minimum = declaredMinimum(capabilities, currency);
    if (minimum > 1 && acceptsCurrency(capabilities, currency)) return { currency, minimum };
  }
  return null;
}

/**
 * `capabilities.minimumAmounts` is a promise the core relies on before it calls the gateway: below it the answer is
 * `amount_too_small` (definite: the customer must pay more, a retry cannot help), and at it the charge goes through.
 */
export function defineMinimumAmountCases(define: DefineCase, subject: GatewayUnderTest): void {
  define("amountTooSmall", async (context) => {
    const { harness } = subject;
    const target = currencyWithMinimum(subject.capabilities, harness.currency.toUpperCase());
    if (target === null) context.skip("the gateway declares no minimum above 1 minor unit (capabilities.minimumAmounts) for a currency it accepts");
    const { currency, minimum } = target!;
    const below = minimum - 1;
    const paymentId = testId("pay");
    const paymentMethodId = harness.paymentMethodFor("succeeds");
    const error = await rejectionOf(
      harness.gateway.createPayment(
        { paymentId, amount: below, currency, captureMethod: "automatic", paymentMethodId, returnUrl: "https://shop.example.test/return", cancelUrl: "https://shop.example.test/cancel" },
        { idempotencyKey: `${paymentId}:confirm` },
      ),
      (payment) => `answered ${(payment as { status?: string }).status} for ${below} ${currency}, below the declared minimum ${minimum}`,
    );
    expectDefiniteThrow(error, `${below} ${currency}`, paymentMethodId === null ? [] : [paymentMethodId]);
    expectCode(error, "amount_too_small", `${below} ${currency}, one below the declared minimum ${minimum}`);
    const made = await harness.gateway.findByPaymentId(paymentId);
    failUnless(made === null || made.amountCaptured === 0, `a refused amount moved money: the provider captured ${made?.amountCaptured}`);

    const charged = await drivePayment(harness, "succeeds", { amount: minimum, currency });
    expect(charged, `the declared minimum ${minimum} ${currency} itself`).toMatchObject({ status: "succeeded", amount: minimum, currency, amountCaptured: minimum });
  });
}
