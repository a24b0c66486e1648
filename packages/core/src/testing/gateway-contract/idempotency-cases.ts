import { expect } from "vitest";
import { isPaymentError } from "../../errors/index.js";
import { toMajorUnitsString } from "../../money/money.js";
import { RACERS } from "../case.js";
import { describeThrown } from "../echo-check.js";
import { testId } from "../fixtures.js";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { failUnless } from "./definite-answer.js";
import { drivePayment, refundRequest } from "./drive-payment.js";

/** What each refund racer asks for, in minor units. */
const RACE_REFUND = 100;

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
    const ids = providerIdsOfRacers(results.map((r) => (r.status === "fulfilled" ? { ok: r.value.providerPaymentId } : { refused: r.reason })));
    expect(ids.size).toBe(1);
    // Read back by the provider's own id, not by our payment id: some providers cannot search an object that
    // moved no money yet (an unapproved PayPal order), and findByPaymentId has its own rule.
    const providerPaymentId = [...ids][0]!;
    const stored = await harness.gateway.retrieve(providerPaymentId);
    expect(stored).toMatchObject({ providerPaymentId, paymentId, amount, currency: harness.currency });
  });

  define("refundIdempotency", async (context) => {
    const { harness, amount } = subject;
    const paid = await drivePayment(harness, "succeeds", { amount });
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, () =>
        harness.gateway.refund(refundRequest(paid, "rf_race", RACE_REFUND, harness.currency, "race"), { idempotencyKey: `${paid.paymentId}:refund:rf_race` }),
      ),
    );
    const ids = providerIdsOfRacers(results.map((r) => (r.status === "fulfilled" ? { ok: r.value.providerRefundId } : { refused: r.reason })));
    expect(ids.size, `provider refunds made by ${RACERS} racers under one key`).toBe(1);
    const found = await harness.gateway.findByPaymentId(paid.paymentId!);
    expect(found?.refunds?.filter((r) => r.refundId === "rf_race")).toHaveLength(1);
    // The adapter's own answers could agree with each other while the provider refunded twice: read its books.
    if (!harness.amountsAtProvider) {
      await context.annotate("the provider's own refunded amount was not read (the harness has no amountsAtProvider): a second refund the adapter does not report would pass");
      return;
    }
    const held = await harness.amountsAtProvider(paid.providerPaymentId);
    const once = toMajorUnitsString(RACE_REFUND, harness.currency);
    failUnless(Number(held.refunded) === Number(once), `the provider refunded ${held.refunded} ${harness.currency} for ${RACERS} racers under one key; exactly ${once} (one refund) was asked for`);
  });
}

/**
 * The provider objects the racers' answers name. A racer may be refused only with an answer the core retries under the
 * same key (an unknown outcome, a rate limit), which then replays the one object: any other refusal (gateway_error,
 * a conflict) would have the core give up on, or create anew, what the winning racer made.
 */
function providerIdsOfRacers<Id>(answers: ReadonlyArray<{ ok: Id } | { refused: unknown }>): Set<Id> {
  const ids = new Set<Id>();
  for (const answer of answers) {
    if ("ok" in answer) ids.add(answer.ok);
    else {
      const error = answer.refused;
      failUnless(
        isPaymentError(error) && ["gateway_outcome_unknown", "gateway_rate_limited"].includes(error.code),
        `a racer under the winning key was refused with ${describeThrown(error)}: only an unknown outcome or a rate limit may stand in for the replayed answer`,
      );
    }
  }
  return ids;
}
