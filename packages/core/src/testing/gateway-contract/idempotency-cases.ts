import { expect } from "vitest";
import { isPaymentError } from "../../errors/index.js";
import { RACERS } from "../case.js";
import { testId } from "../fixtures.js";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { failUnless } from "./definite-answer.js";
import { drivePayment, refundRequest } from "./drive-payment.js";

/** The core's gateway key, sent as the provider's idempotency key: racers under one key make one object. */
export function defineIdempotencyCases(define: DefineCase, subject: GatewayUnderTest): void {
  define("createIdempotency", async () => {
    const { harness, amount } = subject;
    const paymentId = testId("pay");
    // An authorization moves the least money; a gateway without manual capture races charges instead.
    const captureMethod = subject.capabilities.manualCapture ? "manual" : "automatic";
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, () =>
        harness.gateway.createPayment(
          { paymentId, amount, currency: harness.currency, captureMethod, paymentMethodId: harness.paymentMethodFor("succeeds") },
          { idempotencyKey: `${paymentId}:confirm` },
        ),
      ),
    );
    const ids = new Set<string>();
    for (const result of results) {
      if (result.status === "fulfilled") ids.add(result.value.providerPaymentId);
      // A provider may refuse a concurrent duplicate; that must surface as a retryable unknown outcome.
      else failUnless(isPaymentError(result.reason) && ["gateway_outcome_unknown", "gateway_rate_limited"].includes(result.reason.code), `a racer under the winning key was refused with ${String(result.reason)}: only an unknown outcome or a rate limit may stand in for the replayed answer`);
    }
    expect(ids.size).toBe(1);
    // Read back by the provider's own id, not by our payment id: some providers cannot search an object that
    // moved no money yet (an unapproved PayPal order), and findByPaymentId has its own rule.
    const providerPaymentId = [...ids][0]!;
    const stored = await harness.gateway.retrieve(providerPaymentId);
    expect(stored).toMatchObject({ providerPaymentId, paymentId, amount, currency: harness.currency });
  });

  define("refundIdempotency", async () => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, () =>
        harness.gateway.refund(refundRequest(paid, "rf_race", 100, harness.currency, "race"), { idempotencyKey: `${paid.paymentId}:refund:rf_race` }),
      ),
    );
    const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.providerRefundId] : [])));
    expect(ids.size).toBe(1);
    const found = await harness.gateway.findByPaymentId(paid.paymentId!);
    expect(found?.refunds?.filter((r) => r.refundId === "rf_race")).toHaveLength(1);
  });
}
