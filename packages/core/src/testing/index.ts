export type { StoreHarness, GatewayHarness, GatewayFault } from "./harness.js";
export { describeStoreContract, STORE_CONTRACT_TESTS } from "./store-contract.js";
export type { StoreContractOptions, StoreContractTest } from "./store-contract.js";
export { describeGatewayContract, drivePayment, GATEWAY_CONTRACT_TESTS } from "./gateway-contract.js";
export type { GatewayContractOptions, GatewayContractTest } from "./gateway-contract.js";
export { samplePayment, sampleHistory, sampleEvent, sampleRefund, sampleIdempotencyRecord, sampleInboxEvent, testId } from "./fixtures.js";
