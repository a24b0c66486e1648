import { SimulatedGateway } from "@org/payments-core/simulated";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";

/** Every store the router is served over: the memory store, and both SQL stores as the existing suites run them. */
const STORES: StoreKind[] = ["memory", "sqlite", "postgres"];

/**
 * Disputes over HTTP, driven as a provider would: the simulated gateway opens and moves a dispute and signs its
 * webhook, which is POSTed to the router; then the routes read what was recorded. Every response is checked against
 * the served OpenAPI document.
 */
describe.each<StoreKind>(STORES)("disputes over HTTP on %s", (kind) => {
  let server: TestServer;
  let api: ValidatedCall;
  /** A second provider, so the provider filter has something to tell apart. */
  const other = new SimulatedGateway({ provider: "othersim" });
  let alice: string;
  let bob: string;
  let admin: string;
  let seq = 0;
  const key = () => `disputes-${kind}-${++seq}`;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

  /** A captured payment of `owner`'s, named by its provider. */
  const paid = async (owner: string, amount: number, currency: string, provider?: string): Promise<any> => {
    const created = await api("POST", "/payments", { token: owner, key: key(), body: { amount, currency, ...(provider ? { provider } : {}) } });
    expect(created.status, created.text).toBe(201);
    const confirmed = await api("POST", `/payments/${created.json.id}/confirm`, { token: owner, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    expect(confirmed.json.status, confirmed.text).toBe("succeeded");
    return confirmed.json;
  };

  /** The provider's webhook for the dispute as it stands, delivered to the router and applied. */
  const deliver = async (gateway: SimulatedGateway, providerDisputeId: string, type?: string) => {
    const { rawBody, headers } = gateway.disputeWebhookFor(providerDisputeId, type);
    const delivered = await api("POST", `/webhooks/${gateway.provider}`, { rawBody, headers });
    expect(delivered.status, delivered.text).toBe(200);
    expect(delivered.json.status, delivered.text).toBe("applied");
  };

  /** Opens a dispute at the provider, moves it through `moves`, delivering each step; answers our record of it. */
  const dispute = async (payment: any, options: Parameters<SimulatedGateway["openDispute"]>[1] = {}, moves: Parameters<SimulatedGateway["moveDispute"]>[1][] = []) => {
    const gateway = payment.provider === other.provider ? other : server.gateway;
    const providerDisputeId = gateway.openDispute(payment.providerPaymentId, options);
    await deliver(gateway, providerDisputeId, "dispute.created");
    for (const status of moves) {
      gateway.moveDispute(providerDisputeId, status);
      await deliver(gateway, providerDisputeId);
    }
    const listed = await api("GET", `/payments/${payment.id}/disputes`, { token: admin });
    const found = listed.json.data.find((d: any) => d.providerDisputeId === providerDisputeId);
    expect(found, listed.text).toBeDefined();
    await pause(); // distinct openedAt instants, so the window filters have something to split
    return found;
  };

  let p1: any, p2: any, p3: any, p4: any;
  /** d1: p1 needs_response; d2: p2 an EUR inquiry of 500; d3: p3 (bob's) lost; d4: p1 again, won; d5: another provider. */
  let d1: any, d2: any, d3: any, d4: any, d5: any;

  beforeAll(async () => {
    server = await startServer(kind, {}, { gateways: [other] });
    api = await validatedCaller(server);
    alice = await token("alice");
    bob = await token("bob");
    admin = await token("ops", { admin: true });
    p1 = await paid(alice, 1000, "USD");
    p2 = await paid(alice, 2000, "EUR");
    p3 = await paid(bob, 3000, "USD");
    p4 = await paid(bob, 4000, "USD", other.provider);
    d1 = await dispute(p1);
    d2 = await dispute(p2, { inquiry: true, amount: 500, reason: "product_not_received" });
    d3 = await dispute(p3, {}, ["under_review", "lost"]);
    d4 = await dispute(p1, { amount: 250, reason: "duplicate" }, ["under_review", "won"]);
    d5 = await dispute(p4);
  });
  afterAll(async () => server?.close());

  const ids = (...disputes: any[]) => disputes.map((d) => d.id as string);
  const listed = async (query: string): Promise<string[]> => {
    const answer = await api("GET", `/disputes?limit=500&${query}`, { token: admin });
    expect(answer.status, `${query}: ${answer.text}`).toBe(200);
    return (answer.json.data as any[]).map((d) => d.id as string);
  };

  it("shows the owner their payment's disputes, oldest first, each with its status history", async () => {
    const mine = await api("GET", `/payments/${p1.id}/disputes`, { token: alice });
    expect(mine.status).toBe(200);
    expect(ids(...mine.json.data)).toEqual(ids(d1, d4));
    expect(mine.json.data[0]).toMatchObject({ paymentId: p1.id, provider: "simulated", amount: 1000, currency: "USD", status: "needs_response", reason: "fraudulent", closedAt: null });
    expect(mine.json.data[0].evidenceDueBy).toEqual(expect.any(String));
    expect(mine.json.data[1]).toMatchObject({ amount: 250, status: "won", reason: "duplicate", evidenceDueBy: null });
    expect(mine.json.data[1].statusHistory.map((h: any) => h.status)).toEqual(["needs_response", "under_review", "won"]);
    expect(mine.json.data[1].closedAt).toEqual(expect.any(String));
    // The flag on the payment says a dispute exists; its status is the payment's own, unchanged.
    expect((await api("GET", `/payments/${p1.id}`, { token: alice })).json).toMatchObject({ disputed: true, status: "succeeded" });
    expect((await api("GET", `/payments/${p2.id}/disputes`, { token: admin })).json.data).toEqual([d2]);
  });

  it("answers another owner's payment with the same 404 as its refunds, and a missing payment with 404", async () => {
    const others = await api("GET", `/payments/${p1.id}/disputes`, { token: bob });
    expect(others.status).toBe(404);
    expect(others.json.error.code).toBe("not_found");
    // Byte for byte the answer of the refunds route, so neither tells a caller more than the other.
    expect(others.json).toEqual((await api("GET", `/payments/${p1.id}/refunds`, { token: bob })).json);
    expect((await api("GET", `/payments/${p3.id}/disputes`, { token: alice })).status).toBe(404);
    const missing = await api("GET", "/payments/pay_missing/disputes", { token: alice });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
    expect((await api("GET", `/payments/${encodeURIComponent("pay_\u0001")}/disputes`, { token: alice })).status).toBe(404);
    expect((await api("GET", `/payments/${p1.id}/disputes`)).status).toBe(401);
  });

  it("lists every dispute newest first for an admin, and each filter changes the result", async () => {
    expect(await listed("")).toEqual(ids(d5, d4, d3, d2, d1));
    expect(await listed("status=needs_response")).toEqual(ids(d5, d1));
    expect(await listed("status=lost,won")).toEqual(ids(d4, d3));
    expect(await listed("status=warning_needs_response")).toEqual(ids(d2));
    expect(await listed(`provider=${other.provider}`)).toEqual(ids(d5));
    expect(await listed("provider=simulated")).toEqual(ids(d4, d3, d2, d1));
    expect(await listed(`paymentId=${p1.id}`)).toEqual(ids(d4, d1));
    expect(await listed("paymentId=pay_missing")).toEqual([]);
    // Upper-cased as the payments list does: a code in any case names the stored one.
    expect(await listed("currency=eur")).toEqual(ids(d2));
    expect(await listed("currency=USD")).toEqual(ids(d5, d4, d3, d1));
    const at = (d: any) => encodeURIComponent(d.openedAt);
    expect(await listed(`openedFrom=${at(d3)}`)).toEqual(ids(d5, d4, d3));
    expect(await listed(`openedTo=${at(d3)}`)).toEqual(ids(d2, d1));
    expect(await listed(`openedFrom=${at(d2)}&openedTo=${at(d4)}`)).toEqual(ids(d3, d2));
    // Evidence due soonest first in the queue: d1's deadline is the earliest, moved disputes take none.
    const justAfter = (iso: string) => encodeURIComponent(new Date(Date.parse(iso) + 1).toISOString());
    expect(await listed(`evidenceDueBefore=${justAfter(d1.evidenceDueBy)}`)).toEqual(ids(d1));
    expect(await listed(`evidenceDueBefore=${encodeURIComponent(d1.evidenceDueBy)}`)).toEqual([]);
    expect(await listed(`evidenceDueBefore=${justAfter(d5.evidenceDueBy)}`)).toEqual(ids(d5, d2, d1));
    // Filters combine.
    expect(await listed("status=needs_response&provider=simulated&currency=usd")).toEqual(ids(d1));
  });

  it("pages the list with limit and cursor, and refuses a cursor it did not issue", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await api("GET", `/disputes?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token: admin });
      expect(page.status, page.text).toBe(200);
      expect(page.json.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.data.map((d: any) => d.id));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids(d5, d4, d3, d2, d1));
    for (const bad of ["garbage", "eyJpZCI6MX0", `${"c".repeat(5000)}`, "a b"]) {
      const refused = await api("GET", `/disputes?cursor=${encodeURIComponent(bad)}`, { token: admin });
      expect(refused.status, bad).toBe(400);
      expect(refused.json.error.code, bad).toBe("invalid_cursor");
    }
  });

  it("refuses an unknown parameter, a bad status, a bad instant or window, naming it, with 400 validation_error", async () => {
    const unknown = await api("GET", "/disputes?state=won", { token: admin });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("validation_error");
    expect(unknown.json.error.details.issues).toEqual([{ path: "state", message: "is not a parameter of this route" }]);
    for (const [query, field] of [
      ["status=open", "status"],
      ["status=won,", "status"],
      ["status=", "status"],
      ["status=won,,lost", "status"],
      ["openedFrom=2026-02-30", "openedFrom"],
      ["openedTo=yesterday", "openedTo"],
      ["openedFrom=2026-03-02&openedTo=2026-03-01", "openedFrom"],
      ["evidenceDueBefore=2026-13-01", "evidenceDueBefore"],
      ["currency=EURO", "currency"],
      ["limit=0", "limit"],
      ["limit=501", "limit"],
      [`paymentId=${encodeURIComponent("pay_\u0000")}`, "paymentId"],
      ["status=won&status=lost", "status"],
    ] as const) {
      const refused = await api("GET", `/disputes?${query}`, { token: admin });
      expect(refused.status, query).toBe(400);
      expect(refused.json.error.code, query).toBe("validation_error");
      expect(JSON.stringify(refused.json.error.details), query).toContain(field);
    }
  });

  it("keeps the list and a single dispute to admins: 403 for an owner, whatever the query", async () => {
    for (const path of ["/disputes", "/disputes?state=won", `/disputes?paymentId=${p1.id}`, `/disputes/${d1.id}`, "/disputes/dp_missing"]) {
      const refused = await api("GET", path, { token: alice });
      expect(refused.status, path).toBe(403);
      expect(refused.json.error.code, path).toBe("forbidden");
    }
    expect((await api("GET", "/disputes")).status).toBe(401);
    expect((await api("GET", `/disputes/${d1.id}`)).status).toBe(401);
  });

  it("answers one dispute by its id to an admin, 404 for an id no dispute has", async () => {
    const one = await api("GET", `/disputes/${d3.id}`, { token: admin });
    expect(one.status).toBe(200);
    expect(one.json).toEqual(d3);
    expect(one.json).toMatchObject({ paymentId: p3.id, status: "lost", evidenceDueBy: null });
    expect(one.json.statusHistory.map((h: any) => h.status)).toEqual(["needs_response", "under_review", "lost"]);
    for (const id of ["dp_missing", encodeURIComponent("dp_\u0007"), "d".repeat(201), "4242424242424242"]) {
      const missing = await api("GET", `/disputes/${id}`, { token: admin });
      expect(missing.status, id).toBe(404);
      expect(missing.json.error.code, id).toBe("not_found");
    }
  });

  it("carries the disputes in /stats: counts per status and exact sums per currency as decimal strings", async () => {
    const stats = await api("GET", "/stats", { token: admin });
    expect(stats.status, stats.text).toBe(200);
    expect(stats.json.disputes.byStatus).toEqual({ needs_response: 2, warning_needs_response: 1, lost: 1, won: 1 });
    expect(stats.json.disputes.byCurrency).toEqual([
      { currency: "EUR", count: 1, disputed: "500", open: "500", won: "0", lost: "0" },
      // d1 1000 + d3 3000 + d4 250 + d5 4000; open: d1 and d5.
      { currency: "USD", count: 4, disputed: "8250", open: "5000", won: "250", lost: "3000" },
    ]);
    // A window before the disputes were opened holds none of them.
    const before = await api("GET", "/stats?until=2020-01-01", { token: admin });
    expect(before.json.disputes).toEqual({ byStatus: {}, byCurrency: [] });
    expect((await call(server, "GET", "/stats", { token: alice })).status).toBe(403);
  });
});

describe("dispute routes are rate limited as reads", () => {
  it("counts them in the read budget with its headers, and answers a documented 429 past it", async () => {
    const server = await startServer("memory", { rateLimit: { limits: { read: 3 } } });
    try {
      const api = await validatedCaller(server);
      const admin = await token("ops-limits", { admin: true });
      const first = await api("GET", "/disputes", { token: admin });
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-policy")).toContain('"read"');
      expect((await api("GET", "/disputes/dp_missing", { token: admin })).status).toBe(404);
      expect((await api("GET", "/payments/pay_missing/disputes", { token: admin })).status).toBe(404);
      for (const path of ["/disputes", "/disputes/dp_missing", "/payments/pay_missing/disputes"]) {
        const refused = await api("GET", path, { token: admin });
        expect(refused.status, path).toBe(429);
        expect(refused.json.error.code).toBe("rate_limited");
        expect(refused.headers.get("retry-after")).toEqual(expect.any(String));
      }
    } finally {
      await server.close();
    }
  });
});
