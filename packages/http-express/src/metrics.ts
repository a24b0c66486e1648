import type { CurrencyTotals, PaymentService } from "@org/payments-core";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface PaymentsMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  operations: Counter<"operation" | "outcome">;
  amounts: Counter<"operation" | "currency">;
  refunds: Counter<"status">;
  replays: Counter<"operation">;
}

/**
 * The router's metrics, in a registry of its own (or the host's), never prom-client's global default, so two
 * routers in one process — or a host's own metrics — never collide. Status counts and stuck operations are read
 * from the store when scraped.
 */
/** At most one store read per `ttlMs`, however often /metrics is scraped (it may be public). */
function cachedFor<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (!cached || Date.now() - cached.at >= ttlMs) {
      const value = read();
      cached = { at: Date.now(), value };
      // A failed read is not cached: the next scrape tries again.
      value.catch(() => (cached = null));
    }
    return cached.value;
  };
}

export function createPaymentsMetrics(service: PaymentService, registry = new Registry(), storeReadTtlMs = 5_000): PaymentsMetrics {
  const registers = [registry];
  const stats = cachedFor(storeReadTtlMs, () => service.stats());
  const pendingCount = cachedFor(storeReadTtlMs, async () => {
    const before = new Date(service.clock.now().getTime() - 60_000).toISOString();
    return (await service.store.listPendingIdempotencyRecords(before, 10_000)).length;
  });
  new Gauge({
    name: "payments_by_status",
    help: "Payments by status and provider, read from the store at scrape time",
    labelNames: ["status", "provider"] as const,
    registers,
    async collect() {
      const { rows } = await stats();
      this.reset();
      for (const row of rows) this.inc({ status: row.status, provider: row.provider }, row.count);
    },
  });
  // Revenue per currency. The stats carry exact decimal strings (a sum can pass 2^53, even 2^63); a Prometheus sample
  // is a float64 anyway, so Number() is the honest conversion: exact up to 2^53, rounded (never refused) beyond.
  for (const [name, help, total] of [
    ["payments_captured_minor_units", "Minor units captured per currency (all time), read from the store at scrape time", (t: CurrencyTotals) => t.captured],
    ["payments_refunded_minor_units", "Minor units refunded per currency (all time), read from the store at scrape time", (t: CurrencyTotals) => t.refunded],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ["currency"] as const,
      registers,
      async collect() {
        const { byCurrency } = await stats();
        this.reset();
        for (const totals of byCurrency) this.set({ currency: totals.currency }, Number(total(totals)));
      },
    });
  }
  new Gauge({
    name: "payments_gateway_pending",
    help: "Operations left at gateway_pending (unknown gateway outcome) for more than a minute",
    registers,
    async collect() {
      this.set(await pendingCount());
    },
  });
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
