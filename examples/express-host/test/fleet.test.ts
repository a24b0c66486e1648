/**
 * The fleet a deployment runs: two host processes (src/server.ts) on one PostgreSQL schema, their rate limits in
 * the local Redis, behind a reverse proxy that forwards the client's address.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createTestSchema, postgresAvailable, type TestSchema } from "@org/payments-test-support/postgres";
import { redisAvailable, testRedisUrl } from "@org/payments-test-support/redis";
import { SignJWT } from "jose";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, send } from "./fleet-client.js";
import { type HostProcess, startHostProcess } from "./host-process.js";
import { type ReverseProxy, startReverseProxy } from "./reverse-proxy.js";

const JWT_SECRET = "fleet-test-secret-long-enough-for-hs256!";
const RECEIPT_LINK_SECRET = "fleet-receipt-link-secret-of-32-bytes-or-more";
const CREATE_LIMIT = 4;
const AUTH_FAILURE_LIMIT = 3;
// Clients the proxy tells apart by their address, as it would tell apart hosts on the internet.
const FORGER = "127.0.0.2";
const HONEST = "127.0.0.3";
const LOAD = "127.0.0.4";

const services = (await postgresAvailable()) && (await redisAvailable());

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function mint(sub: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(JWT_SECRET));
}

/** Waits for a condition the test itself caused (a request retried, a count reached), never for a fixed time. */
async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!services)("a fleet of two hosts behind a reverse proxy", () => {
  let schema: TestSchema;
  let stateDir: string;
  let env: Record<string, string | undefined>;
  const ports: number[] = [];
  const hosts: HostProcess[] = [];
  let proxy: ReverseProxy;
  const redisPrefix = `payments-fleet:${randomBytes(6).toString("hex")}:`;

  const viaProxy = (request: Omit<Parameters<typeof send>[0], "port">) => send({ ...request, port: proxy.port });
  const direct = (index: number, request: Omit<Parameters<typeof send>[0], "port">) => send({ ...request, port: ports[index]! });

  beforeAll(async () => {
    schema = await createTestSchema("payments_fleet");
    stateDir = mkdtempSync(join(tmpdir(), "payments-fleet-"));
    env = {
      PAYMENTS_DATABASE_URL: schema.url,
      // One simulated provider for the fleet, as a real provider is one service behind every instance.
      PAYMENTS_SIMULATED_STATE: join(stateDir, "simulated-gateway.json"),
      PAYMENTS_JWT_SECRET: JWT_SECRET,
      PAYMENTS_REDIS_URL: testRedisUrl(),
      PAYMENTS_REDIS_PREFIX: redisPrefix,
      PAYMENTS_TRUST_PROXY: "1",
      PAYMENTS_RATE_LIMITS: `create=${CREATE_LIMIT},authFailures=${AUTH_FAILURE_LIMIT}`,
      // One link secret for the fleet: a receipt link minted by one instance opens on any other.
      PAYMENTS_RECEIPT_LINK_SECRET: RECEIPT_LINK_SECRET,
      PAYMENTS_MERCHANT_NAME: "Fleet Rides GmbH",
      PAYMENTS_MERCHANT_ADDRESS: "Unter den Linden 1; 10117 Berlin",
      PAYMENTS_LOCALE: "de-DE",
      PAYMENTS_TIME_ZONE: "Europe/Berlin",
      LOG_LEVEL: "warn",
      // No publisher: every event stays in the outbox, where the test counts it.
      PAYMENTS_RABBITMQ_URL: undefined,
      PAYMENTS_EVENTS_WEBHOOK_URL: undefined,
    };
    ports.push(await freePort(), await freePort());
    hosts.push(...(await Promise.all(ports.map((port) => startHostProcess(port, env)))));
    proxy = await startReverseProxy(ports);
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(hosts.map((host) => host.stop()));
    await schema?.drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    const redis = createClient({ url: testRedisUrl() });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${redisPrefix}*` })) if (keys.length > 0) await redis.del(keys);
    await redis.close();
  });

  it("holds a limit across instances: the fifth create is refused wherever it lands", async () => {
    const token = await mint("fleet-limited");
    const create = (request: (r: Omit<Parameters<typeof send>[0], "port">) => Promise<Answer>, key: string) =>
      request({ method: "POST", path: "/payments-api/payments", from: HONEST, token, key, body: { amount: 700, currency: "USD" } });
    const statuses: number[] = [];
    for (let i = 0; i < CREATE_LIMIT; i++) statuses.push((await create((r) => direct(i % 2, r), `limit-${i}`)).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    for (const index of [0, 1]) {
      const refused = await create((r) => direct(index, r), `limit-over-${index}`);
      expect(refused.status, `instance ${index}: ${refused.text}`).toBe(429);
      expect(refused.json.error.code).toBe("rate_limited");
    }
    expect((await create(viaProxy, "limit-over-proxy")).status).toBe(429);
  });

  it("throttles failed authentications by the address the proxy forwards, on both instances, sparing other clients", async () => {
    const servedBefore = [...proxy.served];
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The forger also writes addresses of its own into X-Forwarded-For: the proxy appends the real one after them.
      statuses.push((await viaProxy({ method: "GET", path: "/payments-api/payments", from: FORGER, token: "forged.token.value", headers: { "x-forwarded-for": `10.0.0.${i}` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(proxy.served.map((count, index) => count - servedBefore[index]!).every((count) => count >= 2)).toBe(true);
    for (let i = 0; i < 2; i++) {
      const honest = await viaProxy({ method: "GET", path: "/payments-api/payments", from: HONEST, token: await mint("fleet-honest") });
      expect(honest.status, honest.text).toBe(200);
    }
  });

  it("answers an idempotent retry the same on either instance", async () => {
    const token = await mint("fleet-retry");
    const body = { amount: 1250, currency: "USD", description: "retried across instances" };
    const first = await direct(0, { method: "POST", path: "/payments-api/payments", from: HONEST, token, key: "retry-create", body });
    const again = await direct(1, { method: "POST", path: "/payments-api/payments", from: HONEST, token, key: "retry-create", body });
    expect(first.status, first.text).toBe(201);
    expect(again.status, again.text).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const confirm = (index: number) =>
      direct(index, { method: "POST", path: `/payments-api/payments/${first.json.id}/confirm`, from: HONEST, token, key: "retry-confirm", body: { paymentMethodId: "pm_card_visa" } });
    const confirmed = await confirm(1);
    const replayed = await confirm(0);
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json.status).toBe("succeeded");
    expect(replayed.text).toBe(confirmed.text);
    expect(replayed.headers["idempotent-replayed"]).toBe("true");
  });

  it("serves a signed receipt link minted on one instance from the other, without a token, as the merchant set it", async () => {
    const token = await mint("fleet-receipt");
    const created = await direct(0, { method: "POST", path: "/payments-api/payments", from: HONEST, token, key: "receipt-create", body: { amount: 1250, currency: "USD" } });
    expect(created.status, created.text).toBe(201);
    const confirmed = await direct(0, { method: "POST", path: `/payments-api/payments/${created.json.id}/confirm`, from: HONEST, token, key: "receipt-confirm", body: { paymentMethodId: "pm_card_visa" } });
    expect(confirmed.json.status, confirmed.text).toBe("succeeded");
    const link = await direct(0, { method: "POST", path: `/payments-api/payments/${created.json.id}/receipt-link`, from: HONEST, token });
    expect(link.status, link.text).toBe(201);
    const page = await direct(1, { method: "GET", path: link.json.path, from: HONEST });
    expect(page.status, page.text).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.text).toContain("Fleet Rides GmbH");
    expect(page.text).toContain("10117 Berlin");
    // de-DE writes the decimal comma.
    expect(page.text).toContain("12,50");
  });

  it("restarts instance by instance under steady load without failing a request or losing an event", async () => {
    const failures: string[] = [];
    const payments: string[] = [];
    let completed = 0;
    let running = true;

    const pay = async (worker: number, n: number): Promise<void> => {
      // A principal per payment: the load is many customers, each well inside the limits.
      const token = await mint(`fleet-load-${worker}-${n}`);
      const created = await viaProxy({ method: "POST", path: "/payments-api/payments", from: LOAD, token, key: `load-${worker}-${n}-create`, body: { amount: 999, currency: "USD" } });
      if (created.status !== 201) return void failures.push(`create ${created.status} ${created.text}`);
      payments.push(created.json.id);
      const confirmed = await viaProxy({
        method: "POST",
        path: `/payments-api/payments/${created.json.id}/confirm`,
        from: LOAD,
        token,
        key: `load-${worker}-${n}-confirm`,
        body: { paymentMethodId: "pm_card_visa" },
      });
      if (confirmed.status !== 200 || confirmed.json.status !== "succeeded") failures.push(`confirm ${confirmed.status} ${confirmed.text}`);
      completed++;
    };
    const worker = async (id: number) => {
      for (let n = 0; running; n++) {
        try {
          await pay(id, n);
        } catch (error) {
          failures.push(`request failed: ${(error as Error).message}`);
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    // A failed request ends the wait at once: the assertion below then shows it, instead of a timeout.
    const orFailed = (condition: () => boolean) => () => failures.length > 0 || condition();

    try {
      for (const index of [0, 1]) {
        const before = completed;
        await until("the load is flowing", orFailed(() => completed >= before + 5));
        const retriedBefore = proxy.retried;
        expect(await hosts[index]!.stop()).toBe(0);
        // The proxy has met the stopped instance and sent its request on to the other one.
        await until(`a request meant for instance ${index} was retried`, orFailed(() => proxy.retried > retriedBefore));
        hosts[index] = await startHostProcess(ports[index]!, env);
      }
      const servedAfterRestarts = [...proxy.served];
      await until("both restarted instances serve the load", orFailed(() => proxy.served.every((count, index) => count >= servedAfterRestarts[index]! + 3)));
    } finally {
      running = false;
      await load;
    }

    expect(failures).toEqual([]);
    expect(payments.length).toBeGreaterThan(10);

    // Every payment's events were written with it, whichever instance served it and whenever that one stopped.
    const db = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, "") });
    await db.connect();
    try {
      const { rows } = await db.query<{ payment_id: string; type: string }>(`select payment_id, type from "${schema.schema}".outbox where payment_id = any($1)`, [payments]);
      const typesOf = new Map<string, string[]>();
      for (const row of rows) typesOf.set(row.payment_id, [...(typesOf.get(row.payment_id) ?? []), row.type]);
      const missing = payments.filter((id) => {
        const types = typesOf.get(id) ?? [];
        return !types.includes("payment.created") || !types.includes("payment.succeeded");
      });
      expect(missing).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
