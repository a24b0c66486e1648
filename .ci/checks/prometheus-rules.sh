#!/usr/bin/env bash
# The alerting rules in examples/alerting and the names the code exports, checked by Prometheus's own tool:
# - `promtool check rules`: the rule file is valid (syntax, PromQL, templates);
# - `promtool test rules`: each alert fires on the series meant to fire it and a healthy fleet fires none;
# - `promtool check metrics`: a real scrape of every payments_* metric (router, designated exporter, gateway timing,
#   reconcile) follows Prometheus's naming conventions (units as suffixes, _total only on counters…).
# - every metric a rule names is one the code exports (the express package's alert-rules-metric-names test, which
#   reads each rule's PromQL syntax tree; it also runs with the package's suite).
# Needs the build (.ci/run builds first). Debian's prometheus package ships promtool.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool missing: installing Debian's prometheus package"
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool --version | head -n 1

timeout 60 promtool check rules examples/alerting/payments-rules.yml
(cd examples/alerting && timeout 120 promtool test rules payments-rules.test.yml)

scrape="$(mktemp)"
trap 'rm -f "$scrape"' EXIT
# A payment through a service whose gateway is timed, on a registry holding everything the code can export. Run from
# the express package so its dependencies resolve as they do for a host.
(cd packages/http-express && timeout 60 node --input-type=module -e '
import { Registry } from "prom-client";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { createPaymentsRouter, createReconcileMetrics, timeGatewayCalls } from "./dist/index.js";
const registry = new Registry();
const service = createPaymentService({ store: createMemoryStore(), gateways: [timeGatewayCalls(new SimulatedGateway(), registry)] });
createPaymentsRouter({ service, authenticate: async () => null, metricsRegistry: registry, storeMetrics: true });
createReconcileMetrics(registry).record({ provider: "simulated", unresolved: 0 });
const { payment } = await service.createPayment({ owner: "ci", amount: 100, currency: "USD" }, { scope: "ci", idempotencyKey: "create" });
await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "ci", idempotencyKey: "confirm" });
// promtool lints only families with a sample: give one to each metric only the routes fill (HTTP, operations).
for (const metric of registry.getMetricsAsArray()) {
  const { type, values } = await metric.get();
  if (values.length > 0) continue;
  const labels = Object.fromEntries(metric.labelNames.map((name) => [name, "sample"]));
  if (type === "histogram") metric.observe(labels, 0.1);
  else metric.inc(labels, 1);
}
process.stdout.write(await registry.metrics());
') >"$scrape"
families="$(grep -c '^# TYPE payments_' "$scrape" || true)"
if [ "$families" -lt 15 ]; then
  echo "expected every payments_* metric in the scrape, found $families families" >&2
  exit 1
fi
# Each family has a sample (a line after its TYPE line that is not a comment or blank), or promtool skips it.
empty="$(awk '/^# TYPE payments_/ { if (name != "" && !seen) print name; name = $3; seen = 0; next } /^#/ || /^$/ { next } { seen = 1 } END { if (name != "" && !seen) print name }' "$scrape")"
if [ -n "$empty" ]; then
  echo "families without a sample, which promtool would not lint: $empty" >&2
  exit 1
fi
timeout 60 promtool check metrics <"$scrape"
(cd packages/http-express && timeout 300 npx vitest run test/alert-rules-metric-names.test.ts)
echo "promtool: rules valid and tested; $families payments_* metric families follow the naming conventions"
