import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { parser } from "@prometheus-io/lezer-promql";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createReconcileMetrics, timeGatewayCalls } from "../src/index.js";
import { createPaymentsMetrics } from "../src/metrics.js";

const RULES_FILE = fileURLToPath(new URL("../../../examples/alerting/payments-rules.yml", import.meta.url));

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Metric names a PromQL expression selects, read from its syntax tree (not by pattern, so label values and
 * function names never count); a selector with no name (`{__name__=~…}`) is refused, as no check could follow it. */
export function metricNamesIn(expr: string): string[] {
  const names: string[] = [];
  const tree = parser.parse(expr);
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new Error(`not PromQL: ${expr}`);
    if (cursor.name === "VectorSelector") {
      const identifier = cursor.node.getChild("Identifier");
      if (!identifier) throw new Error(`a selector without a metric name: ${expr.slice(cursor.from, cursor.to)}`);
      names.push(expr.slice(identifier.from, identifier.to));
    }
  } while (cursor.next());
  return names;
}

/**
 * Every series name the code can export, as it appears in a scrape: the router's per-instance metrics, the
 * designated exporter's store gauges, the reconcile gauges, the gateway histogram — histograms as their
 * `_bucket`, `_sum` and `_count` series.
 */
async function exportedSeriesNames(): Promise<Set<string>> {
  const registry = new Registry();
  const service = createPaymentService({ store: createMemoryStore(), gateways: [timeGatewayCalls(new SimulatedGateway(), registry)] });
  createPaymentsMetrics(service, registry, { storeMetrics: true });
  createReconcileMetrics(registry);
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client types `type` as a numeric enum; at run time it is the exposition's type name.
    if (String(metric.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${metric.name}${suffix}`);
    else names.add(metric.name);
  }
  return names;
}

describe("alerting rules in examples/alerting", () => {
  const rules: RuleFile = parse(readFileSync(RULES_FILE, "utf8"));

  it("name only metrics the code exports, so the rules cannot drift from the code", async () => {
    const exported = await exportedSeriesNames();
    const unknown: string[] = [];
    let checked = 0;
    for (const group of rules.groups) {
      for (const rule of group.rules) {
        const names = metricNamesIn(rule.expr);
        expect(names.length, `${rule.alert ?? rule.record} selects some metric`).toBeGreaterThan(0);
        for (const name of names) {
          checked++;
          if (!exported.has(name)) unknown.push(`${rule.alert ?? rule.record}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it("cover what operators must act on: stuck operations, outbox lag, dead events, orphaned webhooks, reconcile drift", () => {
    const byMetric = new Map<string, string[]>();
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      for (const name of metricNamesIn(rule.expr)) byMetric.set(name, [...(byMetric.get(name) ?? []), rule.alert ?? ""]);
    }
    for (const metric of [
      "payments_store_oldest_stuck_operation_age_seconds",
      "payments_store_outbox_oldest_pending_age_seconds",
      "payments_store_outbox_events",
      "payments_store_webhook_events",
      "payments_reconcile_unresolved_drifts",
    ]) {
      expect(byMetric.get(metric), metric).toBeDefined();
    }
  });

  it("reads metric names from the syntax tree, not from label values or function names", () => {
    expect(metricNamesIn('sum by (provider) (rate(payments_x_total{outcome="payments_y"}[5m])) / on() group_left vector(1)')).toEqual(["payments_x_total"]);
    expect(() => metricNamesIn('{__name__=~"payments_.*"}')).toThrow(/without a metric name/);
  });
});
