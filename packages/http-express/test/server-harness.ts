import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PaymentStore, createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { createPostgresStore, migrate as migratePostgres } from "@org/payments-postgres";
import { createSqliteStore, migrate as migrateSqlite } from "@org/payments-sqlite";
import { createTestSchema } from "@org/payments-test-support/postgres";
import express from "express";
import { SignJWT } from "jose";
import { pino } from "pino";
import { createPaymentsRouter } from "../src/index.js";
import type { PaymentsRouterOptions } from "../src/router-options.js";

export const JWT_SECRET = "test-secret-that-is-long-enough-for-hs256!";
export const ISSUER = "https://auth.example.test";
export const AUDIENCE = "payments";

export type StoreKind = "memory" | "sqlite" | "postgres";

export interface TestServer {
  baseUrl: string;
  store: PaymentStore;
  gateway: SimulatedGateway;
  service: ReturnType<typeof createPaymentService>;
  close(): Promise<void>;
}

async function openStore(kind: StoreKind): Promise<{ store: PaymentStore; cleanup: () => Promise<void> }> {
  if (kind === "memory") return { store: createMemoryStore(), cleanup: async () => {} };
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "payments-http-"));
    const store = await createSqliteStore({ filename: join(dir, "payments.db") });
    await migrateSqlite(store);
    return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = await createTestSchema("payments_http");
  const store = await createPostgresStore({ connectionString: schema.url, max: 16 });
  await migratePostgres(store);
  return { store, cleanup: () => schema.drop() };
}

export const TARIFFS = {
  city: { name: "city", currency: "USD", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 99, taxRate: "0.0875", maxSurge: "2" },
};

/** The router mounted in a real Express app on a real port, beside a host route, over a real store. */
export async function startServer(
  kind: StoreKind,
  overrides: Partial<PaymentsRouterOptions> = {},
  /** More providers beside the default simulated one (it stays the default and `server.gateway`). */
  more: { gateways?: SimulatedGateway[] } = {},
): Promise<TestServer> {
  const { store, cleanup } = await openStore(kind);
  const gateway = new SimulatedGateway();
  const service = createPaymentService({ store, gateways: [gateway, ...(more.gateways ?? [])], tariffs: TARIFFS });
  const app = express();
  app.get("/host-route", (_req, res) => {
    res.json({ mine: true });
  });
  app.use(
    "/api",
    createPaymentsRouter({
      service,
      jwt: { secret: JWT_SECRET, algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE },
      logger: pino({ level: "silent" }),
      rateLimit: false,
      ...overrides,
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    store,
    gateway,
    service,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await cleanup();
    },
  };
}

export async function token(sub: string | null, claims: Record<string, unknown> = {}, options: { expiresIn?: string | number; secret?: string } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt();
  if (sub !== null) jwt = jwt.setSubject(sub);
  jwt = jwt.setExpirationTime(options.expiresIn ?? "5m");
  return jwt.sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { token?: string; key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers["idempotency-key"] = options.key;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (receipts as text/html, metrics)
  }
  return { status: response.status, headers: response.headers, text, json };
}
