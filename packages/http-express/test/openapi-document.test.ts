import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/index.js";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type CallResult, type TestServer, call, startServer, token } from "./server-harness.js";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

function operationsOf(document: any): { method: string; path: string; operation: any }[] {
  return Object.entries(document.paths).flatMap(([path, item]: [string, any]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method, path, operation: item[method] })),
  );
}

describe("the OpenAPI document, for client generators", () => {
  it("names every operation with a unique operationId and gives each a client-error (4xx) response", () => {
    const operations = operationsOf(buildOpenApiDocument());
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, operation } of operations) {
      expect(Object.keys(operation.responses).some((status) => status.startsWith("4")), `${method} ${path} has no 4xx`).toBe(true);
    }
  });

  it("references only headers it defines", () => {
    const document = buildOpenApiDocument() as any;
    for (const { operation } of operationsOf(document)) {
      for (const response of Object.values<any>(operation.responses)) {
        for (const [name, header] of Object.entries<any>(response.headers ?? {})) {
          expect(header.$ref).toBe(`#/components/headers/${name}`);
          expect(document.components.headers[name]).toBeDefined();
        }
      }
    }
  });
});

describe("the served OpenAPI document", () => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let seq = 0;
  const key = () => `openapi-doc-${++seq}`;


  beforeAll(async () => {
    // Rate limits on (they are off in most suites), so that their headers and the 429 are on the responses checked.
    server = await startServer("sqlite", { rateLimit: { limit: 5, windowMs: 60_000 } });
    api = await validatedCaller(server);
  });
  afterAll(async () => server?.close());

  it("points clients at the router's mount, relative to the host that served it", async () => {
    const document = (await call(server, "GET", "/openapi.json")).json;
    expect(document.servers).toEqual([expect.objectContaining({ url: "/api" })]);
    // What a generated client does: the server URL, resolved against the document's origin, then the path.
    const origin = new URL(server.baseUrl).origin;
    const health = await fetch(`${new URL(document.servers[0].url, origin).href}/health/live`);
    expect(health.status).toBe(200);
  });

  it("keeps the host's own server URL when it names one", async () => {
    const named = await startServer("sqlite", { openapi: { serverUrl: "https://pay.example.org/api" } });
    try {
      expect((await call(named, "GET", "/openapi.json")).json.servers).toEqual([{ url: "https://pay.example.org/api" }]);
    } finally {
      await named.close();
    }
  });

  it("documents every header of limited, replayed, refused and throttled responses", async () => {
    const alice = await token("alice");
    const createKey = key();
    const created = await api("POST", "/payments", { token: alice, key: createKey, body: { amount: 1200, currency: "USD" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("ratelimit")).toBeTruthy();

    const replayed = await api("POST", "/payments", { token: alice, key: createKey, body: { amount: 1200, currency: "USD" } });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");

    const confirmed = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    expect(confirmed.json.status).toBe("succeeded");
    const receipt = await api("GET", `/payments/${created.json.id}/receipt?format=html`, { token: alice });
    expect(receipt.status, receipt.text).toBe(200);
    expect(receipt.headers.get("content-security-policy")).toBeTruthy();

    const refused = await api("GET", "/payments", { token: "not.a.token" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBeTruthy();

    let throttled: CallResult | undefined;
    for (let i = 0; i < 6 && !throttled; i++) {
      const result = await api("GET", "/payments", { token: alice });
      if (result.status === 429) throttled = result;
    }
    expect(throttled?.headers.get("retry-after")).toBeTruthy();

    const webhook = await api("POST", "/webhooks/simulated", { rawBody: "{}", headers: { "content-type": "application/json" } });
    expect(webhook.status).toBeGreaterThanOrEqual(200);
  });
});
