import type { GatewayScenario, PaymentGateway } from "@org/payments-core";
import type { GatewayFault, GatewayHarness } from "@org/payments-core/testing";
import { createAcmeGateway, type AcmeGatewayOptions } from "../src/index.js";
import { ACME_SIGNATURE_HEADER, type AcmeFake, type AcmeFault, startAcmeFake } from "./acme-fake/index.js";

/** Acme's test card for each scenario the kit drives (API.md, "Test cards"). */
export const ACME_TEST_CARDS: Readonly<Record<GatewayScenario, string>> = {
  succeeds: "tok_visa",
  declined: "tok_decline",
  insufficient_funds: "tok_insufficient_funds",
  expired_card: "tok_expired_card",
  incorrect_cvc: "tok_incorrect_cvc",
  processing_error: "tok_processing_error",
  requires_action: "tok_3ds_required",
  // Shaped like a token, so it passes our local check and Acme itself must refuse it.
  invalid_payment_method: "tok_unknown_to_acme",
};

/**
 * The adapter's timeout in tests, for every call: short, so the timeout case waits out only a few seconds, and far
 * above a call to 127.0.0.1 even when ten racers call at once on a CI machine whose two cores run another package's
 * tests too (at 1 s, a slow moment there could turn an ordinary call into a spurious unknown outcome).
 */
export const TEST_TIMEOUT_MS = 3_000;

/** The kit's faults as Acme gives them: each the fake's switch for the same real-world answer. */
const ACME_FAULTS: Readonly<Record<GatewayFault, AcmeFault>> = {
  answer_lost: { kind: "drop_after_acting" },
  timeout: { kind: "slow_after_acting", delayMs: TEST_TIMEOUT_MS * 3 },
  buyer_refused: { kind: "decline_next_charge", code: "transaction_not_permitted" },
  refund_refused: { kind: "refuse_next_refund", code: "charge_disputed" },
  refund_fails_later: { kind: "fail_next_refund_later", reason: "card_closed" },
};

export interface AcmeRig {
  fake: AcmeFake;
  gateway: PaymentGateway;
}

/** The fake on an ephemeral port and the adapter pointed at it. */
export async function startAcmeRig(options: Partial<AcmeGatewayOptions> = {}, fakeOptions: { maxPageSize?: number } = {}): Promise<AcmeRig> {
  const fake = await startAcmeFake(fakeOptions);
  const gateway = createAcmeGateway({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    webhookSecrets: [fake.webhookSecret],
    timeoutMs: TEST_TIMEOUT_MS,
    ...options,
  });
  return { fake, gateway };
}

/** The cardholder at the 3-D Secure page: their browser follows the redirect and approves. */
export async function approveAction(url: string | undefined): Promise<void> {
  if (!url) throw new Error("the payment has no action URL to follow");
  const page = new URL(url);
  page.searchParams.set("result", "approve");
  const response = await fetch(page);
  if (!response.ok) throw new Error(`the 3-D Secure page answered ${response.status}`);
}

export async function acmeGatewayHarness(): Promise<GatewayHarness> {
  const { fake, gateway } = await startAcmeRig();
  return {
    gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => ACME_TEST_CARDS[scenario] ?? null,
    completeAction: (payment) => approveAction(payment.nextAction?.url),
    supportedFaults: Object.keys(ACME_FAULTS) as GatewayFault[],
    injectFault: async (fault) => fake.injectFault(ACME_FAULTS[fault]),
    webhooks: {
      eventBody: async (payment) => fake.chargeEvent(payment.providerPaymentId),
      sign: async (rawBody, options = {}) => ({ [ACME_SIGNATURE_HEADER]: fake.sign(rawBody, { secret: options.secret, sentAt: options.timestamp }) }),
      signatureHeaders: [ACME_SIGNATURE_HEADER],
      toleranceMs: 5 * 60_000,
    },
    amountsAtProvider: async (providerPaymentId) => fake.dashboard(providerPaymentId),
    reset: async () => fake.reset(),
    dispose: () => fake.close(),
  };
}
