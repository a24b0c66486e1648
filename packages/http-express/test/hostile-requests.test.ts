import { containsCardNumber, maskCardNumbers } from "@org/payments-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  badAmountJson,
  badJsonBody,
  cardFieldName,
  cardNumber,
  encodeAnyText,
  foreignCursor,
  hostileText,
  hugeText,
  impossibleDate,
  reservedKey,
  reversedWindow,
} from "./hostile-input.js";
import { captureLogs, sensitiveFindings } from "./log-capture.js";
import { type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";
import { storeSnapshot } from "./store-snapshot.js";

/** Requests per store: enough to cover every route and poison many times over, bounded to keep CI in seconds. */
const RUNS = Number(process.env.HOSTILE_REQUEST_RUNS ?? 150);

type Who = "owner" | "admin" | "anonymous";

/** One generated request. `mustRefuse`: it carries something the rules refuse, so any 2xx is a bug. */
interface Plan {
  route: string;
  method: "GET" | "POST";
  path: string;
  who: Who;
  /** A raw Authorization header replacing the principal's token. */
  authorization?: string;
  /** `null`: no Idempotency-Key; undefined: a fresh valid one on POSTs. */
  key?: string | null;
  body?: string;
  mustRefuse: boolean;
}

interface Seeds {
  pending: string;
  succeeded: string;
  authorized: string;
}

/** A JSON object written by hand, so keys such as `__proto__` and lone surrogates in values reach the server as sent. */
function objectJson(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([key, raw]) => `${JSON.stringify(key)}:${raw}`).join(",")}}`;
}
const str = (text: string) => JSON.stringify(text);

/** A record (metadata, references) with one entry no payment may hold. */
const poisonedRecord = fc.oneof(
  fc.tuple(fc.oneof(hostileText(), reservedKey, cardFieldName, fc.constant("")), fc.string({ maxLength: 8 })).map(([k, v]) => objectJson([[k, str(v)]])),
  fc.tuple(fc.constantFrom("trip", "order"), fc.oneof(hostileText(), hugeText)).map(([k, v]) => objectJson([[k, str(v)]])),
  // The issue's reproduction: card number, CVC and a lone surrogate in one metadata object.
  fc.constant('{"card":"4242424242424242","cvc":"737","x":"a\\ud800b"}'),
  fc.constantFrom('["a"]', '"text"', "42", '{"nested":{"a":"b"}}', '{"n":1}'),
);

function createBody(): fc.Arbitrary<string> {
  const base: Array<[string, string]> = [["amount", "100"], ["currency", '"USD"']];
  const textField = fc.constantFrom("description", "customerId", "checkoutSessionId", "paymentMethodId", "customerEmail", "provider");
  return fc.oneof(
    fc.tuple(textField, fc.oneof(hostileText(), hugeText)).map(([field, value]) => objectJson([...base, [field, str(value)]])),
    fc.tuple(fc.constantFrom("metadata", "references"), poisonedRecord).map(([field, raw]) => objectJson([...base, [field, raw]])),
    badAmountJson.map((amount) => objectJson([["amount", amount], ["currency", '"USD"']])),
    fc.oneof(hostileText().map(str), fc.constantFrom("840", '""', '"XYZ"', "null", '"usd "')).map((currency) => objectJson([["amount", "100"], ["currency", currency]])),
    fc.oneof(fc.constantFrom("owner", "status", "id", "__proto__", "constructor"), cardNumber, hostileText()).map((extra) => objectJson([...base, [extra, '"x"']])),
    fc
      .tuple(fc.oneof(hostileText(), hugeText), fc.oneof(badAmountJson, fc.constant("100")))
      .map(([code, amount]) => objectJson([...base, ["lineItems", `[${objectJson([["code", str(code)], ["description", '"d"'], ["amount", amount]])}]`]])),
    badJsonBody,
  );
}

const pathText = fc.oneof(hostileText(), cardNumber, fc.integer({ min: 201, max: 2_000 }).map((n) => "p".repeat(n)));

function confirmBody(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.oneof(hostileText(), cardNumber, fc.constantFrom("pm_bogus", "pm card", "", "pm_card_visa\u0000")).map((pm) => objectJson([["paymentMethodId", str(pm)]])),
    fc.constantFrom("{}", '{"paymentMethodId":42}', '{"paymentMethodId":null}', '{"paymentMethodId":["pm_card_visa"]}', '{"paymentMethodId":"pm_card_visa","cvc":"737"}'),
    fc.tuple(fc.constantFrom("returnUrl", "cancelUrl"), fc.oneof(hostileText({ cards: false }), fc.constantFrom("not a url", "//no-scheme.example", "http://"))).map(([field, url]) =>
      objectJson([["paymentMethodId", '"pm_card_authenticationRequired"'], [field, str(url)]]),
    ),
    badJsonBody,
  );
}

function plans(seeds: Seeds): fc.Arbitrary<Plan> {
  const authPoison = fc.oneof(
    fc.constant(""),
    fc.constantFrom("Bearer garbage", "Bearer ", "Basic YWxpY2U6cGFzcw==", "bearer x.y.z"),
    cardNumber.map((card) => `Bearer ${card}`),
  );
  const stateChanging = (method: "POST", route: string, path: string, who: Who, body: fc.Arbitrary<string>): fc.Arbitrary<Plan> =>
    body.map((raw) => ({ route, method, path, who, body: raw, mustRefuse: true }));

  const create = stateChanging("POST", "POST /payments", "/payments", "owner", createBody());
  const createWithoutGoodKey = fc
    .oneof(fc.constant<string | null>(null), fc.constant(""), fc.constant("k".repeat(256)), cardNumber)
    .map((key): Plan => ({ route: "POST /payments (key)", method: "POST", path: "/payments", who: "owner", key, body: '{"amount":100,"currency":"USD"}', mustRefuse: true }));
  const unauthenticated = fc
    .tuple(authPoison, fc.constantFrom<[Plan["method"], string]>(["POST", "/payments"], ["GET", "/payments"], ["GET", `/payments/${seeds.pending}`], ["POST", `/payments/${seeds.succeeded}/refunds`], ["GET", "/stats"], ["POST", "/fares/quote"]))
    .map(([authorization, [method, path]]): Plan => ({ route: `${method} ${path} (auth)`, method, path, who: "owner", authorization, body: method === "POST" ? '{"amount":100,"currency":"USD","reason":"r"}' : undefined, mustRefuse: true }));

  const confirm = stateChanging("POST", "POST confirm", `/payments/${seeds.pending}/confirm`, "owner", confirmBody());
  const wrongState = fc.constantFrom<Plan>(
    { route: "confirm succeeded", method: "POST", path: `/payments/${seeds.succeeded}/confirm`, who: "owner", body: '{"paymentMethodId":"pm_card_visa"}', mustRefuse: true },
    { route: "capture pending", method: "POST", path: `/payments/${seeds.pending}/capture`, who: "admin", body: "{}", mustRefuse: true },
    { route: "owner capture", method: "POST", path: `/payments/${seeds.authorized}/capture`, who: "owner", body: "{}", mustRefuse: true },
    { route: "owner cancel authorized", method: "POST", path: `/payments/${seeds.authorized}/cancel`, who: "owner", body: "{}", mustRefuse: true },
    { route: "owner refund", method: "POST", path: `/payments/${seeds.succeeded}/refunds`, who: "owner", body: '{"reason":"self"}', mustRefuse: true },
    { route: "refund too much", method: "POST", path: `/payments/${seeds.succeeded}/refunds`, who: "admin", body: '{"amount":1000000,"reason":"too much"}', mustRefuse: true },
    { route: "capture too much", method: "POST", path: `/payments/${seeds.authorized}/capture`, who: "admin", body: '{"amount":1000000}', mustRefuse: true },
  );
  const capture = stateChanging(
    "POST",
    "POST capture",
    `/payments/${seeds.authorized}/capture`,
    "admin",
    fc.oneof(badAmountJson.map((amount) => objectJson([["amount", amount]])), fc.constantFrom('{"amount":100,"extra":1}', '{"__proto__":{"amount":1}}'), badJsonBody),
  );
  const cancel = stateChanging(
    "POST",
    "POST cancel",
    `/payments/${seeds.pending}/cancel`,
    "owner",
    fc.oneof(fc.oneof(hostileText(), hugeText, fc.constant("")).map((reason) => objectJson([["reason", str(reason)]])), fc.constantFrom('{"reason":42}', '{"why":"x"}'), badJsonBody),
  );
  const refund = stateChanging(
    "POST",
    "POST refunds",
    `/payments/${seeds.succeeded}/refunds`,
    "admin",
    fc.oneof(
      fc.oneof(hostileText(), hugeText, fc.constantFrom("", "   ", "\n")).map((reason) => objectJson([["amount", "100"], ["reason", str(reason)]])),
      badAmountJson.map((amount) => objectJson([["amount", amount], ["reason", '"r"']])),
      fc.constantFrom("{}", '{"amount":100}', '{"reason":"r","cvc":"737"}'),
      badJsonBody,
    ),
  );
  const idRoutes = fc
    .tuple(pathText, fc.constantFrom<[Plan["method"], string]>(["GET", ""], ["GET", "/refunds"], ["GET", "/disputes"], ["GET", "/receipt"], ["POST", "/confirm"], ["POST", "/capture"], ["POST", "/cancel"], ["POST", "/refunds"]))
    .map(([id, [method, suffix]]): Plan => ({ route: `${method} /payments/:id${suffix} (id)`, method, path: `/payments/${encodeAnyText(id)}${suffix}`, who: "admin", body: method === "POST" ? '{"reason":"r"}' : undefined, mustRefuse: true }));
  const receipt = fc
    .oneof(hostileText({ surrogates: false }), cardNumber, fc.constantFrom("pdf", "JSON", ""))
    .map((format): Plan => ({ route: "GET receipt (format)", method: "GET", path: `/payments/${seeds.succeeded}/receipt?format=${encodeAnyText(format)}`, who: "owner", mustRefuse: true }));

  const q = (name: string, value: string) => `${encodeAnyText(name)}=${encodeAnyText(value)}`;
  const listQuery = fc.oneof(
    fc.oneof(hostileText({ surrogates: false, cards: false }), fc.integer({ min: 51, max: 500 }).map((n) => "p".repeat(n))).map((v) => q("provider", v)),
    fc.oneof(hostileText({ surrogates: false }), fc.integer({ min: 201, max: 900 }).map((n) => "o".repeat(n))).map((v) => q("owner", v)),
    fc
      .oneof(
        fc.tuple(fc.oneof(hostileText({ surrogates: false }), reservedKey, cardFieldName), fc.constant("v")),
        fc.tuple(fc.constant("trip"), fc.oneof(hostileText({ surrogates: false }), fc.integer({ min: 501, max: 590 }).map((n) => "r".repeat(n)))),
      )
      .map(([k, v]) => q("reference", `${k}:${v}`)),
    fc.constantFrom("reference=nocolon", "reference=:v", "reference=k:"),
    foreignCursor.map((cursor) => q("cursor", cursor)),
    fc.tuple(fc.constantFrom("from", "to"), impossibleDate).map(([field, date]) => q(field, date)),
    reversedWindow.map((w) => `${q("from", w.from)}&${q("to", w.to)}`),
    fc.constantFrom("0", "501", "-1", "1e2", "0x10", "5.0", " 5", "five", "").map((limit) => q("limit", limit)),
    fc.oneof(hostileText({ surrogates: false }), cardNumber, fc.constantFrom("__proto__", "constructor", "status[]", "a[b]")).map((name) => q(name, "1")),
    fc.constantFrom("status=pending&status=failed", "limit=1&limit=2", "cursor=a&cursor=b", "status=bogus", "status=%00"),
  );
  const list = fc.tuple(listQuery, fc.constantFrom<Who>("owner", "admin")).map(([query, who]): Plan => ({ route: "GET /payments", method: "GET", path: `/payments?${query}`, who, mustRefuse: true }));
  const stats = fc
    .oneof(
      fc.tuple(fc.constantFrom("since", "until"), impossibleDate).map(([field, date]) => q(field, date)),
      reversedWindow.map((w) => `${q("since", w.from)}&${q("until", w.to)}`),
      fc.oneof(hostileText({ surrogates: false }), cardNumber, fc.constantFrom("__proto__", "from")).map((name) => q(name, "1")),
      fc.constant("since=2020-01-01&since=2021-01-01"),
    )
    .map((query): Plan => ({ route: "GET /stats", method: "GET", path: `/stats?${query}`, who: "admin", mustRefuse: true }));
  const disputes = fc.oneof(
    fc
      .oneof(
        fc.oneof(hostileText({ surrogates: false }), cardNumber, fc.constantFrom("open", "won,", ",lost", "won,,lost", "WON", "")).map((v) => q("status", v)),
        fc.tuple(fc.constantFrom("provider", "paymentId"), fc.oneof(hostileText({ surrogates: false, cards: false }), fc.integer({ min: 201, max: 500 }).map((n) => "d".repeat(n)))).map(([k, v]) => q(k, v)),
        fc.tuple(fc.constantFrom("openedFrom", "openedTo", "evidenceDueBefore"), impossibleDate).map(([field, date]) => q(field, date)),
        reversedWindow.map((w) => `${q("openedFrom", w.from)}&${q("openedTo", w.to)}`),
        foreignCursor.map((cursor) => q("cursor", cursor)),
        fc.oneof(hostileText({ surrogates: false }), cardNumber, fc.constantFrom("__proto__", "from", "owner", "disputed")).map((name) => q(name, "1")),
      )
      .map((query): Plan => ({ route: "GET /disputes", method: "GET", path: `/disputes?${query}`, who: "admin", mustRefuse: true })),
    // The queue is admin only: an owner is refused whatever the query (well formed or not).
    fc.oneof(fc.constant("status=needs_response"), foreignCursor.map((cursor) => q("cursor", cursor))).map((query): Plan => ({ route: "GET /disputes (owner)", method: "GET", path: `/disputes?${query}`, who: "owner", mustRefuse: true })),
    pathText.map((id): Plan => ({ route: "GET /disputes/:id (id)", method: "GET", path: `/disputes/${encodeAnyText(id)}`, who: "admin", mustRefuse: true })),
  );
  const fares = fc
    .oneof(
      fc.oneof(hostileText(), cardNumber, reservedKey, hugeText, fc.constant("")).map((tariff) => objectJson([["tariff", str(tariff)], ["distanceMeters", "1000"], ["durationSeconds", "60"]])),
      badAmountJson.filter((raw) => raw !== "0").map((distance) => objectJson([["tariff", '"city"'], ["distanceMeters", distance], ["durationSeconds", "60"]])),
      fc.oneof(hostileText(), fc.constantFrom("1e400", "-1", "100", "abc")).map((surge) => objectJson([["tariff", '"city"'], ["distanceMeters", "1"], ["durationSeconds", "1"], ["surge", str(surge)]])),
      fc.oneof(cardNumber, hostileText(), reservedKey).map((extra) => objectJson([["tariff", '"city"'], ["distanceMeters", "1"], ["durationSeconds", "1"], [extra, "1"]])),
      badJsonBody,
    )
    .map((body): Plan => ({ route: "POST /fares/quote", method: "POST", path: "/fares/quote", who: "owner", key: null, body, mustRefuse: true }));
  const webhooks = fc.oneof(
    pathText.map((provider): Plan => ({ route: "POST /webhooks/:provider (provider)", method: "POST", path: `/webhooks/${encodeAnyText(provider)}`, who: "anonymous", key: null, body: "{}", mustRefuse: true })),
    fc
      .oneof(fc.string({ maxLength: 200 }), badJsonBody, cardNumber.map((card) => objectJson([["card", str(card)], ["cvc", '"737"']])))
      .map((body): Plan => ({ route: "POST /webhooks/simulated (unsigned)", method: "POST", path: "/webhooks/simulated", who: "anonymous", key: null, body, mustRefuse: true })),
  );
  const unknownRoutes = fc
    .tuple(pathText, fc.constantFrom<Plan["method"]>("GET", "POST"))
    .map(([segment, method]): Plan => ({ route: "unknown route", method, path: `/${encodeAnyText(segment)}/x`, who: "owner", key: null, mustRefuse: true }));
  const harmless = fc
    .tuple(fc.constantFrom("/health", "/health/live", "/health/ready", "/metrics", "/openapi.json", "/payment-methods"), fc.oneof(hostileText({ surrogates: false }), cardNumber, foreignCursor))
    .map(([path, value]): Plan => ({ route: `GET ${path}`, method: "GET", path: `${path}?${q("cursor", value)}&${q(value, "1")}`, who: "owner", mustRefuse: false }));

  return fc.oneof(create, createWithoutGoodKey, unauthenticated, confirm, wrongState, capture, cancel, refund, idRoutes, receipt, list, stats, disputes, fares, webhooks, unknownRoutes, harmless);
}

describe.each<StoreKind>(["sqlite", "postgres"])("generated hostile requests against every route on %s", (kind) => {
  let server: TestServer;
  let tokens: { owner: string; admin: string };
  let seeds: Seeds;
  const logs = captureLogs();
  const cardsSent = new Set<string>();
  /** Requests that reached the router (Node itself answers 431 to a request line over 16 KiB). */
  let reachedRouter = 0;
  let keySeq = 0;

  async function send(plan: Plan) {
    const headers: Record<string, string> = {};
    const authorization = plan.authorization ?? (plan.who === "anonymous" ? undefined : `Bearer ${tokens[plan.who]}`);
    if (authorization) headers.authorization = authorization;
    if (plan.method === "POST" && plan.key !== null) headers["idempotency-key"] = plan.key ?? `hostile-${kind}-${++keySeq}`;
    if (plan.body !== undefined) headers["content-type"] = "application/json";
    return call(server, plan.method, plan.path, { headers, rawBody: plan.body });
  }

  beforeAll(async () => {
    server = await startServer(kind, { logger: logs.logger });
    tokens = { owner: await token("alice"), admin: await token("ops", { admin: true }) };
    const post = async (path: string, who: "owner" | "admin", body: unknown) => {
      const result = await call(server, "POST", path, { token: tokens[who], key: `seed-${++keySeq}`, body });
      expect(result.status, `${path} ${result.text}`).toBeLessThan(300);
      return result.json;
    };
    const pending = await post("/payments", "owner", { amount: 5000, currency: "USD", references: { trip: "T-1" } });
    const paid = await post("/payments", "owner", { amount: 5000, currency: "USD" });
    await post(`/payments/${paid.id}/confirm`, "owner", { paymentMethodId: "pm_card_visa" });
    await post(`/payments/${paid.id}/refunds`, "admin", { amount: 100, reason: "seed" });
    const manual = await post("/payments", "owner", { amount: 5000, currency: "USD", captureMethod: "manual" });
    await post(`/payments/${manual.id}/confirm`, "owner", { paymentMethodId: "pm_card_visa" });
    seeds = { pending: pending.id, succeeded: paid.id, authorized: manual.id };
  });
  afterAll(async () => server?.close());

  it(`answers ${RUNS} generated bad requests with 4xx, changes nothing, echoes no card data`, async () => {
    const before = await storeSnapshot(server.store);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(plans(seeds), async (plan) => {
        seen.set(plan.route.replace(/ \(.*\)$/, ""), (seen.get(plan.route.replace(/ \(.*\)$/, "")) ?? 0) + 1);
        for (const match of `${plan.path} ${plan.body ?? ""} ${plan.key ?? ""} ${plan.authorization ?? ""}`.matchAll(/\d(?:[ -]?\d){12,18}/g)) cardsSent.add(match[0].replace(/[ -]/g, ""));
        const result = await send(plan);
        if (result.status !== 431) reachedRouter++;
        const where = `${plan.route}: ${plan.method} ${plan.path.slice(0, 200)} ${plan.body?.slice(0, 200) ?? ""} → ${result.status} ${result.text.slice(0, 300)}`;
        expect(result.status, where).toBeLessThan(500);
        if (plan.mustRefuse) expect(result.status, where).toBeGreaterThanOrEqual(400);
        if (result.status >= 400) expect(maskCardNumbers(result.text), where).toBe(result.text);
        expect(await storeSnapshot(server.store), where).toBe(before);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Every route family was exercised (the generator is not quietly stuck on a few).
    expect(seen.size).toBeGreaterThanOrEqual(14);
  });

  it("logged no card number, card field or bearer token while doing so", () => {
    // One request line per request the router saw: the check below read them all.
    expect(logs.lines.filter((line) => line.includes('"msg":"request"')).length).toBeGreaterThanOrEqual(reachedRouter);
    const findings = logs.lines.flatMap((line) => sensitiveFindings(line, [tokens.owner, tokens.admin]).map((finding) => `${finding}: ${line.slice(0, 300)}`));
    expect(findings).toEqual([]);
    const text = logs.text();
    for (const digits of cardsSent) if (containsCardNumber(digits)) expect(text).not.toContain(digits);
  });
});
