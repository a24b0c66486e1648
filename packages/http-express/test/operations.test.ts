import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import express from "express";
import { SignJWT, exportJWK } from "jose";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED_PATHS, createGracefulShutdown, createPaymentsRouter } from "../src/index.js";
import { JWT_SECRET, call, startServer, token } from "./server-harness.js";

async function listen(app: express.Express) {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("router operations", () => {
  it("verifies tokens against a JWKS URL, refusing a key the set does not hold", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const jwks = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    }).listen(0, "127.0.0.1");
    await new Promise((resolve) => jwks.once("listening", resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    const server = await startServer("sqlite", { jwt: { jwksUrl, algorithms: ["ES256"] } });
    try {
      const sign = (key: typeof privateKey, kid: string) =>
        new SignJWT({}).setProtectedHeader({ alg: "ES256", kid }).setSubject("alice").setExpirationTime("5m").sign(key);
      expect((await call(server, "GET", "/payments", { token: await sign(privateKey, "k1") })).status).toBe(200);
      expect((await call(server, "GET", "/payments", { token: await sign(stranger.privateKey, "k1") })).status).toBe(401);
      expect((await call(server, "GET", "/payments", { token: await sign(stranger.privateKey, "k2") })).status).toBe(401);
      expect((await call(server, "GET", "/payments", { token: await token("alice") })).status).toBe(401);
    } finally {
      await server.close();
      jwks.close();
    }
  });

  it("never writes bearer tokens into its logs, and redacts credentials a host logs through the same logger", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: "debug", redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, sink);
    const server = await startServer("sqlite", { logger });
    try {
      const secretToken = await token("alice");
      await call(server, "GET", "/payments", { token: secretToken });
      await call(server, "POST", "/payments", { token: secretToken, key: "k", body: { amount: 100, currency: "USD" } });
      logger.info({ req: { headers: { authorization: `Bearer ${secretToken}` } }, card: { cvc: "123", number: "4242424242424242" } }, "host log");
      const output = lines.join("");
      expect(output).toContain('"msg":"request"');
      expect(output).not.toContain(secretToken);
      expect(output).not.toContain("4242424242424242");
      expect(output).toContain("[redacted]");
    } finally {
      await server.close();
    }
  });

  it("reports readiness of the store and, when asked, of each gateway (cached)", async () => {
    const gateway = new SimulatedGateway();
    const service = createPaymentService({ store: createMemoryStore(), gateways: [gateway] });
    let probes = 0;
    const findByPaymentId = gateway.findByPaymentId.bind(gateway);
    gateway.findByPaymentId = async (id: string) => {
      probes++;
      return findByPaymentId(id);
    };
    const app = express();
    app.use("/api", createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, logger: pino({ level: "silent" }), readinessGatewayCheck: { cacheMs: 60_000 } }));
    const { server, base } = await listen(app);
    try {
      const first = await (await fetch(`${base}/api/health/ready`)).json();
      await fetch(`${base}/api/health/ready`);
      expect(first).toEqual({ status: "ok", checks: { store: { status: "ok" }, "gateway:simulated": { status: "ok" } } });
      expect(probes).toBe(1);
      await service.store.close();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("shuts down gracefully: in-flight requests finish, new connections are refused, then onClose runs", async () => {
    const app = express();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.get("/slow", async (_req, res) => {
      await gate;
      res.json({ done: true });
    });
    const { server, base } = await listen(app);
    let closed = false;
    const shutdown = createGracefulShutdown(server, { onClose: async () => void (closed = true), timeoutMs: 5_000 });
    const inFlight = fetch(`${base}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const stopping = shutdown();
    await expect(fetch(`${base}/slow`)).rejects.toThrow();
    expect(closed).toBe(false);
    release();
    expect(await inFlight).toEqual({ done: true });
    await stopping;
    expect(closed).toBe(true);
    expect(shutdown()).toBe(stopping);
  });
});
