import type { PaymentService } from "@org/payments-core";
import { Counter, Histogram, Registry } from "prom-client";
import { gatewayDurationHistogram } from "./metrics/gateway-timing.js";
import { registerStoreMetrics } from "./metrics/store-gauges.js";

export interface PaymentsMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  operations: Counter<"operation" | "outcome">;
  operationDuration: Histogram<"operation" | "outcome">;
  amounts: Counter<"operation" | "currency">;
  refunds: Counter<"status">;
  replays: Counter<"operation">;
}

export interface PaymentsMetricsOptions {
  /** Also serve the store-derived gauges here (see `registerStoreMetrics`): on ONE instance of a fleet only. */
  storeMetrics?: boolean | { cacheMs?: number | undefined } | undefined;
  /** Told why a store read for those gauges failed. */
  onStoreReadError?: ((error: unknown) => void) | undefined;
}

/** An operation runs claim, gateway call and settle: from a few ms on a local store to a slow provider's seconds. */
const OPERATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The router's metrics, in a registry of its own (or the host's), never prom-client's global default, so two
 * routers in one process — or a host's own metrics — never collide. Everything here is per instance (what this
 * process served), so summing over a fleet's pods is right; the store-derived gauges, which every pod would report
 * alike, are only added when `storeMetrics` names this instance the exporter.
 */
export function createPaymentsMetrics(service: PaymentService, registry = new Registry(), options: PaymentsMetricsOptions = {}): PaymentsMetrics {
  const registers = [registry];
  if (options.storeMetrics) {
    const cacheMs = typeof options.storeMetrics === "object" ? options.storeMetrics.cacheMs : undefined;
    registerStoreMetrics(registry, { store: service.store, now: () => service.clock.now(), cacheMs, onReadError: options.onStoreReadError });
  }
  // Filled by gateways the host wrapped with `timeGatewayCalls` and this registry; listed here so it is always
  // described, and shared (not registered twice) when the host did.
  gatewayDurationHistogram(registry);
  return {
    registry,
    httpDuration: new Histogram({
      name: "payments_http_request_duration_seconds",
      help: "HTTP request duration by route",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    operations: new Counter({
      name: "payments_operations_total",
      help: "State-changing operations by outcome (ok or error code)",
      labelNames: ["operation", "outcome"] as const,
      registers,
    }),
    operationDuration: new Histogram({
      name: "payments_operation_duration_seconds",
      help: "Duration of state-changing operations (create, confirm, capture, cancel, refund, webhook) by outcome (ok or error code), gateway call included",
      labelNames: ["operation", "outcome"] as const,
      buckets: OPERATION_BUCKETS,
      registers,
    }),
    amounts: new Counter({
      name: "payments_amount_minor_units_total",
      help: "Minor units moved by successful operations (charges, captures, refunds) per currency",
      labelNames: ["operation", "currency"] as const,
      registers,
    }),
    refunds: new Counter({ name: "payments_refunds_total", help: "Refunds by resulting status", labelNames: ["status"] as const, registers }),
    replays: new Counter({
      name: "payments_idempotent_replays_total",
      help: "Responses replayed from a stored idempotent outcome",
      labelNames: ["operation"] as const,
      registers,
    }),
  };
}
