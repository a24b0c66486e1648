import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";

describe.each<StoreKind>(["sqlite", "postgres"])("payments router over HTTP on %s", (kind) => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let alice: string;
  let bob: string;
  let admin: string;
  let seq = 0;
  const key = () => `key-${kind}-${++seq}`;


  async function paid(owner: string, amount = 5000) {
    const created = await api("POST", "/payments", { token: owner, key: key(), body: { amount, currency: "USD" } });
    const confirmed = await api("POST", `/payments/${created.json.id}/confirm`, { token: owner, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    return confirmed.json;
  }

  beforeAll(async () => {
    server = await startServer(kind);
    api = await validatedCaller(server);
    alice = await token("alice");
    bob = await token("bob");
    admin = await token("ops", { admin: true });
  });
  afterAll(async () => server?.close());

  it("serves every route's happy path", async () => {
    const quote = await api("POST", "/fares/quote", { token: alice, body: { tariff: "city", distanceMeters: 5400, durationSeconds: 780 } });
    expect(quote.status).toBe(200);
    expect(quote.json.total).toBe(1508);

    const created = await api("POST", "/payments", {
      token: alice,
      key: key(),
      body: { amount: quote.json.total, currency: "USD", lineItems: quote.json.lines, references: { trip: "T-1" } },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ owner: "alice", status: "pending", amount: 1508 });
    const id = created.json.id as string;

    expect((await api("GET", `/payments/${id}`, { token: alice })).json.id).toBe(id);
    const confirmed = await api("POST", `/payments/${id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    expect(confirmed.json).toMatchObject({ status: "succeeded", amountCaptured: 1508 });

    const refund = await api("POST", `/payments/${id}/refunds`, { token: admin, key: key(), body: { amount: 500, reason: "detour" } });
    expect(refund.status).toBe(201);
    expect(refund.json.refund).toMatchObject({ amount: 500, status: "succeeded" });
    expect((await api("GET", `/payments/${id}/refunds`, { token: alice })).json.data).toHaveLength(1);

    const receipt = await api("GET", `/payments/${id}/receipt`, { token: alice });
    expect(receipt.json).toMatchObject({ total: 1508, amountRefunded: 500, netPaid: 1008 });
    const text = await api("GET", `/payments/${id}/receipt?format=text`, { token: alice });
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(text.text).toContain(receipt.json.number);
    const html = await api("GET", `/payments/${id}/receipt?format=html`, { token: alice });
    expect(html.text).toMatch(/^<!doctype html>/);

    const manual = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 3000, currency: "USD", captureMethod: "manual" } });
    await api("POST", `/payments/${manual.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    const captured = await api("POST", `/payments/${manual.json.id}/capture`, { token: admin, key: key(), body: { amount: 2000 } });
    expect(captured.json).toMatchObject({ status: "succeeded", amountCaptured: 2000 });

    const pending = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 100, currency: "USD" } });
    const canceled = await api("POST", `/payments/${pending.json.id}/cancel`, { token: alice, key: key(), body: {} });
    expect(canceled.json.status).toBe("canceled");

    const list = await api("GET", "/payments?limit=2", { token: alice });
    expect(list.json.data).toHaveLength(2);
    expect(list.json.nextCursor).toBeTruthy();
    const next = await api("GET", `/payments?limit=2&cursor=${list.json.nextCursor}`, { token: alice });
    expect(next.json.data.length).toBeGreaterThan(0);
    expect((await api("GET", "/payments?reference=trip:T-1", { token: admin })).json.data.map((p: any) => p.id)).toEqual([id]);

    const stats = await api("GET", "/stats", { token: admin });
    expect(stats.json.byStatus.partially_refunded).toBeGreaterThanOrEqual(1);
    const methods = await api("GET", "/payment-methods", { token: alice });
    expect(methods.json.providers[0].testPaymentMethods).toContain("pm_card_visa");

    for (const path of ["/health", "/health/live", "/health/ready"]) expect((await api("GET", path)).status).toBe(200);
    const metrics = await call(server, "GET", "/metrics");
    // An ordinary instance: no store-derived gauges (only the designated exporter serves them), its own metrics only.
    expect(metrics.text).not.toContain("payments_store_");
    expect(metrics.text).toMatch(/^payments_operation_duration_seconds_count\{operation="refund",outcome="ok"\} 1$/m);
    expect(metrics.text).toContain("payments_http_request_duration_seconds");
    expect(metrics.text).toContain('payments_operations_total{operation="refund",outcome="ok"}');
  });

  it("declines answer 402 with the card code; 3-D Secure resumes by a second confirm", async () => {
    const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 700, currency: "USD" } });
    const declined = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa_chargeDeclined" } });
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({ code: "card_declined", declineCode: "generic_decline" });

    const threeDs = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 700, currency: "USD" } });
    const action = await api("POST", `/payments/${threeDs.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_authenticationRequired" } });
    expect(action.json).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    server.gateway.completeAction(action.json.providerPaymentId);
    const resumed = await api("POST", `/payments/${threeDs.json.id}/confirm`, { token: alice, key: key(), body: {} });
    expect(resumed.json.status).toBe("succeeded");
  });

  it("replays a stored response byte for byte with Idempotent-Replayed, and refuses a reused key with other parameters", async () => {
    const k = key();
    const first = await api("POST", "/payments", { token: alice, key: k, body: { amount: 1234, currency: "EUR" } });
    const second = await api("POST", "/payments", { token: alice, key: k, body: { currency: "EUR", amount: 1234 } });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const reused = await api("POST", "/payments", { token: alice, key: k, body: { amount: 1235, currency: "EUR" } });
    expect(reused.status).toBe(422);
    expect(reused.json.error.code).toBe("idempotency_key_reused");
    // error outcomes replay byte for byte too
    const p = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 100, currency: "USD" } });
    const dk = key();
    const d1 = await api("POST", `/payments/${p.json.id}/confirm`, { token: alice, key: dk, body: { paymentMethodId: "pm_card_chargeDeclinedExpiredCard" } });
    const d2 = await api("POST", `/payments/${p.json.id}/confirm`, { token: alice, key: dk, body: { paymentMethodId: "pm_card_chargeDeclinedExpiredCard" } });
    expect([d1.status, d2.status]).toEqual([402, 402]);
    expect(d2.text).toBe(d1.text);
    expect(d2.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a cancel after the payment moved on, instead of re-deciding who may cancel", async () => {
    const pending = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 300, currency: "USD" } });
    const k = key();
    const first = await api("POST", `/payments/${pending.json.id}/cancel`, { token: alice, key: k, body: {} });
    const again = await api("POST", `/payments/${pending.json.id}/cancel`, { token: alice, key: k, body: {} });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const authorized = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 300, currency: "USD", captureMethod: "manual" } });
    await api("POST", `/payments/${authorized.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    const ownerCancel = await api("POST", `/payments/${authorized.json.id}/cancel`, { token: alice, key: key(), body: {} });
    expect(ownerCancel.status).toBe(403);
    const adminCancel = await api("POST", `/payments/${authorized.json.id}/cancel`, { token: admin, key: key(), body: {} });
    expect(adminCancel.json.status).toBe("canceled");
  });

  it("requires an Idempotency-Key of 1–255 characters on state-changing POSTs", async () => {
    for (const k of [undefined, "", "x".repeat(256)]) {
      const result = await api("POST", "/payments", { token: alice, key: k, body: { amount: 100, currency: "USD" } });
      expect(result.status).toBe(400);
      expect(result.json.error.code).toBe("validation_error");
    }
    expect((await api("POST", "/payments", { token: alice, key: "x".repeat(255), body: { amount: 100, currency: "USD" } })).status).toBe(201);
  });

  it("50 concurrent same-key POSTs make one payment and one gateway charge; the rest are identical replays or 409", async () => {
    const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 999, currency: "USD" } });
    const id = created.json.id as string;
    const k = key();
    server.gateway.injectFault({ kind: "delay", ms: 50, operation: "createPayment" });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => api("POST", `/payments/${id}/confirm`, { token: alice, key: k, body: { paymentMethodId: "pm_card_visa" } })),
    );
    expect(server.gateway.chargesFor(id)).toBe(1);
    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 409);
    expect(ok.length + busy.length).toBe(50);
    expect(ok.filter((r) => r.headers.get("idempotent-replayed") !== "true")).toHaveLength(1);
    for (const r of ok) expect(r.text).toBe(ok[0]!.text);
    for (const r of busy) {
      expect(r.json.error.code).toBe("idempotency_key_in_use");
      expect(r.headers.get("retry-after")).toBeTruthy();
    }
    const concurrentCreates = await Promise.all(
      Array.from({ length: 50 }, () => api("POST", "/payments", { token: bob, key: "bob-once", body: { amount: 42, currency: "USD" } })),
    );
    const createdIds = new Set(concurrentCreates.filter((r) => r.status === 201).map((r) => r.json.id));
    expect(createdIds.size).toBe(1);
    const bobs = await api("GET", "/payments?limit=500", { token: bob });
    expect(bobs.json.data.filter((p: any) => p.amount === 42)).toHaveLength(1);
  });

  it("refuses a corpus of bad bodies with 4xx and changes nothing in the database", async () => {
    const before = (await server.store.listPayments({}, { limit: 500 })).items.length;
    const corpus: Array<{ name: string; body?: unknown; raw?: string; status: number; code: string }> = [
      { name: "float", body: { amount: 10.5, currency: "USD" }, status: 400, code: "invalid_amount" },
      { name: "string", body: { amount: "1000", currency: "USD" }, status: 400, code: "invalid_amount" },
      { name: "negative", body: { amount: -1, currency: "USD" }, status: 400, code: "invalid_amount" },
      { name: "zero", body: { amount: 0, currency: "USD" }, status: 400, code: "invalid_amount" },
      { name: "unsafe", raw: '{"amount":9007199254740993,"currency":"USD"}', status: 400, code: "invalid_amount" },
      { name: "exponent", raw: '{"amount":1e3,"currency":"USD"}', status: 201, code: "" },
      { name: "unknown currency", body: { amount: 100, currency: "XYZ" }, status: 400, code: "validation_error" },
      { name: "extra field", body: { amount: 100, currency: "USD", status: "succeeded" }, status: 400, code: "validation_error" },
      { name: "owner smuggled", body: { amount: 100, currency: "USD", owner: "bob" }, status: 400, code: "validation_error" },
      { name: "wrong type", body: { amount: 100, currency: 840 }, status: 400, code: "validation_error" },
      { name: "array", body: [{ amount: 100 }], status: 400, code: "validation_error" },
      { name: "malformed", raw: '{"amount": 100,', status: 400, code: "validation_error" },
      { name: "oversized", raw: JSON.stringify({ amount: 100, currency: "USD", description: "x".repeat(40_000) }), status: 413, code: "payload_too_large" },
    ];
    let created = 0;
    for (const bad of corpus) {
      const result = await api("POST", "/payments", { token: alice, key: key(), body: bad.body, rawBody: bad.raw });
      expect(result.status, bad.name).toBe(bad.status);
      if (bad.status === 201) created++;
      else expect(result.json.error.code, bad.name).toBe(bad.code);
      expect(result.text, bad.name).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    expect((await server.store.listPayments({}, { limit: 500 })).items.length).toBe(before + created);
  });

  it("answers 404 for another owner's payment on every id route", async () => {
    const mine = await paid("alice" === "alice" ? alice : bob);
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/payments/${mine.id}`],
      ["POST", `/payments/${mine.id}/confirm`, {}],
      ["POST", `/payments/${mine.id}/cancel`, {}],
      ["POST", `/payments/${mine.id}/capture`, {}],
      ["POST", `/payments/${mine.id}/refunds`, { reason: "x" }],
      ["GET", `/payments/${mine.id}/refunds`],
      ["GET", `/payments/${mine.id}/receipt`],
    ];
    for (const [method, path, body] of routes) {
      const result = await api(method, path, { token: bob, key: method === "POST" ? key() : undefined, body });
      expect(result.status, `${method} ${path}`).toBe(404);
      expect(result.json.error.code).toBe("not_found");
    }
    expect((await api("GET", "/payments/pay_does_not_exist", { token: bob })).status).toBe(404);
  });

  it("answers 403 when an owner attempts admin actions", async () => {
    const mine = await paid(alice);
    const attempts: Array<[string, string, unknown?]> = [
      ["POST", `/payments/${mine.id}/refunds`, { reason: "self-service" }],
      ["POST", `/payments/${mine.id}/capture`, {}],
      ["GET", "/stats"],
      ["GET", "/payments?owner=bob"],
    ];
    for (const [method, path, body] of attempts) {
      const result = await api(method, path, { token: alice, key: method === "POST" ? key() : undefined, body });
      expect(result.status, `${method} ${path}`).toBe(403);
      expect(result.json.error.code).toBe("forbidden");
    }
    expect((await server.service.getPayment(mine.id)).amountRefunded).toBe(0);
    // an owner may cancel only what has not moved money
    const cancel = await api("POST", `/payments/${mine.id}/cancel`, { token: alice, key: key(), body: {} });
    expect(cancel.status).toBe(403);
  });

  it("lists only the caller's own payments unless admin", async () => {
    await paid(bob, 1111);
    const alices = await api("GET", "/payments?limit=500", { token: alice });
    expect(alices.json.data.every((p: any) => p.owner === "alice")).toBe(true);
    const all = await api("GET", "/payments?limit=500", { token: admin });
    expect(new Set(all.json.data.map((p: any) => p.owner))).toEqual(new Set(["alice", "bob"]));
    expect((await api("GET", "/payments?limit=0", { token: alice })).status).toBe(400);
    expect((await api("GET", "/payments?bogus=1", { token: alice })).status).toBe(400);
  });

  it("applies signed provider webhooks once and rejects bad signatures", async () => {
    const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 800, currency: "USD" } });
    const action = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_authenticationRequired" } });
    server.gateway.completeAction(action.json.providerPaymentId);
    await server.gateway.resumePayment({ paymentId: created.json.id, providerPaymentId: action.json.providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: "provider-side" });
    const event = server.gateway.webhookFor(action.json.providerPaymentId);
    // Ten deliveries of one event at once: each stored-or-found, exactly one applied, all acknowledged.
    const deliveries = await Promise.all(Array.from({ length: 10 }, () => api("POST", "/webhooks/simulated", { rawBody: event.rawBody, headers: event.headers })));
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill(200));
    expect(deliveries.map((d) => d.json.status).sort()).toEqual(["applied", ...Array(9).fill("duplicate")]);
    const again = await api("POST", "/webhooks/simulated", { rawBody: event.rawBody, headers: event.headers });
    expect(again.json.status).toBe("duplicate");
    const history = await server.store.listHistory(created.json.id);
    expect(history.filter((h) => h.to === "succeeded")).toHaveLength(1);
    const events = await server.store.listOutbox({ paymentId: created.json.id, limit: 100 });
    expect(events.filter((e) => e.event.type === "payment.succeeded")).toHaveLength(1);
    expect((await api("GET", `/payments/${created.json.id}`, { token: alice })).json.status).toBe("succeeded");
    const tampered = await api("POST", "/webhooks/simulated", { rawBody: event.rawBody.replace("800", "801"), headers: event.headers });
    expect(tampered.status).toBe(400);
    expect(tampered.json.error.code).toBe("webhook_signature_invalid");
    expect((await api("POST", "/webhooks/nope", { rawBody: "{}" })).status).toBe(404);
  });
});
