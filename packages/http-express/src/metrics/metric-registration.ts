import type { Metric, Registry } from "prom-client";

/**
 * The metric already registered under `name` in `registry`, or the one `create` makes. A host wraps its gateways
 * with the registry it then hands the router, so both register the same histogram: the second must reuse the
 * first's (prom-client refuses a name registered twice).
 */
export function registeredOr<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
