import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type Clock, type PaymentStore, createPaymentService, decorateStore } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { sampleIdempotencyRecord, sampleInboxEvent } from "@org/payments-core/testing";
import { createSqliteStore, migrate } from "@org/payments-sqlite";
import express from "express";
import { pino } from "pino";
import { Registry } from "prom-client";
import { type PromHistogramData, type PromData, type PromMetrics, getMetricsFromStream } from "prom2javascript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPaymentsRouter, timeGatewayCalls } from "../src/index.js";
import type { PaymentsRouterOptions } from "../src/router-options.js";
import { AUDIENCE, ISSUER, JWT_SECRET, token } from "./server-harness.js";

/** One instance of a fleet: its own process-local registry and gateway wrapper, the fleet's shared store. */
interface Instance {
  baseUrl: string;
  close(): Promise<void>;
}

async function startInstance(store: PaymentStore, overrides: Partial<PaymentsRouterOptions> = {}, clock?: Clock): Promise<Instance> {
  const metricsRegistry = new Registry();
  const service = createPaymentService({ store, clock, gateways: [timeGatewayCalls(new SimulatedGateway(), metricsRegistry)] });
  const app = express();
  app.use(
    "/api",
    createPaymentsRouter({
      service,
      jwt: { secret: JWT_SECRET, algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE },
      logger: pino({ level: "silent" }),
      rateLimit: false,
      metricsRegistry,
      ...overrides,
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real scrape over HTTP, parsed as Prometheus would read it. */
async function scrape(instance: Instance): Promise<PromMetrics> {
  const response = await fetch(`${instance.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return getMetricsFromStream(Readable.from([await response.text()]));
}

function samples(metrics: PromMetrics, name: string): PromData[] {
  return (metrics[name]?.data ?? []) as PromData[];
}

function sample(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(metrics, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function series(metrics: PromMetrics, name: string, labels: Record<string, string>): PromHistogramData | undefined {
  return ((metrics[name]?.data ?? []) as PromHistogramData[]).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Buckets of a histogram series are cumulative and end at +Inf with the count: what `histogram_quantile` needs. */
function expectWellFormed(histogram: PromHistogramData | undefined, count: number): void {
  expect(histogram, "the series exists").toBeDefined();
  if (!histogram) return;
  expect(histogram.count).toBe(count);
  expect(histogram.buckets["+Inf"]).toBe(count);
  const cumulative = Object.entries(histogram.buckets)
    .sort(([a], [b]) => (a === "+Inf" ? 1 : b === "+Inf" ? -1 : Number(a) - Number(b)))
    .map(([, n]) => n);
  expect(cumulative).toEqual([...cumulative].sort((a, b) => a - b));
  expect(histogram.sum).toBeGreaterThan(0);
}

async function post(instance: Instance, path: string, bearer: string, key: string, body: unknown): Promise<any> {
  const response = await fetch(`${instance.baseUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "idempotency-key": key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const STORE_METRICS = [
  "payments_store_up",
  "payments_store_payments",
  "payments_store_captured_minor_units_total",
  "payments_store_refunded_minor_units_total",
  "payments_store_outbox_events",
  "payments_store_outbox_oldest_pending_age_seconds",
  "payments_store_webhook_events",
  "payments_store_stuck_operations",
  "payments_store_flagged_operations",
  "payments_store_oldest_stuck_operation_age_seconds",
];

describe("metrics for a fleet: two instances on one store", () => {
  let dir: string;
  let store: PaymentStore;
  let ordinary: Instance;
  let exporter: Instance;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "payments-fleet-metrics-"));
    const sqlite = await createSqliteStore({ filename: join(dir, "payments.db") });
    await migrate(sqlite);
    store = sqlite;
    ordinary = await startInstance(store);
    // No cache, so each scrape reads what the test just wrote.
    exporter = await startInstance(store, { storeMetrics: { cacheMs: 0 } });
  });

  afterEach(async () => {
    await ordinary.close();
    await exporter.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the store-derived gauges on the designated exporter only, so a sum over instances counts each payment once", async () => {
    const alice = await token("alice");
    expect((await post(ordinary, "/payments", alice, "create-1", { amount: 1999, currency: "USD" })).status).toBe(201);

    const [fromOrdinary, fromExporter] = await Promise.all([scrape(ordinary), scrape(exporter)]);
    for (const name of STORE_METRICS) {
      expect(fromOrdinary[name], `${name} on an ordinary instance`).toBeUndefined();
      expect(fromExporter[name], `${name} on the exporter`).toBeDefined();
    }
    const pendingAcrossFleet = [fromOrdinary, fromExporter]
      .flatMap((scraped) => samples(scraped, "payments_store_payments"))
      .filter((s) => s.labels.status === "pending")
      .reduce((sum, s) => sum + s.value, 0);
    expect(pendingAcrossFleet).toBe(1);
    expect(sample(fromExporter, "payments_store_up")).toBe(1);

    // Per-instance metrics stay on every instance and count what that instance served.
    expect(sample(fromOrdinary, "payments_operations_total", { operation: "create", outcome: "ok" })).toBe(1);
    expect(sample(fromExporter, "payments_operations_total", { operation: "create", outcome: "ok" })).toBeUndefined();
  });

  it("times gateway calls by provider, operation and outcome, and operations (webhooks too) by outcome, in real buckets", async () => {
    const alice = await token("alice");
    const paid = await post(ordinary, "/payments", alice, "create-paid", { amount: 2266, currency: "USD" });
    const declined = await post(ordinary, "/payments", alice, "create-declined", { amount: 1500, currency: "USD" });
    expect((await post(ordinary, `/payments/${paid.json.id}/confirm`, alice, "confirm-paid", { paymentMethodId: "pm_card_visa" })).status).toBe(200);
    expect((await post(ordinary, `/payments/${declined.json.id}/confirm`, alice, "confirm-declined", { paymentMethodId: "pm_card_visa_chargeDeclined" })).status).toBe(402);

    const forged = await fetch(`${ordinary.baseUrl}/webhooks/simulated`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(forged.status).toBe(400);

    const scraped = await scrape(ordinary);
    const gateway = "payments_gateway_request_duration_seconds";
    expect(scraped[gateway]?.type).toBe("histogram");
    expectWellFormed(series(scraped, gateway, { provider: "simulated", operation: "create_payment", outcome: "ok" }), 1);
    expectWellFormed(series(scraped, gateway, { provider: "simulated", operation: "create_payment", outcome: "declined" }), 1);

    const operations = "payments_operation_duration_seconds";
    expect(scraped[operations]?.type).toBe("histogram");
    expectWellFormed(series(scraped, operations, { operation: "create", outcome: "ok" }), 2);
    expectWellFormed(series(scraped, operations, { operation: "confirm", outcome: "ok" }), 1);
    expectWellFormed(series(scraped, operations, { operation: "confirm", outcome: "card_declined" }), 1);
    expect(series(scraped, operations, { operation: "webhook", outcome: "webhook_signature_invalid" })?.count).toBe(1);

    // The exporter made no gateway call: its histogram is described but has no series.
    expect(samples(await scrape(exporter), gateway)).toEqual([]);
  });

  it("reports what operators act on: outbox backlog and lag, dead events, held and orphaned webhooks, stuck and flagged operations", async () => {
    const alice = await token("alice");
    const created = await post(ordinary, "/payments", alice, "create-2", { amount: 700, currency: "USD" });
    expect(created.status).toBe(201);
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
    await store.transaction(async (tx) => {
      await tx.insertInboxEvent(sampleInboxEvent({ status: "held" }));
      await tx.insertInboxEvent(sampleInboxEvent({ status: "orphaned" }));
      await tx.insertInboxEvent(sampleInboxEvent({ status: "orphaned" }));
      await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ recoveryPoint: "gateway_pending", updatedAt: tenMinutesAgo, flaggedAt: tenMinutesAgo }));
      await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ recoveryPoint: "gateway_pending", updatedAt: new Date(Date.now() - 120_000).toISOString() }));
      // Touched just now: in flight, not stuck.
      await tx.insertIdempotencyRecord(sampleIdempotencyRecord({ recoveryPoint: "gateway_pending" }));
    });
    const outbox = await store.listOutbox({ status: "pending", limit: 100 });
    expect(outbox.length).toBeGreaterThan(0);
    const now = new Date().toISOString();
    const [first] = await store.claimOutbox({ claimant: "test", now, leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 1 });
    expect(first).toBeDefined();
    expect(await store.markOutboxFailed(first!.sequence, "test", { error: "broker down", nextAttemptAt: now, dead: true })).toBe(true);

    const scraped = await scrape(exporter);
    expect(sample(scraped, "payments_store_outbox_events", { status: "dead" })).toBe(1);
    expect(sample(scraped, "payments_store_outbox_events", { status: "pending" })).toBe(outbox.length - 1);
    expect(sample(scraped, "payments_store_webhook_events", { status: "held" })).toBe(1);
    expect(sample(scraped, "payments_store_webhook_events", { status: "orphaned" })).toBe(2);
    expect(sample(scraped, "payments_store_webhook_events", { status: "failed" })).toBe(0);
    expect(sample(scraped, "payments_store_stuck_operations")).toBe(2);
    expect(sample(scraped, "payments_store_flagged_operations")).toBe(1);
    expect(sample(scraped, "payments_store_oldest_stuck_operation_age_seconds")).toBeGreaterThanOrEqual(600);
  });

  it("measures the outbox lag from the oldest undelivered event, and reads 0 once the dispatcher caught up", async () => {
    const alice = await token("alice");
    expect((await post(ordinary, "/payments", alice, "create-lag", { amount: 900, currency: "USD" })).status).toBe(201);
    // An exporter whose clock is ten minutes on: the events written just now are ten minutes behind it.
    const later = await startInstance(store, { storeMetrics: { cacheMs: 0 } }, { now: () => new Date(Date.now() + 600_000) });
    try {
      const lag = sample(await scrape(later), "payments_store_outbox_oldest_pending_age_seconds");
      expect(lag).toBeGreaterThanOrEqual(600);
      expect(lag).toBeLessThan(900);

      // What a dispatcher does; claims offer one event per payment at a time, so deliver until none is left.
      const now = new Date().toISOString();
      for (let round = 0; (await store.listOutbox({ status: "pending", limit: 1 })).length > 0 && round < 20; round++) {
        for (const entry of await store.claimOutbox({ claimant: "dispatcher", now, leaseUntil: new Date(Date.now() + 60_000).toISOString(), limit: 100 })) {
          await store.markOutboxDelivered(entry.sequence, "dispatcher", now);
        }
      }
      const caughtUp = await scrape(later);
      expect(sample(caughtUp, "payments_store_outbox_oldest_pending_age_seconds")).toBe(0);
      expect(sample(caughtUp, "payments_store_outbox_events", { status: "pending" })).toBe(0);
    } finally {
      await later.close();
    }
  });
});

describe("the exporter's store reads", () => {
  it("read the store once per scrape whatever the number of gauges, and at most once per cacheMs however often scraped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "payments-fleet-metrics-"));
    const inner = await createSqliteStore({ filename: join(dir, "payments.db") });
    await migrate(inner);
    let reads = 0;
    const counted = decorateStore(inner, { store: (s) => ({ stats: (filter) => (reads++, s.stats(filter)) }) });
    const uncached = await startInstance(counted, { storeMetrics: { cacheMs: 0 } });
    const cached = await startInstance(counted, { storeMetrics: { cacheMs: 3_600_000 } });
    try {
      await scrape(uncached);
      expect(reads).toBe(1);
      await scrape(uncached);
      expect(reads).toBe(2);

      reads = 0;
      await Promise.all([scrape(cached), scrape(cached), scrape(cached)]);
      await scrape(cached);
      expect(reads).toBe(1);
    } finally {
      await uncached.close();
      await cached.close();
      await inner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the exporter when its store fails a read", () => {
  it("still answers the scrape, with payments_store_up 0 and the per-instance metrics intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "payments-fleet-metrics-"));
    const inner = await createSqliteStore({ filename: join(dir, "payments.db") });
    await migrate(inner);
    let failing = false;
    const store = decorateStore(inner, {
      store: (s) => ({
        stats: (filter) => (failing ? Promise.reject(new Error("connection refused")) : s.stats(filter)),
      }),
    });
    const exporter = await startInstance(store, { storeMetrics: { cacheMs: 0 } });
    try {
      const alice = await token("alice");
      expect((await post(exporter, "/payments", alice, "create-3", { amount: 1000, currency: "EUR" })).status).toBe(201);
      expect(sample(await scrape(exporter), "payments_store_payments", { status: "pending" })).toBe(1);

      failing = true;
      const scraped = await scrape(exporter);
      expect(sample(scraped, "payments_store_up")).toBe(0);
      expect(samples(scraped, "payments_store_payments")).toEqual([]);
      expect(samples(scraped, "payments_store_stuck_operations")).toEqual([]);
      expect(sample(scraped, "payments_operations_total", { operation: "create", outcome: "ok" })).toBe(1);
    } finally {
      await exporter.close();
      await inner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
