import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PaymentError, type PaymentService, createPaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createPaymentsRouter } from "@org/payments-express";
import { createSqliteStore, migrate } from "@org/payments-sqlite";
import express, { type Express } from "express";
import { SignJWT } from "jose";
import { pino } from "pino";

const SECRET = "bench-secret-bench-secret-bench-secret!";

interface LoadFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  requests: number;
  non2xx: number;
  errors: number;
  replayedRetries: number;
  retries: number;
}

/** The whole router: JWT, authorization, Idempotency-Key, zod validation, metrics, canonical JSON. */
function routerApp(service: PaymentService): Express {
  const app = express();
  app.use("/api", createPaymentsRouter({ service, jwt: { secret: SECRET, algorithms: ["HS256"] }, logger: pino({ level: "silent" }), rateLimit: false }));
  return app;
}

/** The floor: a bare Express handler calling the same service methods, nothing else. */
function bareApp(service: PaymentService): Express {
  const app = express();
  app.use(express.json());
  const ctx = (req: express.Request) => ({ scope: "user_bench", idempotencyKey: req.get("idempotency-key") ?? "" });
  const fail = (res: express.Response, error: unknown) => {
    const status = error instanceof PaymentError ? error.httpStatus : 500;
    res.status(status).json({ error: String(error) });
  };
  app.post("/api/payments", async (req, res) => {
    try {
      const { payment } = await service.createPayment({ ...req.body, owner: "user_bench" }, ctx(req));
      res.status(201).json(payment);
    } catch (error) {
      fail(res, error);
    }
  });
  app.post("/api/payments/:id/confirm", async (req, res) => {
    try {
      const result = await service.confirmPayment(req.params.id, req.body, ctx(req));
      if (result.replayed) res.setHeader("Idempotent-Replayed", "true");
      res.status(200).json(result.payment);
    } catch (error) {
      fail(res, error);
    }
  });
  return app;
}

async function load(url: string, token: string, seconds: number, connections: number): Promise<LoadFigures> {
  const child = spawn(process.execPath, [new URL("./http-load.mjs", import.meta.url).pathname, url, token, String(seconds), String(connections)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve(null) : reject(new Error(`load generator exited ${code}`)))));
  return JSON.parse(output) as LoadFigures;
}

async function measure(kind: "router" | "bare", seconds: number, connections: number): Promise<LoadFigures> {
  const dir = mkdtempSync(join(tmpdir(), `payments-http-bench-${kind}-`));
  const store = await createSqliteStore({ filename: join(dir, "payments.db") });
  await migrate(store);
  const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
  const server = (kind === "router" ? routerApp(service) : bareApp(service)).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("user_bench").setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
  try {
    return await load(`http://127.0.0.1:${port}/api`, kind === "router" ? token : "-", seconds, connections);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Create + confirm through the mounted router beside a bare Express handler calling the same service methods, on
 * SQLite, driven by autocannon from a second process. Alternating rounds; medians of requests per second.
 */
export async function benchHttp(options: { seconds: number; connections: number; rounds: number }) {
  const router: LoadFigures[] = [];
  const bare: LoadFigures[] = [];
  await measure("bare", 2, options.connections);
  await measure("router", 2, options.connections);
  for (let i = 0; i < options.rounds; i++) {
    bare.push(await measure("bare", options.seconds, options.connections));
    router.push(await measure("router", options.seconds, options.connections));
  }
  const median = (figures: LoadFigures[]) => [...figures].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(figures.length / 2)]!;
  const r = median(router);
  const b = median(bare);
  const ratio = Math.round((r.requestsPerSecond / b.requestsPerSecond) * 100) / 100;
  return {
    engine: "http (sqlite)",
    connections: options.connections,
    secondsPerRound: options.seconds,
    rounds: options.rounds,
    router: { requestsPerSecond: r.requestsPerSecond, latencyMs: r.latencyMs, non2xx: r.non2xx, replayRate: r.retries ? r.replayedRetries / r.retries : null, allRounds: router.map((f) => f.requestsPerSecond) },
    bare: { requestsPerSecond: b.requestsPerSecond, latencyMs: b.latencyMs, non2xx: b.non2xx, replayRate: b.retries ? b.replayedRetries / b.retries : null, allRounds: bare.map((f) => f.requestsPerSecond) },
    ratio,
    goal: 0.8,
    meetsGoal: ratio >= 0.8,
  };
}
