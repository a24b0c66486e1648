export { SimulatedGateway, createSimulatedGateway } from "./simulated-gateway.js";
export type { SimulatedFault, SimulatedGatewayOptions, SimulatedOperation } from "./simulated-gateway.js";
export { TEST_PAYMENT_METHODS, PAYMENT_METHOD_FOR_SCENARIO, isTestPaymentMethod } from "./test-payment-methods.js";
export type { TestPaymentMethod } from "./test-payment-methods.js";
export { SIMULATED_SIGNATURE_HEADER, signSimulatedPayload, verifySimulatedSignature } from "./webhook-signature.js";
export type { SimulatedPaymentObject } from "./simulated-state.js";
export { simulatedStateFileFor } from "./state-file.js";
