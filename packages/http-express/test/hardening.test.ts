import { createMemoryStore, createPaymentService, type PaymentStore } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import express from "express";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createPaymentsRouter } from "../src/index.js";
import { JWT_SECRET, call, startServer, token } from "./server-harness.js";

describe("router hardening", () => {
  it("throttles failed authentications per IP, not only authenticated principals", async () => {
    const server = await startServer("sqlite", { rateLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(server, "GET", "/payments", { token: "not.a.token" })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // Successful authentications are not counted against the failure budget of the same address.
      const other = await startServer("sqlite", { rateLimit: { limit: 3, windowMs: 60_000 } });
      try {
        const alice = await token("alice");
        for (let i = 0; i < 3; i++) expect((await call(other, "GET", "/payments", { token: alice })).status).toBe(200);
        expect((await call(other, "GET", "/payments", { token: "bad" })).status).toBe(401);
      } finally {
        await other.close();
      }
    } finally {
      await server.close();
    }
  });

  it("tells anonymous health checks only that the store is unavailable, never why", async () => {
    const store = createMemoryStore();
    const broken: PaymentStore = Object.assign(Object.create(store) as PaymentStore, {
      getPayment: async () => {
        throw new Error("connect ECONNREFUSED 10.1.2.3:5432 (db-internal.example)");
      },
    });
    const service = createPaymentService({ store: broken, gateways: [new SimulatedGateway()] });
    const app = express();
    app.use("/api", createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, logger: pino({ level: "silent" }) }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health/ready`);
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ status: "unavailable", checks: { store: { status: "unavailable" } } });
      expect(text).not.toContain("10.1.2.3");
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("answers 404 for inherited names used as tariffs", async () => {
    const server = await startServer("sqlite");
    try {
      const alice = await token("alice");
      for (const tariff of ["constructor", "__proto__", "toString"]) {
        const result = await call(server, "POST", "/fares/quote", { token: alice, body: { tariff, distanceMeters: 1, durationSeconds: 1 } });
        expect(result.status, tariff).toBe(404);
        expect(result.json.error.code).toBe("not_found");
      }
    } finally {
      await server.close();
    }
  });

  it("serves HTML receipts with nosniff and a policy that forbids scripts and remote content", async () => {
    const server = await startServer("sqlite");
    try {
      const alice = await token("alice");
      const created = await call(server, "POST", "/payments", { token: alice, key: "h1", body: { amount: 500, currency: "USD", description: "<script>alert(1)</script>" } });
      await call(server, "POST", `/payments/${created.json.id}/confirm`, { token: alice, key: "h2", body: { paymentMethodId: "pm_card_visa" } });
      const html = await call(server, "GET", `/payments/${created.json.id}/receipt?format=html`, { token: alice });
      expect(html.headers.get("x-content-type-options")).toBe("nosniff");
      expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(html.text).not.toContain("<script>");
      expect(html.text).toContain("&lt;script&gt;");
    } finally {
      await server.close();
    }
  });

  it("lets a server-side price fix the currency and drop the client's own lines", async () => {
    const server = await startServer("sqlite", { resolveAmount: () => ({ amount: 1234, currency: "USD" }) });
    try {
      const alice = await token("alice");
      const created = await call(server, "POST", "/payments", {
        token: alice,
        key: "price-1",
        body: { amount: 1, currency: "JPY", lineItems: [{ code: "x", description: "cheap", amount: 1 }] },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ amount: 1234, currency: "USD", lineItems: [] });
    } finally {
      await server.close();
    }
  });
});
