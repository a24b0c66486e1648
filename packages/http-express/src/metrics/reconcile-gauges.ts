import type { ReconcileReport } from "@org/payments-core";
import { Gauge, type Registry } from "prom-client";

export interface ReconcileMetrics {
  /** Records what a reconcile run left unresolved, and when it finished, for the report's provider. */
  record(report: ReconcileReport, finishedAt?: Date): void;
}

/**
 * Reconcile drift as gauges: what the last run per provider left unresolved, and when it finished (so a reconcile
 * that stopped running is alerted on too). Reconcile compares the store with the provider, once for the whole
 * fleet, so these belong on the designated exporter only (`payments-cli metrics serve --reconcile-every`).
 */
export function createReconcileMetrics(registry: Registry): ReconcileMetrics {
  const unresolved = new Gauge({
    name: "payments_reconcile_unresolved_drifts",
    help: "Differences between the store and the provider that the last reconcile run left for a person (or, dry run, did not correct)",
    labelNames: ["provider"] as const,
    registers: [registry],
  });
  const finished = new Gauge({
    name: "payments_reconcile_last_run_timestamp_seconds",
    help: "When the last reconcile run for the provider finished (Unix time)",
    labelNames: ["provider"] as const,
    registers: [registry],
  });
  return {
    record(report, finishedAt = new Date()) {
      unresolved.set({ provider: report.provider }, report.unresolved);
      finished.set({ provider: report.provider }, finishedAt.getTime() / 1000);
    },
  };
}
