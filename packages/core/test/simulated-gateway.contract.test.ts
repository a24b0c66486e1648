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
  };
});
