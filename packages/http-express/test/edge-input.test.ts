import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs, sensitiveFindings } from "./log-capture.js";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type CallResult, type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";
import { storeSnapshot } from "./store-snapshot.js";

const CARD = "4242424242424242";
const CARD_FORMS = [CARD, "4242 4242 4242 4242", "4242-4242-4242-4242"];

/** Path, query and header text is checked at the edge: the same answer on every store, and never a 500. */
describe.each<StoreKind>(["sqlite", "postgres"])("router edges on %s", (kind) => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let alice: string;
  let admin: string;
  let paymentId: string;
  let seq = 0;
  const key = () => `edge-${kind}-${++seq}`;
  const logs = captureLogs();


  function expectNoEcho(result: CallResult, ...values: string[]): void {
    for (const value of values) expect(result.text).not.toContain(value);
    expect(result.text).not.toContain(CARD);
  }

  beforeAll(async () => {
    server = await startServer(kind, { logger: logs.logger });
    api = await validatedCaller(server);
    alice = await token("alice");
    admin = await token("ops", { admin: true });
    const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 500, currency: "USD", references: { trip: "T-1" } } });
    paymentId = created.json.id;
  });
  afterAll(async () => server?.close());

  it("answers 404 for a payment id no payment can have (NUL, controls, card numbers, huge), without repeating it", async () => {
    const before = await storeSnapshot(server.store);
    const ids = ["pay_%00", "pay_%01x", "pay_%7F", ...CARD_FORMS.map(encodeURIComponent), `pay_${"x".repeat(300)}`, "pay_%C2%85%00"];
    for (const id of ids) {
      for (const [method, suffix] of [["GET", ""], ["POST", "/confirm"], ["POST", "/capture"], ["POST", "/cancel"], ["POST", "/refunds"], ["GET", "/refunds"], ["GET", "/receipt"]] as const) {
        const result = await api(method, `/payments/${id}${suffix}`, { token: admin, key: method === "POST" ? key() : undefined, body: method === "POST" ? {} : undefined });
        expect(result.status, `${method} ${id}${suffix}`).toBe(404);
        expect(result.json.error.code).toBe("not_found");
        expectNoEcho(result, "\\u0000", "x".repeat(300));
      }
    }
    expect(await storeSnapshot(server.store)).toBe(before);
  });

  it("refuses query text no payment can hold with 400 validation_error naming the parameter", async () => {
    const cases: Array<[string, string]> = [
      ["provider", "%00"],
      ["provider", "a%01b"],
      ["provider", "x".repeat(51)],
      ["owner", "bob%00"],
      ["owner", "%1B%5B31m"],
      ["owner", encodeURIComponent(CARD_FORMS[1]!)],
      ["reference", "trip:%00"],
      ["reference", "%00:T-1"],
      ["reference", "trip:a%7Fb"],
      ["reference", `trip:${CARD}`],
      ["reference", `${CARD}:x`],
      ["reference", "__proto__:x"],
      ["reference", "cvc:737"],
      ["reference", `trip:${"x".repeat(501)}`],
      ["reference", "notakeyvalue"],
      ["status", "%00"],
      ["limit", "1e2"],
      ["limit", "0x10"],
      ["limit", "5.0"],
      ["limit", "-1"],
      ["limit", "501"],
    ];
    for (const [name, value] of cases) {
      const result = await api("GET", `/payments?${name}=${value}`, { token: admin });
      expect(result.status, `${name}=${value}`).toBe(400);
      expect(result.json.error.code, `${name}=${value}`).toBe("validation_error");
      expect(result.json.error.message, `${name}=${value}`).toContain(name);
      expectNoEcho(result, "cvc:737");
    }
    // the same filters, well formed, are answered
    for (const query of ["provider=simulated", "owner=alice", "reference=trip:T-1", "limit=500", "status=pending"]) {
      expect((await api("GET", `/payments?${query}`, { token: admin })).status, query).toBe(200);
    }
    expect((await api("GET", "/payments?reference=trip:T-1", { token: admin })).json.data.map((p: { id: string }) => p.id)).toEqual([paymentId]);
  });

  it("answers invalid_cursor for a cursor this API did not issue", async () => {
    for (const cursor of ["garbage", "%00", "pay_%00", CARD, "x".repeat(300), "pay_01ZZZZZZZZZZZZZZZZZZZZZZZZ%01"]) {
      const result = await api("GET", `/payments?cursor=${cursor}`, { token: admin });
      expect(result.status, cursor).toBe(400);
      expect(result.json.error.code, cursor).toBe("invalid_cursor");
      expectNoEcho(result, "garbage");
    }
    const first = await api("GET", "/payments?limit=1", { token: admin });
    await api("POST", "/payments", { token: alice, key: key(), body: { amount: 501, currency: "USD" } });
    const page = await api("GET", "/payments?limit=1", { token: admin });
    expect((await api("GET", `/payments?limit=1&cursor=${page.json.nextCursor}`, { token: admin })).json.data[0].id).toBe(first.json.data[0].id);
  });

  it("accepts the CLI's date forms for windows and refuses impossible dates and reversed windows", async () => {
    for (const [from, to] of [["since", "until"], ["from", "to"]] as const) {
      const path = from === "since" ? "/stats" : "/payments";
      // The stats body is another rule's (exact sums); only the window's answer is checked here.
      const api = (method: string, url: string, options: Parameters<typeof call>[3]) => call(server, method, url, options);
      for (const good of ["2020-01-01", "2020-02-29", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00.123Z", "2026-03-01T12:00:00%2B02:00", "2026-03-01T12:00Z"]) {
        expect((await api("GET", `${path}?${from}=${good}`, { token: admin })).status, `${from}=${good}`).toBe(200);
        expect((await api("GET", `${path}?${to}=${good}`, { token: admin })).status, `${to}=${good}`).toBe(200);
      }
      for (const bad of ["2026-02-30", "2026-02-29", "2026-13-01", "2026-04-31", "2026-03-01T24:00:00Z", "2026-03-01T12:00:00", "24h", "", "%00", "1709251200"]) {
        const result = await api("GET", `${path}?${from}=${bad}`, { token: admin });
        expect(result.status, `${from}=${bad}`).toBe(400);
        expect(result.json.error.code).toBe("validation_error");
        expect(result.json.error.message).toContain(from);
      }
      for (const [start, end] of [["2026-03-02", "2026-03-01"], ["2026-03-01", "2026-03-01"], ["2026-03-01T12:00:00Z", "2026-03-01T13:00:00%2B02:00"]]) {
        const result = await api("GET", `${path}?${from}=${start}&${to}=${end}`, { token: admin });
        expect(result.status, `${start}..${end}`).toBe(400);
        expect(result.json.error.message).toContain(from);
      }
    }
    // A date-only window means whole UTC days, as in the CLI.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const listed = await api("GET", `/payments?from=${today}&to=${tomorrow}`, { token: admin });
    expect(listed.json.data.map((p: { id: string }) => p.id)).toContain(paymentId);
  });

  it("refuses an Idempotency-Key that is a card number, and keeps identifiers that only look like one to a digit scan", async () => {
    for (const k of CARD_FORMS) {
      const result = await api("POST", "/payments", { token: alice, key: k, body: { amount: 100, currency: "USD" } });
      expect(result.status, k).toBe(400);
      expect(result.json.error.message).toContain("Idempotency-Key");
      expectNoEcho(result, k);
    }
    // A UUID whose digit groups happen to pass Luhn across the dashes is a normal key.
    const uuid = `8088b7e0-c620-4e58-9170-333788006e72-${kind}`;
    expect((await api("POST", "/payments", { token: alice, key: uuid, body: { amount: 100, currency: "USD" } })).status).toBe(201);
  });

  it("never repeats a client value that could be card data in an error", async () => {
    const results = [
      await api("GET", `/payments?${CARD}=1`, { token: admin }),
      await api("GET", `/stats?${CARD}=1`, { token: admin }),
      await api("GET", `/payments/${paymentId}/receipt?format=${CARD}`, { token: alice }),
      await api("POST", "/fares/quote", { token: alice, body: { tariff: CARD, distanceMeters: 1, durationSeconds: 1 } }),
      await api("POST", "/fares/quote", { token: alice, body: { tariff: "city", distanceMeters: 1, durationSeconds: 1, [CARD]: 1 } }),
      await api("POST", "/webhooks/" + CARD, { rawBody: "{}" }),
      await api("POST", "/payments", { token: alice, key: key(), body: { amount: 100, currency: "USD", [CARD]: "x" } }),
      await api("POST", "/payments", { token: alice, key: key(), body: { amount: 100, currency: "USD", metadata: { [CARD_FORMS[2]!]: "x" } } }),
      await api("POST", `/payments/${paymentId}/confirm`, { token: alice, key: key(), body: { paymentMethodId: CARD } }),
      await api("POST", `/payments/${paymentId}/confirm`, { token: alice, key: key(), body: { paymentMethodId: CARD_FORMS[1] } }),
    ];
    for (const result of results) {
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      for (const form of CARD_FORMS) expect(result.text).not.toContain(form);
    }
    expect((await server.service.getPayment(paymentId)).status).toBe("pending");
    // An unknown parameter is named back shortened, never repeated whole.
    const long = await api("GET", `/payments?${"q".repeat(2_000)}=1`, { token: admin });
    expect(long.json.error.details.issues).toEqual([{ path: `${"q".repeat(64)}…`, message: "is not a parameter of this route" }]);
  });

  it("replaces an incoming X-Request-Id that carries a card number instead of echoing it", async () => {
    const kept = await call(server, "GET", "/health/live", { headers: { "x-request-id": "proxy-abc.123" } });
    expect(kept.headers.get("x-request-id")).toBe("proxy-abc.123");
    const replaced = await call(server, "GET", "/health/live", { headers: { "x-request-id": CARD } });
    expect(replaced.headers.get("x-request-id")).not.toContain(CARD);
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses the issue's reproductions exactly as reported, changing nothing", async () => {
    const before = await storeSnapshot(server.store);
    const metadata = await api("POST", "/payments", {
      token: alice,
      key: key(),
      rawBody: '{"amount":100,"currency":"USD","metadata":{"card":"4242424242424242","cvc":"737","x":"a\\ud800b"}}',
    });
    expect(metadata.status).toBe(400);
    expect(metadata.json.error.code).toBe("validation_error");
    expectNoEcho(metadata, '"737"');
    const nul = await api("GET", "/payments/pay_%00", { token: alice });
    expect([nul.status, nul.json.error.code]).toEqual([404, "not_found"]);
    const inPath = await api("GET", `/payments/${CARD}`, { token: alice });
    expect(inPath.status).toBe(404);
    expectNoEcho(inPath);
    for (const query of ["cursor=%00", "provider=%00", "reference=trip:%00", "reference=%00:T-1", "owner=%00"]) {
      const result = await api("GET", `/payments?${query}`, { token: admin });
      expect(result.status, query).toBe(400);
    }
    expect((await api("GET", "/payments?cursor=garbage", { token: admin })).json.error.code).toBe("invalid_cursor");
    expect((await call(server, "GET", "/stats?since=2020-01-01", { token: admin })).status).toBe(200);
    expect((await call(server, "GET", "/stats?since=2026-02-30", { token: admin })).status).toBe(400);
    expect(await storeSnapshot(server.store)).toBe(before);
  });

  it("logged nothing sensitive while refusing all of the above", () => {
    const findings = logs.lines.flatMap((line) => sensitiveFindings(line, [alice, admin]));
    expect(findings).toEqual([]);
    expect(logs.text()).toContain('"msg":"request"');
  });
});

describe("a principal whose subject no payment can hold", () => {
  it("is refused as unauthenticated, not answered with a 500", async () => {
    for (const kind of ["sqlite", "postgres"] as const) {
      const server = await startServer(kind, { authenticate: async () => ({ sub: "alice\u0000", admin: true, claims: {} }) });
      try {
        for (const [method, path] of [["GET", "/payments"], ["GET", "/payments/pay_x"], ["GET", "/stats"]] as const) {
          const result = await call(server, method, path, { token: "x" });
          expect(result.status, `${kind} ${method} ${path}`).toBe(401);
          expect(result.json.error.code).toBe("unauthenticated");
        }
      } finally {
        await server.close();
      }
    }
  });
});
