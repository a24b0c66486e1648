import { toMajorUnitsString } from "../../src/money/money.js";
import type { PaymentGateway } from "../../src/ports/payment-gateway.js";
import { PAYMENT_METHOD_FOR_SCENARIO, SIMULATED_SIGNATURE_HEADER, SimulatedGateway, signSimulatedPayload } from "../../src/simulated/index.js";
import type { GatewayHarness } from "../../src/testing/index.js";
import type { GatewayMutation } from "./harness-mutation.js";

/** The secret the simulated gateway is configured with; a mutant that skips verification signs with it itself. */
const WEBHOOK_SECRET = "whsec_kit_mutations";

/**
 * The simulated gateway's harness, for its kit run (test/simulated-gateway.contract.test.ts) and the mutation check; the kit drives `gateway`
 * (the mutant, when there is one) while faults, customer steps, webhooks and the provider's own amounts are read
 * from the real gateway inside, never through the mutant.
 */
export function simulatedGatewayHarness(options: { mutant?: GatewayMutation | undefined; answerTimeoutMs?: number | undefined } = {}): GatewayHarness {
  // Short, so the timeout case waits little; every other call answers at once.
  const ANSWER_TIMEOUT_MS = options.answerTimeoutMs ?? 200;
  const mutant = options.mutant;
  const inner = new SimulatedGateway({ webhookSecrets: [WEBHOOK_SECRET], answerTimeoutMs: ANSWER_TIMEOUT_MS, minimumAmounts: { USD: 50, JPY: 50 } });
  const gateway: PaymentGateway = mutant ? mutant.mutate(inner, { webhookSecret: WEBHOOK_SECRET }) : inner;
  return {
    gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => PAYMENT_METHOD_FOR_SCENARIO[scenario],
    completeAction: async (payment) => inner.completeAction(payment.providerPaymentId),
    reset: async () => inner.reset(),
    supportedFaults: ["answer_lost", "timeout", "buyer_refused", "refund_refused", "refund_fails_later"],
    injectFault: async (fault) => {
      if (fault === "answer_lost") inner.injectFault({ kind: "lose_response", operation: "createPayment" });
      if (fault === "timeout") inner.injectFault({ kind: "answer_late", ms: ANSWER_TIMEOUT_MS * 10, operation: "createPayment" });
      if (fault === "buyer_refused") inner.injectFault({ kind: "buyer_refused", operation: "createPayment" });
      if (fault === "refund_refused") inner.injectFault({ kind: "refuse_refund", operation: "refund" });
      if (fault === "refund_fails_later") inner.injectFault({ kind: "fail_refund_later", operation: "refund" });
    },
    webhooks: {
      eventBody: async (payment) => inner.webhookFor(payment.providerPaymentId).rawBody,
      sign: async (rawBody, options = {}) => ({
        "content-type": "application/json",
        [SIMULATED_SIGNATURE_HEADER]: signSimulatedPayload(rawBody, options.secret ?? WEBHOOK_SECRET, Math.floor((options.timestamp ?? new Date()).getTime() / 1000)),
      }),
      signatureHeaders: [SIMULATED_SIGNATURE_HEADER],
      toleranceMs: 300_000,
    },
    amountsAtProvider: async (providerPaymentId) => {
      const object = inner.listObjects().find((o) => o.id === providerPaymentId);
      if (!object) throw new Error(`no simulated object ${providerPaymentId}`);
      const refunded = object.refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
      return { currency: object.currency, amount: toMajorUnitsString(object.amount, object.currency), refunded: toMajorUnitsString(refunded, object.currency), authorizationExpiresAt: object.authorizationExpiresAt };
    },
  };
}
