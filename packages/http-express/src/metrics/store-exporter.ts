import type { ReconcileReport } from "@org/payments-core";
import { Registry, collectDefaultMetrics } from "prom-client";
import { createReconcileMetrics } from "./reconcile-gauges.js";
import { type StoreMetricsOptions, registerStoreMetrics } from "./store-gauges.js";

/** A fleet's designated exporter as a process of its own: what `payments-cli metrics serve` serves. */
export interface StoreExporter {
  registry: Registry;
  /** The `Content-Type` of `metrics()`. */
  contentType: string;
  /** The exposition text of a scrape. */
  metrics(): Promise<string>;
  /** Records a reconcile run's unresolved drift (see `createReconcileMetrics`). */
  recordReconcile(report: ReconcileReport, finishedAt?: Date): void;
}

/**
 * A registry holding only fleet-wide series — the store gauges and the reconcile gauges — plus this process's own
 * process and Node.js metrics (with `defaultMetrics`, on by default): nothing per request, since no request is
 * served here. Run one per fleet.
 */
export function createStoreExporter(options: StoreMetricsOptions & { defaultMetrics?: boolean | undefined }): StoreExporter {
  const registry = new Registry();
  registerStoreMetrics(registry, options);
  const reconcile = createReconcileMetrics(registry);
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    recordReconcile: (report, finishedAt) => reconcile.record(report, finishedAt),
  };
}
