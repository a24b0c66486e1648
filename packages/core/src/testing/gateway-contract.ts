import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaptureMethod } from "../domain/payment.js";
import { isPaymentError } from "../errors/index.js";
import type { GatewayPayment, GatewayScenario, PaymentGateway } from "../ports/payment-gateway.js";
import type { GatewayFault, GatewayHarness } from "./harness.js";
import { testId } from "./fixtures.js";

/** Every rule of the gateway contract, by key; an adapter may skip one only with a reason. */
export const GATEWAY_CONTRACT_TESTS = {
  automaticCapture: "charges with automatic capture and reports the captured amount",
  manualCapture: "authorizes with manual capture, then captures in full",
  partialCapture: "captures part of an authorization",
  cancelAuthorization: "cancels an authorization",
  fullRefund: "refunds a payment in full",
  partialRefunds: "refunds a payment in several parts, each with our refund id",
  retrieve: "retrieves what it created, with our payment id",
  findByPaymentId: "finds a payment by our payment id, and nothing for an unknown id",
  createIdempotency: "10 concurrent creates under one key make exactly one provider object",
  refundIdempotency: "10 concurrent refunds under one key make exactly one refund",
  declines: "maps every decline scenario it can produce onto the core's card error codes",
  requiresAction: "reports requires_action with a next action, and succeeds once the customer completes it",
  listTransactions: "lists the payments created in a window, with their refunds",
  invalidPaymentMethod: "an unknown payment method is an invalid request: never a decline, never retried",
  buyerRefusalIsDefinite: "a buyer's refusal that is not about the card is a definite decline, never left to retry",
  lostAnswerIsUnknownAndFound: "an answer lost after the provider acted is an unknown outcome, and the lookup by payment id finds what it made",
  refusedRefundIsDefinite: "a refund the provider refuses (disputed charge, time limit) is a definite failed refund, never left to retry",
  failedRefundIsVisible: "a refund that fails after it was accepted is visible as failed through retrieve and findByPaymentId",
} as const;

export type GatewayContractTest = keyof typeof GATEWAY_CONTRACT_TESTS;

export interface GatewayContractOptions {
  skip?: Partial<Record<GatewayContractTest, string>>;
  /** Amount used by the tests, in minor units of the harness currency (default 2000). */
  amount?: number;
}

const RACERS = 10;

/** Codes that leave an operation pending for another attempt: a definite answer must never be one of them. */
const RETRIED_CODES = ["gateway_error", "gateway_rate_limited", "gateway_outcome_unknown", "conflict", "internal"];

function expectDefiniteThrow(error: unknown, what: string): void {
  expect(isPaymentError(error), `${what}: threw ${String(error)}`).toBe(true);
  expect(RETRIED_CODES, `${what}: ${(error as { code?: string }).code} would be retried without end`).not.toContain((error as { code: string }).code);
}

const EXPECTED_DECLINE: Partial<Record<GatewayScenario, string>> = {
  declined: "card_declined",
  insufficient_funds: "insufficient_funds",
  expired_card: "expired_card",
  incorrect_cvc: "incorrect_cvc",
  processing_error: "processing_error",
};

/**
 * Drives a payment to its first definite state as a customer would: create and confirm; if the provider asks for a
 * customer step (3-D Secure, PayPal approval) the harness completes it and the payment is resumed.
 */
export async function drivePayment(
  harness: GatewayHarness,
  scenario: GatewayScenario,
  options: { captureMethod?: CaptureMethod; amount?: number; paymentId?: string; key?: string } = {},
): Promise<GatewayPayment> {
  const gateway = harness.gateway;
  const paymentId = options.paymentId ?? testId("pay");
  const created = await gateway.createPayment(
    {
      paymentId,
      amount: options.amount ?? 2000,
      currency: harness.currency,
      captureMethod: options.captureMethod ?? "automatic",
      paymentMethodId: harness.paymentMethodFor(scenario),
      returnUrl: "https://shop.example.test/return",
      cancelUrl: "https://shop.example.test/cancel",
      description: "contract test",
    },
    { idempotencyKey: options.key ?? `${paymentId}:confirm` },
  );
  if (created.status !== "requires_action" || scenario === "requires_action") return created;
  await harness.completeAction(created, scenario);
  return gateway.resumePayment(
    {
      paymentId,
      providerPaymentId: created.providerPaymentId,
      paymentMethodId: harness.paymentMethodFor(scenario),
      captureMethod: options.captureMethod ?? "automatic",
    },
    { idempotencyKey: `${paymentId}:resume:1` },
  );
}

async function collect(gateway: PaymentGateway, since: Date, until: Date): Promise<GatewayPayment[]> {
  const all: GatewayPayment[] = [];
  for await (const payment of gateway.listTransactions({ since, until })) all.push(payment);
  return all;
}

/** The conformance suite every `PaymentGateway` runs against its provider's local fake, over real HTTP. */
export function describeGatewayContract(name: string, setup: () => Promise<GatewayHarness>, options: GatewayContractOptions = {}): void {
  describe(`PaymentGateway contract: ${name}`, () => {
    let harness: GatewayHarness;
    const amount = options.amount ?? 2000;

    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      await harness?.dispose?.();
    });
    beforeEach(async () => {
      await harness.reset?.();
    });

    const rule = (key: GatewayContractTest, body: () => Promise<void>) => {
      const reason = options.skip?.[key];
      if (reason) it.skip(`${GATEWAY_CONTRACT_TESTS[key]} (skipped: ${reason})`, body);
      else it(GATEWAY_CONTRACT_TESTS[key], body);
    };
    /** A rule that needs the fake to give `fault`; skipped at run time, with the reason, when the harness cannot. */
    const faultRule = (key: GatewayContractTest, fault: GatewayFault, body: () => Promise<void>) => {
      const reason = options.skip?.[key];
      if (reason) {
        it.skip(`${GATEWAY_CONTRACT_TESTS[key]} (skipped: ${reason})`, body);
        return;
      }
      it(GATEWAY_CONTRACT_TESTS[key], async (context) => {
        if (!harness.injectFault || !harness.supportedFaults?.includes(fault)) {
          context.skip(`the harness cannot make its fake give "${fault}"`);
          return;
        }
        await harness.injectFault(fault);
        await body();
      });
    };
    const refundRequest = (paid: GatewayPayment, refundId: string, part: number) => ({
      paymentId: paid.paymentId!,
      refundId,
      providerPaymentId: paid.providerPaymentId,
      amount: part,
      currency: harness.currency,
      reason: "contract",
    });

    rule("automaticCapture", async () => {
      const payment = await drivePayment(harness, "succeeds", { amount });
      expect(payment).toMatchObject({ status: "succeeded", amount, currency: harness.currency, amountCaptured: amount });
      expect(payment.provider).toBe(harness.gateway.provider);
    });

    rule("manualCapture", async () => {
      const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
      expect(authorized).toMatchObject({ status: "authorized", amountCapturable: amount, amountCaptured: 0 });
      const captured = await harness.gateway.capture(
        { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount, currency: harness.currency },
        { idempotencyKey: `${authorized.paymentId}:capture` },
      );
      expect(captured).toMatchObject({ status: "succeeded", amountCaptured: amount });
    });

    rule("partialCapture", async () => {
      const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
      const part = Math.floor(amount / 2);
      const captured = await harness.gateway.capture(
        { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId, amount: part, currency: harness.currency },
        { idempotencyKey: `${authorized.paymentId}:capture` },
      );
      expect(captured).toMatchObject({ status: "succeeded", amountCaptured: part });
      expect((await harness.gateway.retrieve(authorized.providerPaymentId)).amountCaptured).toBe(part);
    });

    rule("cancelAuthorization", async () => {
      const authorized = await drivePayment(harness, "succeeds", { captureMethod: "manual", amount });
      const canceled = await harness.gateway.cancel(
        { paymentId: authorized.paymentId!, providerPaymentId: authorized.providerPaymentId },
        { idempotencyKey: `${authorized.paymentId}:cancel` },
      );
      expect(canceled.status).toBe("canceled");
      expect((await harness.gateway.retrieve(authorized.providerPaymentId)).status).toBe("canceled");
    });

    rule("fullRefund", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const refund = await harness.gateway.refund(
        { paymentId: paid.paymentId!, refundId: "rf_full", providerPaymentId: paid.providerPaymentId, amount, currency: harness.currency, reason: "requested_by_customer" },
        { idempotencyKey: `${paid.paymentId}:refund:rf_full` },
      );
      expect(refund).toMatchObject({ amount, currency: harness.currency, providerPaymentId: paid.providerPaymentId });
      expect(["succeeded", "pending"]).toContain(refund.status);
      expect((await harness.gateway.retrieve(paid.providerPaymentId)).amountRefunded).toBe(refund.status === "succeeded" ? amount : 0);
    });

    rule("partialRefunds", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const parts = [Math.floor(amount / 4), Math.floor(amount / 4)];
      for (const [i, part] of parts.entries()) {
        const refund = await harness.gateway.refund(
          { paymentId: paid.paymentId!, refundId: `rf_part_${i}`, providerPaymentId: paid.providerPaymentId, amount: part, currency: harness.currency, reason: "partial" },
          { idempotencyKey: `${paid.paymentId}:refund:rf_part_${i}` },
        );
        expect(refund).toMatchObject({ amount: part, refundId: `rf_part_${i}` });
      }
      const found = await harness.gateway.findByPaymentId(paid.paymentId!);
      expect(found?.refunds?.map((r) => r.refundId).sort()).toEqual(["rf_part_0", "rf_part_1"]);
      expect(found?.amountRefunded).toBe(parts[0]! + parts[1]!);
    });

    rule("retrieve", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const again = await harness.gateway.retrieve(paid.providerPaymentId);
      expect(again).toMatchObject({ providerPaymentId: paid.providerPaymentId, paymentId: paid.paymentId, status: paid.status, amount, amountCaptured: paid.amountCaptured });
    });

    rule("findByPaymentId", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const found = await harness.gateway.findByPaymentId(paid.paymentId!);
      expect(found?.providerPaymentId).toBe(paid.providerPaymentId);
      expect(await harness.gateway.findByPaymentId(testId("pay"))).toBeNull();
    });

    rule("createIdempotency", async () => {
      const paymentId = testId("pay");
      const results = await Promise.allSettled(
        Array.from({ length: RACERS }, () =>
          harness.gateway.createPayment(
            { paymentId, amount, currency: harness.currency, captureMethod: "manual", paymentMethodId: harness.paymentMethodFor("succeeds") },
            { idempotencyKey: `${paymentId}:confirm` },
          ),
        ),
      );
      const ids = new Set<string>();
      for (const result of results) {
        if (result.status === "fulfilled") ids.add(result.value.providerPaymentId);
        // A provider may refuse a concurrent duplicate; that must surface as a retryable unknown outcome.
        else expect(isPaymentError(result.reason) && ["gateway_outcome_unknown", "gateway_rate_limited"].includes(result.reason.code)).toBe(true);
      }
      expect(ids.size).toBe(1);
      // Read back by the provider's own id, not by our payment id: some providers cannot search an object that
      // moved no money yet (an unapproved PayPal order), and findByPaymentId has its own rule.
      const providerPaymentId = [...ids][0]!;
      const stored = await harness.gateway.retrieve(providerPaymentId);
      expect(stored).toMatchObject({ providerPaymentId, paymentId, amount, currency: harness.currency });
    });

    rule("refundIdempotency", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const results = await Promise.allSettled(
        Array.from({ length: RACERS }, () =>
          harness.gateway.refund(
            { paymentId: paid.paymentId!, refundId: "rf_race", providerPaymentId: paid.providerPaymentId, amount: 100, currency: harness.currency, reason: "race" },
            { idempotencyKey: `${paid.paymentId}:refund:rf_race` },
          ),
        ),
      );
      const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.providerRefundId] : [])));
      expect(ids.size).toBe(1);
      const found = await harness.gateway.findByPaymentId(paid.paymentId!);
      expect(found?.refunds?.filter((r) => r.refundId === "rf_race")).toHaveLength(1);
    });

    rule("declines", async () => {
      let checked = 0;
      for (const [scenario, code] of Object.entries(EXPECTED_DECLINE) as Array<[GatewayScenario, string]>) {
        if (harness.paymentMethodFor(scenario) === null) continue;
        const payment = await drivePayment(harness, scenario, { amount });
        expect(payment.status, scenario).toBe("failed");
        expect(payment.failure?.code, scenario).toBe(code);
        expect(payment.failure?.declineCode, scenario).toBeTruthy();
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });

    rule("requiresAction", async () => {
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

    it(GATEWAY_CONTRACT_TESTS.invalidPaymentMethod, async (context) => {
      const reason = options.skip?.invalidPaymentMethod;
      const method = harness.paymentMethodFor("invalid_payment_method");
      if (reason || method === null) {
        // A provider without payment method ids (PayPal's redirect flow) has nothing to refuse here.
        context.skip(reason ?? "the harness has no payment method id for invalid_payment_method");
        return;
      }
      const paymentId = testId("pay");
      const error = await harness.gateway
        .createPayment({ paymentId, amount, currency: harness.currency, captureMethod: "automatic", paymentMethodId: method }, { idempotencyKey: `${paymentId}:confirm` })
        .then(
          (payment) => new Error(`answered ${payment.status} instead of refusing the request`),
          (e: unknown) => e,
        );
      expectDefiniteThrow(error, "an unknown payment method");
      expect(["validation_error", "not_found"]).toContain((error as { code: string }).code);
    });

    faultRule("buyerRefusalIsDefinite", "buyer_refused", async () => {
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

    faultRule("lostAnswerIsUnknownAndFound", "answer_lost", async () => {
      const paymentId = testId("pay");
      const error = await drivePayment(harness, "succeeds", { amount, paymentId }).then(
        (payment) => new Error(`answered ${payment.status} although the answer was lost`),
        (e: unknown) => e,
      );
      expect(isPaymentError(error, "gateway_outcome_unknown"), `a lost answer must be gateway_outcome_unknown, got ${String(error)}`).toBe(true);
      const found = await harness.gateway.findByPaymentId(paymentId);
      expect(found, "the lookup by our payment id must find what the provider made").not.toBeNull();
      expect(found).toMatchObject({ paymentId, amount, currency: harness.currency });
    });

    faultRule("refusedRefundIsDefinite", "refund_refused", async () => {
      // The fault applies to the next refund: drive the payment first without consuming it.
      const paid = await drivePayment(harness, "succeeds", { amount });
      const outcome = await harness.gateway.refund(refundRequest(paid, "rf_refused", 100), { idempotencyKey: `${paid.paymentId}:refund:rf_refused` }).then(
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

    faultRule("failedRefundIsVisible", "refund_fails_later", async () => {
      const paid = await drivePayment(harness, "succeeds", { amount });
      const refund = await harness.gateway.refund(refundRequest(paid, "rf_fails", 100), { idempotencyKey: `${paid.paymentId}:refund:rf_fails` });
      expect(["pending", "failed"]).toContain(refund.status);
      const retrieved = await harness.gateway.retrieve(paid.providerPaymentId);
      const seen = retrieved.refunds?.find((r) => r.refundId === "rf_fails");
      expect(seen, "retrieve must list a failed refund, whatever the amount refunded").toBeDefined();
      expect(seen?.status).toBe("failed");
      expect(retrieved.amountRefunded).toBe(0);
      const found = await harness.gateway.findByPaymentId(paid.paymentId!);
      expect(found?.refunds?.find((r) => r.refundId === "rf_fails")?.status).toBe("failed");
    });

    rule("listTransactions", async () => {
      const since = new Date(Date.now() - 60_000);
      const paid = await drivePayment(harness, "succeeds", { amount });
      await harness.gateway.refund(
        { paymentId: paid.paymentId!, refundId: "rf_listed", providerPaymentId: paid.providerPaymentId, amount: 100, currency: harness.currency, reason: "listed" },
        { idempotencyKey: `${paid.paymentId}:refund:rf_listed` },
      );
      const listed = await collect(harness.gateway, since, new Date(Date.now() + 60_000));
      const mine = listed.find((p) => p.paymentId === paid.paymentId);
      expect(mine?.providerPaymentId).toBe(paid.providerPaymentId);
      expect(mine?.refunds?.some((r) => r.refundId === "rf_listed")).toBe(true);
      expect(await collect(harness.gateway, new Date(Date.now() + 3_600_000), new Date(Date.now() + 7_200_000))).toEqual([]);
    });
  });
}
