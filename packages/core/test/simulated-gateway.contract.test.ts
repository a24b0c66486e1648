import { toMajorUnitsString } from "../src/money/money.js";
import { PAYMENT_METHOD_FOR_SCENARIO, SIMULATED_SIGNATURE_HEADER, SimulatedGateway, signSimulatedPayload } from "../src/simulated/index.js";
import { describeGatewayContract } from "../src/testing/index.js";

const WEBHOOK_SECRET = "whsec_simulated_contract";
/** Short, so the timeout case waits little; every other call answers at once. */
const ANSWER_TIMEOUT_MS = 200;

describeGatewayContract("simulated", async () => {
  // Stripe's minimums for the currencies the kit charges, so the minimum-amount case runs here too.
  const gateway = new SimulatedGateway({ webhookSecrets: [WEBHOOK_SECRET], answerTimeoutMs: ANSWER_TIMEOUT_MS, minimumAmounts: { USD: 50, JPY: 50 } });
  return {
    gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => PAYMENT_METHOD_FOR_SCENARIO[scenario],
    completeAction: async (payment) => gateway.completeAction(payment.providerPaymentId),
    reset: async () => gateway.reset(),
    supportedFaults: ["answer_lost", "timeout", "buyer_refused", "refund_refused", "refund_fails_later"],
    injectFault: async (fault) => {
      if (fault === "answer_lost") gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
      if (fault === "timeout") gateway.injectFault({ kind: "answer_late", ms: ANSWER_TIMEOUT_MS * 10, operation: "createPayment" });
      if (fault === "buyer_refused") gateway.injectFault({ kind: "buyer_refused", operation: "createPayment" });
      if (fault === "refund_refused") gateway.injectFault({ kind: "refuse_refund", operation: "refund" });
      if (fault === "refund_fails_later") gateway.injectFault({ kind: "fail_refund_later", operation: "refund" });
    },
    webhooks: {
      eventBody: async (payment) => gateway.webhookFor(payment.providerPaymentId).rawBody,
      sign: async (rawBody, options = {}) => ({
        "content-type": "application/json",
        [SIMULATED_SIGNATURE_HEADER]: signSimulatedPayload(rawBody, options.secret ?? WEBHOOK_SECRET, Math.floor((options.timestamp ?? new Date()).getTime() / 1000)),
      }),
      signatureHeaders: [SIMULATED_SIGNATURE_HEADER],
      toleranceMs: 300_000,
    },
    // The simulated provider keeps minor units; its "own text" is their ISO decimal rendering.
    amountsAtProvider: async (providerPaymentId) => {
      const object = gateway.listObjects().find((o) => o.id === providerPaymentId);
      if (!object) throw new Error(`no simulated object ${providerPaymentId}`);
      const refunded = object.refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum + r.amount, 0);
      return { currency: object.currency, amount: toMajorUnitsString(object.amount, object.currency), refunded: toMajorUnitsString(refunded, object.currency), authorizationExpiresAt: object.authorizationExpiresAt };
    },
  };
});
