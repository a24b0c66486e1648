import type { TestContext } from "vitest";
import { expect } from "vitest";
import type { GatewayPayment } from "../../ports/payment-gateway.js";
import { currencyMissing, declaredMinimum } from "./capability-gates.js";
import { type DefineCase, type GatewayUnderTest, skipWhen } from "./contract-case.js";
import { failUnless } from "./definite-answer.js";
import { collectTransactions, drivePayment, refundRequest } from "./drive-payment.js";

/**
 * The amounts of each case, with the provider's text for them written out by hand (not computed by the core's money
 * code, which an adapter may use: a shared mistake would agree with itself). KWD amounts end in 0, as Stripe
 * requires of three-decimal currencies.
 */
const EXPONENT_CASES = {
  zeroDecimalAmounts: { currency: "JPY", amount: 1234, major: "1234", refund: 234, refundMajor: "234" },
  threeDecimalAmounts: { currency: "KWD", amount: 1230, major: "1.230", refund: 230, refundMajor: "0.230" },
} as const;

/** "1.230" and "1.23" (and "1234" and "1234.00") are the same amount. */
function sameDecimal(a: string, b: string): boolean {
  const normal = (text: string) => {
    const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
    if (!match) return `not a decimal: ${text}`;
    return `${match[1]!.replace(/^0+(?=\d)/, "")}.${(match[2] ?? "").replace(/0+$/, "")}`;
  };
  return normal(a) === normal(b);
}

function expectAmounts(payment: GatewayPayment | undefined, where: string, expected: { currency: string; amount: number; refunded: number }): void {
  expect(payment, `${where}: the payment`).toBeDefined();
  expect(
    { currency: payment!.currency.toUpperCase(), amount: payment!.amount, amountCaptured: payment!.amountCaptured, amountRefunded: payment!.amountRefunded },
    `${where}: amounts in ${expected.currency} minor units`,
  ).toEqual({ currency: expected.currency, amount: expected.amount, amountCaptured: expected.amount, amountRefunded: expected.refunded });
}

/**
 * Currencies whose minor unit is not a cent: a provider answer read with the wrong exponent (¥1234 reported as
 * 123400, 1.230 KWD as 123) turns every later sum — refunds left, reconciliation, receipts — into another amount.
 */
export function defineCurrencyExponentCases(define: DefineCase, subject: GatewayUnderTest): void {
  for (const [key, rule] of Object.entries(EXPONENT_CASES) as Array<[keyof typeof EXPONENT_CASES, (typeof EXPONENT_CASES)[keyof typeof EXPONENT_CASES]]>) {
    define(key, async (context: TestContext) => {
      const { harness, gateway, capabilities } = subject;
      const { currency, amount, refund: part } = rule;
      skipWhen(context, currencyMissing(capabilities, currency));
      const minimum = declaredMinimum(capabilities, currency);
      skipWhen(context, minimum > amount ? `the gateway's declared minimum for ${currency} (${minimum}) is above the case's ${amount}` : null);
      const since = new Date(Date.now() - 60_000);

      const paid = await drivePayment(harness, "succeeds", { amount, currency });
      expect(paid.status, `a ${currency} charge`).toBe("succeeded");
      expectAmounts(paid, "the charge", { currency, amount, refunded: 0 });

      const refundId = `rf_${currency.toLowerCase()}`;
      const refund = await gateway.refund(refundRequest(paid, refundId, part, currency, "exponent"), { idempotencyKey: `${paid.paymentId}:refund:${refundId}` });
      expect({ amount: refund.amount, currency: refund.currency.toUpperCase() }, "the partial refund").toEqual({ amount: part, currency });
      expect(["succeeded", "pending"]).toContain(refund.status);
      // A pending refund is not refunded yet: the core holds it as a reservation until it settles.
      const refunded = refund.status === "succeeded" ? part : 0;

      const retrieved = await gateway.retrieve(paid.providerPaymentId);
      expectAmounts(retrieved, "retrieve", { currency, amount, refunded });
      expect(retrieved.refunds?.find((r) => r.refundId === refundId)?.amount, "retrieve: the refund").toBe(part);

      const listed = (await collectTransactions(gateway, since, new Date(Date.now() + 60_000))).find((p) => p.paymentId === paid.paymentId);
      expectAmounts(listed, "listTransactions", { currency, amount, refunded });
      expect(listed?.refunds?.find((r) => r.refundId === refundId)?.amount, "listTransactions: the refund").toBe(part);

      if (!harness.amountsAtProvider) {
        await context.annotate(`the provider's own amounts were not read (the harness has no amountsAtProvider): a mistake symmetric in sending and reading ${currency} would pass`);
        return;
      }
      const held = await harness.amountsAtProvider(paid.providerPaymentId);
      expect(held.currency.toUpperCase(), "the currency the provider holds").toBe(currency);
      failUnless(sameDecimal(held.amount, rule.major), `the provider holds ${held.amount} ${currency}; ${amount} minor units is ${rule.major}`);
      failUnless(sameDecimal(held.refunded, rule.refundMajor), `the provider refunded ${held.refunded} ${currency}; ${part} minor units is ${rule.refundMajor}`);
    });
  }
}
