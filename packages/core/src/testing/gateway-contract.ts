import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaptureMethod } from "../domain/payment.js";
import { isPaymentError } from "../errors.js";
import type { GatewayPayment, GatewayScenario, PaymentGateway } from "../ports/payment-gateway.js";
import type { GatewayHarness } from "./harness.js";
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
} as const;

export type GatewayContractTest = keyof typeof GATEWAY_CONTRACT_TESTS;

export interface GatewayContractOptions {
  skip?: Partial<Record<GatewayContractTest, string>>;
  /** Amount used by the tests, in minor units of the harness currency (default 2000). */
  amount?: number;
}

const RACERS = 10;

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
