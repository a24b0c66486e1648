import type { TestContext } from "vitest";
import { expect } from "vitest";
import { isPaymentError } from "../../errors/index.js";
import { testId } from "../fixtures.js";
import type { GatewayFault } from "../harness.js";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { expectCode, expectDefiniteThrow, failUnless, rejectionOf } from "./definite-answer.js";
import { drivePayment, refundRequest } from "./drive-payment.js";

/**
 * Answers a real provider gives and a happy path never shows, made by the harness's fake on the next call: each must
 * land in the right one of the core's five kinds, because the core decides retries and lookups by that kind alone.
 */
export function defineProviderFaultCases(define: DefineCase, subject: GatewayUnderTest): void {
  /** Arms `fault` on the fake; skips the case, with the reason, when the harness cannot give it. */
  const inject = async (context: TestContext, fault: GatewayFault): Promise<void> => {
    const { harness } = subject;
    if (!harness.injectFault || !harness.supportedFaults?.includes(fault)) context.skip(`the harness cannot make its fake give "${fault}"`);
    await harness.injectFault!(fault);
  };

  /** The provider acted but its answer never reached the adapter in time: unknown, and findable by our id. */
  const unknownAndFound = async (what: string) => {
    const { harness, amount } = subject;
    const paymentId = testId("pay");
    const error = await rejectionOf(drivePayment(harness, "succeeds", { amount, paymentId }), (payment) => `answered ${(payment as { status?: string }).status} although ${what}`);
    // gateway_error means "the provider certainly did not act": the core would then send again and could charge twice.
    failUnless(!isPaymentError(error, "gateway_error"), `${what}: gateway_error says the provider did not act, but it did`);
    expectCode(error, "gateway_outcome_unknown", what);
    const found = await harness.gateway.findByPaymentId(paymentId);
    expect(found, "the lookup by our payment id must find what the provider made").not.toBeNull();
    expect(found).toMatchObject({ paymentId, amount, currency: harness.currency });
  };

  define("buyerRefusalIsDefinite", async (context) => {
    await inject(context, "buyer_refused");
    const { harness, amount } = subject;
    const payment = await drivePayment(harness, "succeeds", { amount }).catch((e: unknown) => {
      expectDefiniteThrow(e, "a buyer's refusal");
      return null;
    });
    if (payment === null) return;
    expect(["failed", "requires_action"], "a refusal must be a definite state").toContain(payment.status);
    if (payment.status === "failed") {
      expect(payment.failure?.code).toMatch(/^(card_declined|insufficient_funds|expired_card|incorrect_cvc|processing_error|authentication_required)$/);
      expect(payment.failure?.declineCode, "the provider's own code is kept").toBeTruthy();
    } else {
      expect(payment.nextAction?.url ?? payment.nextAction?.clientSecret, "the customer needs somewhere to go").toBeTruthy();
    }
  });

  define("lostAnswerIsUnknownAndFound", async (context) => {
    await inject(context, "answer_lost");
    await unknownAndFound("the answer was lost after the provider acted");
  });

  define("timeoutIsUnknownAndFound", async (context) => {
    await inject(context, "timeout");
    await unknownAndFound("the provider answered only after the adapter's timeout");
  });

  define("refusedRefundIsDefinite", async (context) => {
    // The fault applies to the next refund: driving the payment first does not consume it.
    await inject(context, "refund_refused");
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const outcome = await harness.gateway.refund(refundRequest(paid, "rf_refused", 100, harness.currency), { idempotencyKey: `${paid.paymentId}:refund:rf_refused` }).then(
      (refund) => refund,
      (e: unknown) => {
        expectDefiniteThrow(e, "a refused refund");
        return null;
      },
    );
    if (outcome === null) return;
    expect(outcome.status, "a refused refund must be failed, not pending").toBe("failed");
    expect(outcome.failureReason, "the provider's reason is kept").toBeTruthy();
  });

  define("failedRefundIsVisible", async (context) => {
    await inject(context, "refund_fails_later");
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const refund = await harness.gateway.refund(refundRequest(paid, "rf_fails", 100, harness.currency), { idempotencyKey: `${paid.paymentId}:refund:rf_fails` });
    expect(["pending", "failed"]).toContain(refund.status);
    const retrieved = await harness.gateway.retrieve(paid.providerPaymentId);
    const seen = retrieved.refunds?.find((r) => r.refundId === "rf_fails");
    expect(seen, "retrieve must list a failed refund, whatever the amount refunded").toBeDefined();
    expect(seen?.status).toBe("failed");
    expect(retrieved.amountRefunded).toBe(0);
    const found = await harness.gateway.findByPaymentId(paid.paymentId!);
    expect(found?.refunds?.find((r) => r.refundId === "rf_fails")?.status).toBe("failed");
  });
}
