import { createRequire } from "node:module";
import { PaymentError, type PaymentStore, createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { testPostgresUrl } from "@org/payments-test-support/postgres";
import express from "express";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDefaultLogger, createPaymentsRouter, paymentsLoggerOptions } from "../src/index.js";
import { captureLogs, dataOf, sensitiveFindings } from "./log-capture.js";
import { createResponseValidator } from "./openapi-validator.js";
import { JWT_SECRET, token } from "./server-harness.js";

const CARD = "4242424242424242";
const METADATA_JSON = '{"card":"4242424242424242","cvc":"737","x":"a\\ud800b"}';

/** Genuine driver errors, made by the drivers the stores use, carrying the client's row data in their fields. */
async function postgresErrors(): Promise<{ jsonb: Error; integer: Error }> {
  type Client = { connect(): Promise<void>; end(): Promise<void>; query(text: string, values: unknown[]): Promise<unknown> };
  const pg = createRequire(import.meta.resolve("@org/payments-postgres"))("pg") as { Client: new (options: { connectionString: string }) => Client };
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  const fail = (text: string, value: string) => client.query(text, [value]).then(() => { throw new Error("expected a failure"); }, (error: Error) => error);
  try {
    return { jsonb: await fail("select $1::jsonb", METADATA_JSON), integer: await fail("select $1::int", CARD) };
  } finally {
    await client.end();
  }
}

function sqliteError(): Error {
  const Database = createRequire(import.meta.resolve("@org/payments-sqlite"))("better-sqlite3") as new (file: string) => { exec(sql: string): void };
  try {
    new Database(":memory:").exec(`${CARD} cvc 737`);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("the default logger masks card data, CVCs and bearer tokens wherever they are in a record", () => {
  let errors: { jsonb: Error; integer: Error; sqlite: Error };
  beforeAll(async () => {
    errors = { ...(await postgresErrors()), sqlite: sqliteError() };
    // The premise: the drivers put the client's data in these errors.
    expect((errors.jsonb as unknown as { where: string }).where).toContain(CARD);
    expect(errors.integer.message).toContain(CARD);
    expect(errors.sqlite.message).toContain(CARD);
  });

  it("masks card numbers in messages, printf arguments, nested values, keys, arrays and numbers", () => {
    const { logger, lines } = captureLogs({ logger: (stream) => createDefaultLogger(stream) });
    logger.info({ path: `/payments/${CARD}`, url: "/x?pan=4242-4242-4242-4242" }, `card ${CARD} in the message`);
    logger.info("printf %s and %o", "4242 4242 4242 4242", { nested: [{ deeper: `x${CARD}y` }] });
    logger.info({ metadata: { [CARD]: "key", list: ["378282246310005", "5555-5555-5555-4444"], amount: 4242424242424242 } }, "keys");
    logger.child({ bound: CARD }).info("child bindings");
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(sensitiveFindings(line)).toEqual([]);
    expect(lines[0]).toContain("/payments/[card]");
    expect(lines[1]).toContain("printf [card]");
    // digits that are not card numbers stay readable
    logger.info({ amount: 1234567890123, ids: ["pay_01J0000000000000000000000"] }, "plain numbers 12345");
    expect(lines[4]).toContain("1234567890123");
    expect(lines[4]).toContain("plain numbers 12345");
  });

  it("redacts card-data fields by name (cvc, cvv, security_code, card_number, pan…) at any depth", () => {
    const { logger, lines } = captureLogs({ logger: (stream) => createDefaultLogger(stream) });
    logger.info({ body: { cvc: "737", CVV2: "1234", "security-code": "999", card_number: "x", pan: "y", inner: [{ Cvc: 123 }] } }, "fields");
    expect(sensitiveFindings(lines[0]!)).toEqual([]);
    expect(dataOf(lines[0]!)).not.toMatch(/"737"|"1234"|"999"|"x"|"y"|:123\b/);
    // Child bindings never pass through formatters.log: the finished line is scrubbed too.
    logger.child({ "Security Code": "555", stripe_signature: "t=1,v1=abc" }).info("bound");
    logger.child({ api_key: "k-123" }).info("bound");
    expect(sensitiveFindings(lines[1]!)).toEqual([]);
    expect(dataOf(lines[1]!)).not.toMatch(/"555"|v1=abc/);
    expect(dataOf(lines[2]!)).not.toContain("k-123");
  });

  it("redacts bearer tokens and JWTs in headers, strings and messages", async () => {
    const jwt = await token("alice");
    const { logger, lines } = captureLogs({ logger: (stream) => createDefaultLogger(stream) });
    logger.info({ req: { headers: { authorization: `Bearer ${jwt}` } } }, "headers");
    logger.info({ note: `retrying with Bearer ${jwt}`, raw: jwt, headers: { Authorization: "Bearer opaque-token-123" } }, `got ${jwt}`);
    for (const line of lines) expect(sensitiveFindings(line, [jwt, "opaque-token-123"])).toEqual([]);
  });

  it("logs a driver error by code, table, schema and constraint only: never its where, detail, query, parameters or message", () => {
    const { logger, lines } = captureLogs({ logger: (stream) => createDefaultLogger(stream) });
    const wrapped = new PaymentError("internal", "insert failed", { cause: errors.jsonb });
    Object.assign(errors.integer, { query: `select ${CARD}`, parameters: [CARD, "737"] });
    logger.error({ err: errors.jsonb }, "jsonb");
    logger.error({ err: wrapped }, "wrapped");
    logger.error({ error: errors.integer, other: { deep: errors.sqlite } }, "any key");
    for (const line of lines) {
      expect(sensitiveFindings(line)).toEqual([]);
      // the CVC as a string value or beside its name, the surrogate, where/detail/message text
      expect(dataOf(line)).not.toMatch(/"737"|cvc\W{0,8}737|ud800|JSON data|low surrogate|out of range|syntax error/);
    }
    expect(JSON.parse(lines[0]!).err).toMatchObject({ type: "DatabaseError", code: "22P02" });
    expect(JSON.parse(lines[1]!).err).toMatchObject({ type: "PaymentError", code: "internal", message: "insert failed", cause: { code: "22P02" } });
    expect(JSON.parse(lines[2]!).other.deep).toMatchObject({ type: "SqliteError", code: "SQLITE_ERROR" });
  });

  it("gives hosts the same protection on their own pino through paymentsLoggerOptions()", () => {
    const { logger, lines } = captureLogs({ logger: (stream) => pino({ ...paymentsLoggerOptions(), level: "info" }, stream) });
    logger.info({ err: errors.jsonb, path: `/p/${CARD}`, cvc: "737" }, `msg ${CARD}`);
    expect(sensitiveFindings(lines[0]!)).toEqual([]);
    expect(dataOf(lines[0]!)).not.toMatch(/"737"|cvc\W{0,8}737/);
  });
});

describe("the router's own log records and 500s", () => {
  let errors: { jsonb: Error };
  beforeAll(async () => {
    errors = await postgresErrors();
  });

  async function serve(store: PaymentStore, logger: ReturnType<typeof captureLogs>["logger"]) {
    const service = createPaymentService({ store, gateways: [new SimulatedGateway()] });
    const app = express();
    app.use("/api", createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, logger, rateLimit: false, storeMetrics: true }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    return { base, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
  }

  let close: (() => Promise<void>) | undefined;
  afterAll(async () => close?.());

  it("answers an internal error with 500 internal and the request id only; the log keeps code and column, not the value", async () => {
    const logs = captureLogs();
    const memory = createMemoryStore();
    const overflow = new PaymentError("internal", "stored stats.amount is unusable: beyond Number.MAX_SAFE_INTEGER", {
      details: { column: "stats.amount", value: "18014398509481982" },
    });
    const broken: PaymentStore = Object.assign(Object.create(memory) as PaymentStore, {
      stats: async () => {
        throw overflow;
      },
      getPayment: async () => {
        throw errors.jsonb;
      },
    });
    const server = await serve(broken, logs.logger);
    close = server.close;
    const admin = await token("ops", { admin: true });
    const validate = createResponseValidator(await (await fetch(`${server.base}/openapi.json`)).json());
    for (const path of ["/stats", "/payments/pay_x", `/payments/pay_x/receipt`]) {
      const response = await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${admin}` } });
      const text = await response.text();
      const body = JSON.parse(text);
      const requestId = response.headers.get("x-request-id");
      expect(response.status, path).toBe(500);
      expect(body, path).toEqual({ error: { code: "internal", message: "internal error", requestId } });
      validate("GET", path, { status: response.status, headers: response.headers, text, json: body });
      expect(logs.text()).toContain(requestId);
    }
    // The exporter's scrape still answers (its per-instance metrics stay readable) and says only that the store read failed.
    const metrics = await fetch(`${server.base}/metrics`);
    expect(metrics.status).toBe(200);
    const scraped = await metrics.text();
    expect(scraped).toMatch(/^payments_store_up 0$/m);
    expect(scraped).not.toContain("18014398509481982");
    expect(logs.text()).toContain("store metrics read failed");
    const text = logs.text();
    expect(text).not.toContain("18014398509481982");
    expect(text).toContain("stats.amount");
    expect(text).toContain("22P02");
    for (const line of logs.lines) expect(sensitiveFindings(line, [admin])).toEqual([]);
    expect(text).not.toMatch(/"737"|cvc\W{0,8}737|JSON data/);
  });

  it("logs a request for a card number in the URL path with the number masked", async () => {
    const logs = captureLogs();
    const server = await serve(createMemoryStore(), logs.logger);
    try {
      const alice = await token("alice");
      await fetch(`${server.base}/payments/${CARD}`, { headers: { authorization: `Bearer ${alice}` } });
      await fetch(`${server.base}/no-such-route/4242-4242-4242-4242`);
      expect(logs.lines.length).toBeGreaterThanOrEqual(2);
      for (const line of logs.lines) expect(sensitiveFindings(line, [alice])).toEqual([]);
      expect(logs.text()).toContain("/payments/[card]");
    } finally {
      await server.close();
    }
  });
});
