import type { AddressInfo } from "node:net";
import { type PaymentStore, type PaymentStoreTx, createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import express from "express";
import { pino } from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { MOUNT_ORDER_HINT, createPaymentsRouter } from "../src/index.js";
import { JWT_SECRET, call, startServer, token } from "./server-harness.js";

describe("mounting and operations", () => {
  it("fails the webhook with the mount-order fix when an app-wide JSON parser ran first", async () => {
    const gateway = new SimulatedGateway();
    const service = createPaymentService({ store: createMemoryStore(), gateways: [gateway] });
    const app = express();
    app.use(express.json());
    app.use("/api", createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, logger: pino({ level: "silent" }) }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/webhooks/simulated`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"evt_1"}' });
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(500);
    expect(body.error.message).toBe(MOUNT_ORDER_HINT);
    server.closeAllConnections();
    server.close();
  });

  it("acknowledges a webhook only once it is stored: a store that fails the insert answers 500 and applies nothing", async () => {
    const store = createMemoryStore();
    let storeDown = true;
    // The store's own transaction, with the inbox insert failing while `storeDown` (a full disk, a lost primary).
    const flaky: PaymentStore = Object.assign(Object.create(store) as PaymentStore, {
      transaction: <T>(work: (tx: PaymentStoreTx) => Promise<T>) =>
        store.transaction((tx) =>
          work({ ...tx, insertInboxEvent: (event) => (storeDown ? Promise.reject(new Error("disk full")) : tx.insertInboxEvent(event)) }),
        ),
    });
    const gateway = new SimulatedGateway();
    const service = createPaymentService({ store: flaky, gateways: [gateway] });
    const { payment } = await service.createPayment({ owner: "u", amount: 900, currency: "USD" }, { scope: "u", idempotencyKey: "c" });
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, { scope: "u", idempotencyKey: "p" });
    const providerPaymentId = confirmed.payment.providerPaymentId!;
    gateway.completeAction(providerPaymentId);
    await gateway.resumePayment({ paymentId: payment.id, providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: "provider-side" });
    const app = express();
    app.use("/api", createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, logger: pino({ level: "silent" }) }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const { port } = server.address() as AddressInfo;
      const event = gateway.webhookFor(providerPaymentId);
      const deliver = () => fetch(`http://127.0.0.1:${port}/api/webhooks/simulated`, { method: "POST", headers: event.headers, body: event.rawBody });
      const refused = await deliver();
      expect(refused.status).toBe(500);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("internal");
      expect((await store.getPayment(payment.id))?.status).toBe("requires_action");
      expect(await store.listInboxEvents({ limit: 10 })).toEqual([]);
      // The provider delivers again once the store is back: stored, then applied, then acknowledged.
      storeDown = false;
      const accepted = await deliver();
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toMatchObject({ received: true, status: "applied" });
      expect((await store.getPayment(payment.id))?.status).toBe("succeeded");
      expect(await store.listInboxEvents({ status: "processed", limit: 10 })).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("keeps metrics in its own registry, or the one the host passes", async () => {
    const service = createPaymentService({ store: createMemoryStore(), gateways: [new SimulatedGateway()] });
    const registry = new Registry();
    const a = createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, metricsRegistry: registry });
    const b = createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] } });
    expect(a.metricsRegistry).toBe(registry);
    expect(b.metricsRegistry).not.toBe(registry);
    expect(await registry.getSingleMetricAsString("payments_idempotent_replays_total")).toContain("payments_idempotent_replays_total");
  });

  it("rate limits per principal with standard headers and a 429 error body", async () => {
    const server = await startServer("sqlite", { rateLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const alice = await token("alice");
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(server, "GET", "/payments", { token: alice })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await call(server, "GET", "/payments", { token: alice });
      expect(limited.json.error.code).toBe("rate_limited");
      expect(limited.headers.get("retry-after")).toBeTruthy();
      expect(limited.headers.get("ratelimit-policy") ?? limited.headers.get("ratelimit")).toBeTruthy();
      // another principal has its own budget
      expect((await call(server, "GET", "/payments", { token: await token("bob") })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("protects metrics when asked", async () => {
    const server = await startServer("sqlite", { protectMetrics: true });
    try {
      expect((await call(server, "GET", "/metrics")).status).toBe(401);
      expect((await call(server, "GET", "/metrics", { token: await token("alice") })).status).toBe(403);
      expect((await call(server, "GET", "/metrics", { token: await token("ops", { admin: true }) })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("echoes a request id and never leaks a stack trace", async () => {
    const server = await startServer("sqlite");
    try {
      const result = await call(server, "GET", "/payments/x", { token: await token("alice"), headers: { "x-request-id": "req-123" } });
      expect(result.headers.get("x-request-id")).toBe("req-123");
      expect(result.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
