export type { StoreHarness, StoreReadBack, MigrationsHarness, GatewayHarness, GatewayFault, WebhookHarness } from "./harness.js";
export { describeStoreContract, STORE_CONTRACT_TESTS } from "./store-contract/index.js";
export type { StoreContractOptions, StoreContractTest } from "./store-contract/index.js";
export { describeGatewayContract, drivePayment, GATEWAY_CONTRACT_TESTS } from "./gateway-contract/index.js";
export type { GatewayContractOptions, GatewayContractTest } from "./gateway-contract/index.js";
export { samplePayment, sampleHistory, sampleEvent, sampleRefund, sampleDispute, sampleCustomer, sampleSavedPaymentMethod, sampleIdempotencyRecord, sampleInboxEvent, testId } from "./fixtures.js";
