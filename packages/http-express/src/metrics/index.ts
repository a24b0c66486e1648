/*
 * `@org/payments-express/metrics`: the metrics that need no Express — store gauges for a designated exporter,
 * reconcile gauges, gateway-call timing — for a host or `payments-cli metrics serve` to register in their own
 * prom-client registry.
 */
export { registerStoreMetrics } from "./store-gauges.js";
export type { StoreMetricsOptions } from "./store-gauges.js";
export { createReconcileMetrics } from "./reconcile-gauges.js";
export type { ReconcileMetrics } from "./reconcile-gauges.js";
export { GATEWAY_DURATION_METRIC, timeGatewayCalls } from "./gateway-timing.js";
export { createStoreExporter } from "./store-exporter.js";
export type { StoreExporter } from "./store-exporter.js";
