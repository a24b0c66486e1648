import type { AddressInfo } from "node:net";
import { type PaymentStore, containsCardNumber, createMemoryStore, createPaymentService, textProblem } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import express from "express";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaymentsRouter } from "../src/index.js";
import { cardNumber, encodeAnyText, foreignCursor, hostileText } from "./hostile-input.js";

/** Every string inside a store call's arguments. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      out.push(key);
      stringsIn(inner, out);
    }
  }
  return out;
}

/** A memory store that records every string the router's requests hand to it, inside transactions too. */
function recordingStore(received: string[]): PaymentStore {
  const record = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, name, receiver) {
        const member = Reflect.get(object, name, receiver) as unknown;
        if (typeof member !== "function") return member;
        if (name === "transaction") {
          return (work: (tx: unknown) => Promise<unknown>) => (member as (w: typeof work) => Promise<unknown>).call(object, (tx) => work(record(tx as object)));
        }
        return (...args: unknown[]) => {
          received.push(...stringsIn(args));
          return (member as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return record(createMemoryStore());
}

/**
 * The router validates at the edge and does not lean on a store's own guard: with a store that would accept
 * anything (the memory store), no path, query, header or identity text a store could not hold ever reaches it.
 */
describe("router input never reaches the store unless every store can hold it", () => {
  const received: string[] = [];
  let base: string;
  let close: () => void;

  beforeAll(async () => {
    const service = createPaymentService({ store: recordingStore(received), gateways: [new SimulatedGateway()] });
    const app = express();
    // The subject comes as base64url JSON in a test header, so it can carry text (lone surrogates) no header can.
    const authenticate = async (request: { headers: Record<string, string | string[] | undefined> }) => {
      const header = request.headers["x-test-sub"];
      const sub = header === undefined ? "alice" : (JSON.parse(Buffer.from(String(header), "base64url").toString("utf8")) as string);
      return { sub, admin: true, claims: {} };
    };
    app.use("/api", createPaymentsRouter({ service, authenticate, logger: pino({ level: "silent" }), rateLimit: false }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    close = () => {
      server.closeAllConnections();
      server.close();
    };
  });
  afterAll(() => close?.());

  it("for generated path ids, query values, idempotency keys and token subjects", async () => {
    // The recorder works: a good request's filter reaches the store and is seen.
    await (await fetch(`${base}/payments?provider=simulated&reference=trip:T-1`)).arrayBuffer();
    expect(received).toEqual(expect.arrayContaining(["simulated", "trip", "T-1"]));
    const text = fc.oneof(hostileText({ surrogates: false }), cardNumber);
    const request = fc.oneof(
      fc.tuple(text, fc.constantFrom("", "/refunds", "/disputes", "/receipt")).map(([id, suffix]) => ({ method: "GET", path: `/payments/${encodeAnyText(id)}${suffix}` })),
      fc.tuple(fc.constantFrom("provider", "owner", "reference", "from", "to"), text).map(([name, value]) => ({ method: "GET", path: `/payments?${name}=${encodeAnyText(name === "reference" ? `k:${value}` : value)}` })),
      fc.tuple(fc.constantFrom("reference"), text).map(([name, key]) => ({ method: "GET", path: `/payments?${name}=${encodeAnyText(`${key}:v`)}` })),
      foreignCursor.map((cursor) => ({ method: "GET", path: `/payments?cursor=${encodeAnyText(cursor)}` })),
      // The dispute queue's filters and a dispute id are held to the same rules before the store sees them.
      fc
        .tuple(fc.constantFrom("provider", "paymentId", "status", "currency", "openedFrom", "openedTo", "evidenceDueBefore"), text)
        .map(([name, value]) => ({ method: "GET", path: `/disputes?${name}=${encodeAnyText(value)}` })),
      text.map((id) => ({ method: "GET", path: `/disputes/${encodeAnyText(id)}` })),
      fc.tuple(fc.constantFrom("since", "until"), text).map(([name, value]) => ({ method: "GET", path: `/stats?${name}=${encodeAnyText(value)}` })),
      cardNumber.map((key) => ({ method: "POST", path: "/payments", key })),
      // Subjects and keys are refused when they ARE a card number (see identifier-rules), so only those are generated.
      fc.tuple(fc.oneof(hostileText({ surrogates: true, cards: false }), cardNumber), fc.constantFrom("/payments", "/payments/pay_x", "/stats")).map(([sub, path]) => ({ method: "GET", path, sub })),
    );
    await fc.assert(
      fc.asyncProperty(request, async (plan: { method: string; path: string; key?: string; sub?: string }) => {
        received.length = 0;
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (plan.key !== undefined) headers["idempotency-key"] = plan.key;
        if (plan.sub !== undefined) headers["x-test-sub"] = Buffer.from(JSON.stringify(plan.sub), "utf8").toString("base64url");
        const response = await fetch(`${base}${plan.path}`, { method: plan.method, headers, body: plan.method === "POST" ? '{"amount":100,"currency":"USD"}' : undefined });
        await response.arrayBuffer();
        expect(response.status, plan.path).toBeGreaterThanOrEqual(400);
        expect(response.status, plan.path).toBeLessThan(500);
        for (const value of received) {
          expect(textProblem(value, { max: 10_000 }), `${plan.path} handed ${JSON.stringify(value).slice(0, 80)} to the store`).toBeNull();
          expect(containsCardNumber(value), `${plan.path} handed a card number to the store`).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
