import { randomBytes } from "node:crypto";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { MemoryStore } from "express-rate-limit";
import { redisAvailable, testRedisUrl } from "@org/payments-test-support/redis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentsRouter } from "../src/index.js";
import type { PaymentsRouterOptions } from "../src/router-options.js";
import { captureLogs } from "./log-capture.js";
import { JWT_SECRET, type TestServer, call, startServer, token } from "./server-harness.js";

const available = await redisAvailable();

describe.skipIf(!available)("rate limits in Redis, shared by instances", () => {
  const client = createClient({ url: testRedisUrl() });
  // A prefix of this run's own, so runs (and engineers) sharing the server never count each other's requests.
  const prefix = `payments-test:${randomBytes(6).toString("hex")}:`;
  const redis = { sendCommand: (...args: string[]) => client.sendCommand(args), prefix };
  const servers: TestServer[] = [];

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await client.del(keys);
    await client.quit();
  });

  async function instance(overrides: Partial<PaymentsRouterOptions>) {
    const server = await startServer("sqlite", overrides);
    servers.push(server);
    return server;
  }

  it("holds a limit across two instances, with creating tighter than reading", async () => {
    const logs = captureLogs();
    const options = { rateLimit: { redis, limits: { create: 2 } }, logger: logs.logger };
    const [first, second] = [await instance(options), await instance(options)];
    const alice = await token("alice-redis");
    const create = (server: TestServer, key: string) => call(server, "POST", "/payments", { token: alice, key, body: { amount: 500, currency: "USD" } });
    expect((await create(first, "r1")).status).toBe(201);
    expect((await create(second, "r2")).status).toBe(201);
    const refused = await create(first, "r3");
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("rate_limited");
    expect((await create(second, "r4")).status).toBe(429);
    // Reads count in a budget of their own, in both instances.
    expect((await call(second, "GET", "/payments", { token: alice })).status).toBe(200);
    expect((await call(first, "GET", "/payments", { token: alice })).status).toBe(200);
    // One store per limiter: express-rate-limit reports none reused, and nothing failed.
    expect(logs.text()).not.toContain("ERR_ERL_");
    expect(logs.lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) keys.push(...batch);
    expect(keys).toContain(`${prefix}create:sub:alice-redis`);
    expect(keys).toContain(`${prefix}read:sub:alice-redis`);
  });

  it("throttles failed authentications across instances through the same store mechanism", async () => {
    const options = { rateLimit: { redis, limits: { authFailures: 2 } }, trustProxy: "loopback" };
    const [first, second] = [await instance(options), await instance(options)];
    const forged = (server: TestServer) => call(server, "GET", "/payments", { token: "forged", headers: { "x-forwarded-for": "203.0.113.9" } });
    expect([(await forged(first)).status, (await forged(second)).status, (await forged(first)).status, (await forged(second)).status]).toEqual([401, 401, 429, 429]);
    const honest = await call(second, "GET", "/payments", { token: await token("bob-redis"), headers: { "x-forwarded-for": "198.51.100.9" } });
    expect(honest.status).toBe(200);
  });
});

describe("rate-limit stores", () => {
  it("refuses one store instance for every limiter, naming the fix", async () => {
    const service = createPaymentService({ store: createMemoryStore(), gateways: [new SimulatedGateway()] });
    const oneStoreForAll = { store: new MemoryStore() } as unknown as PaymentsRouterOptions["rateLimit"];
    expect(() => createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, rateLimit: oneStoreForAll })).toThrow(
      expect.objectContaining({ code: "configuration_error", message: expect.stringContaining("a new store for each limiter") }),
    );
  });

  it("serves requests unthrottled and logs it when the shared store fails", async () => {
    const logs = captureLogs();
    const unreachable = { sendCommand: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6390")) };
    const server = await startServer("sqlite", { rateLimit: { redis: unreachable, limits: { create: 1 } }, logger: logs.logger });
    try {
      const alice = await token("alice-outage");
      for (const key of ["o1", "o2"]) {
        expect((await call(server, "POST", "/payments", { token: alice, key, body: { amount: 500, currency: "USD" } })).status).toBe(201);
      }
      expect(logs.text()).toContain("allowing request without rate-limiting");
    } finally {
      await server.close();
    }
  });
});
