import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, TARIFFS, type TestServer, startServer, token } from "./server-harness.js";

/*
 * PATCH /payments/:id and POST /fares/cancellation-quote over HTTP on both SQL stores; every response is checked
 * against the served OpenAPI document (status, body, documented headers).
 */
describe.each<StoreKind>(["sqlite", "postgres"])("updating payments and quoting cancellations over HTTP on %s", (kind) => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let alice: string;
  let bob: string;
  let admin: string;
  let seq = 0;
  const key = () => `upd-${kind}-${++seq}`;


  async function created(owner: string, body: Record<string, unknown> = {}) {
    const result = await api("POST", "/payments", { token: owner, key: key(), body: { amount: 2500, currency: "USD", metadata: { seat: "12A", team: "ops" }, ...body } });
    expect(result.status).toBe(201);
    return result.json;
  }

  beforeAll(async () => {
    server = await startServer(kind, { tariffs: { city: { ...TARIFFS.city, cancellationFee: 500 } } });
    api = await validatedCaller(server);
    alice = await token("alice");
    bob = await token("bob");
    admin = await token("ops", { admin: true });
  });
  afterAll(async () => server?.close());

  it("PATCH changes a pending payment with merge-patch metadata, replays under the same key, and is documented", async () => {
    const payment = await created(alice);
    const body = { amount: 3100, description: "to the airport", metadata: { seat: null, gate: "B7" } };
    const patchKey = key();
    const updated = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: patchKey, body });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ amount: 3100, description: "to the airport", metadata: { team: "ops", gate: "B7" }, version: payment.version + 1 });
    expect(updated.json.metadata).not.toHaveProperty("seat");
    expect(updated.headers.get("idempotent-replayed")).toBeNull();
    const replay = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: patchKey, body });
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).toEqual(updated.json);
    expect((await api("GET", `/payments/${payment.id}`, { token: alice })).json).toEqual(updated.json);
    // RFC 7396's own media type is read the same way.
    const merged = await api("PATCH", `/payments/${payment.id}`, {
      token: admin,
      key: key(),
      body: { metadata: { team: null } },
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(merged.status).toBe(200);
    expect(merged.json.metadata).toEqual({ gate: "B7" });
  });

  it("after confirmation PATCH changes description and metadata and answers 409 payment_not_editable to a new amount, changing nothing", async () => {
    const payment = await created(alice);
    await api("POST", `/payments/${payment.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    const noted = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: key(), body: { description: "lost umbrella", metadata: { desk: "Z" } } });
    expect(noted.status).toBe(200);
    expect(noted.json).toMatchObject({ status: "succeeded", description: "lost umbrella", metadata: { seat: "12A", team: "ops", desk: "Z" } });
    const refused = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: key(), body: { amount: 9000, description: "more" } });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "payment_not_editable" });
    expect((await api("GET", `/payments/${payment.id}`, { token: admin })).json).toEqual(noted.json);
  });

  it("PATCH refuses unknown fields (400), a missing Idempotency-Key (400), owners by default (403), other owners' payments (404)", async () => {
    const payment = await created(alice);
    const unknown = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: key(), body: { status: "succeeded" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("validation_error");
    const float = await api("PATCH", `/payments/${payment.id}`, { token: admin, key: key(), body: { amount: 10.5 } });
    expect(float.json.error.code).toBe("invalid_amount");
    const noKey = await api("PATCH", `/payments/${payment.id}`, { token: admin, body: { description: "x" } });
    expect(noKey.status).toBe(400);
    expect(noKey.json.error.details).toMatchObject({ header: "Idempotency-Key" });
    const owner = await api("PATCH", `/payments/${payment.id}`, { token: alice, key: key(), body: { amount: 1 } });
    expect(owner.status).toBe(403);
    const stranger = await api("PATCH", `/payments/${payment.id}`, { token: bob, key: key(), body: { description: "x" } });
    expect(stranger.status).toBe(404);
    expect((await api("GET", `/payments/${payment.id}`, { token: alice })).json).toEqual(payment);
  });

  it("POST /fares/cancellation-quote itemizes the tariff's cancellation fee with tax; an unknown tariff is 404, an unknown field 400", async () => {
    const quote = await api("POST", "/fares/cancellation-quote", { token: alice, body: { tariff: "city" } });
    expect(quote.status).toBe(200);
    expect(quote.json).toMatchObject({ tariff: "city", currency: "USD", subtotal: 500, tax: 44, total: 544 });
    expect(quote.json.lines.map((l: { code: string }) => l.code)).toEqual(["cancellation_fee", "tax"]);
    expect((await api("POST", "/fares/cancellation-quote", { token: alice, body: { tariff: "nowhere" } })).status).toBe(404);
    const extra = await api("POST", "/fares/cancellation-quote", { token: alice, body: { tariff: "city", distanceMeters: 1 } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.code).toBe("validation_error");
    expect((await api("POST", "/fares/cancellation-quote", { body: { tariff: "city" } })).status).toBe(401);
  });
});
