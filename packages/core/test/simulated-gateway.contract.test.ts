import { describeGatewayContract } from "../src/testing/index.js";
import { PAYMENT_METHOD_FOR_SCENARIO, SimulatedGateway } from "../src/simulated/index.js";

describeGatewayContract("simulated", async () => {
  const gateway = new SimulatedGateway();
  return {
    gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => PAYMENT_METHOD_FOR_SCENARIO[scenario],
    completeAction: async (payment) => gateway.completeAction(payment.providerPaymentId),
    reset: async () => gateway.reset(),
    supportedFaults: ["answer_lost", "buyer_refused", "refund_refused", "refund_fails_later"],
    injectFault: async (fault) => {
      if (fault === "answer_lost") gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
      if (fault === "buyer_refused") gateway.injectFault({ kind: "buyer_refused", operation: "createPayment" });
      if (fault === "refund_refused") gateway.injectFault({ kind: "refuse_refund", operation: "refund" });
      if (fault === "refund_fails_later") gateway.injectFault({ kind: "fail_refund_later", operation: "refund" });
    },
  };
});
