import { samplePayment } from "@org/payments-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";

const MAX = Number.MAX_SAFE_INTEGER;

describe.each<StoreKind>(["sqlite", "postgres"])("stats and metrics past 2^53 on %s", (kind) => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let admin: string;


  beforeAll(async () => {
    server = await startServer(kind, { storeMetrics: { cacheMs: 0 } }); // the designated exporter: /metrics reads the store
    api = await validatedCaller(server);
    admin = await token("ops", { admin: true });
  });
  afterAll(async () => server?.close());

  it("documents every sum as an exact decimal string", async () => {
    const document = (await call(server, "GET", "/openapi.json")).json;
    const schema = document.paths["/stats"].get.responses["200"].content["application/json"].schema;
    for (const field of ["captured", "refunded", "netRevenue"]) {
      expect(schema.properties.byCurrency.items.properties[field]).toMatchObject({ type: "string", pattern: "^-?\\d+$" });
    }
    for (const field of ["amount", "amountCaptured", "amountRefunded"]) {
      expect(schema.properties.rows.items.properties[field]).toMatchObject({ type: "string", pattern: "^-?\\d+$" });
    }
  });

  it("answers /stats and /metrics for any rows a client can create, summing exactly past 2^53 and 2^63", async () => {
    // What any owner can do: two pending payments of the largest amount.
    const alice = await token("alice");
    for (const key of ["big-1", "big-2"]) {
      const created = await call(server, "POST", "/payments", { token: alice, key, body: { amount: MAX, currency: "USD" } });
      expect(created.status).toBe(201);
    }
    const first = await api("GET", "/stats", { token: admin });
    expect(first.status).toBe(200);
    expect(first.json.rows).toContainEqual({
      status: "pending",
      provider: "simulated",
      currency: "USD",
      count: 2,
      amount: "18014398509481982",
      amountCaptured: "0",
      amountRefunded: "0",
    });

    // Then 1,100 captured ones (1,024 × 2^53 = 2^63): past what a 64-bit SUM holds.
    for (let batch = 0; batch < 11; batch++) {
      await server.store.transaction(async (tx) => {
        for (let i = 0; i < 100; i++) {
          await tx.insertPayment(samplePayment({ status: "partially_refunded", amount: MAX, amountCaptured: MAX, amountRefunded: 1 }));
        }
      });
    }
    const stats = await api("GET", "/stats", { token: admin });
    expect(stats.status).toBe(200);
    const usd = stats.json.byCurrency.find((c: { currency: string }) => c.currency === "USD");
    const captured = 1100n * BigInt(MAX);
    expect(usd).toEqual({ currency: "USD", count: 1102, captured: captured.toString(), refunded: "1100", netRevenue: (captured - 1100n).toString() });
    expect(BigInt(usd.captured) > 2n ** 63n).toBe(true);

    // The unauthenticated scrape: counts exact, revenue as the float Prometheus stores.
    const metrics = await call(server, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/payments_store_payments\{status="partially_refunded",provider="simulated"\} 1100\n/);
    const sample = /payments_store_captured_minor_units_total\{currency="USD"\} (\S+)\n/.exec(metrics.text);
    expect(Number(sample?.[1])).toBe(Number(captured));
    expect(metrics.text).toMatch(/payments_store_refunded_minor_units_total\{currency="USD"\} 1100\n/);
  });
});
