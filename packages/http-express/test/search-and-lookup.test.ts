import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, type TestServer, call, startServer, token } from "./server-harness.js";

/**
 * The list's search parameters and the lookup by a provider's id, over HTTP on both SQL stores, every response
 * checked against the served OpenAPI document.
 */
describe.each<StoreKind>(["sqlite", "postgres"])("search and provider-id lookup over HTTP on %s", (kind) => {
  let server: TestServer;
  /** Every response in this suite is checked against the served OpenAPI document. */
  let api: ValidatedCall;
  let alice: string;
  let bob: string;
  let admin: string;
  let seq = 0;
  const key = () => `search-${kind}-${++seq}`;
  const run = `${kind}_${Date.now().toString(36)}`;


  const ids = async (query: string, as = alice): Promise<string[]> => {
    const listed = await api("GET", `/payments?limit=500&${query}`, { token: as });
    expect(listed.status, JSON.stringify(listed.json)).toBe(200);
    return (listed.json.data as Array<{ id: string }>).map((p) => p.id).sort();
  };

  let small: any;
  let large: any;
  let euro: any;

  beforeAll(async () => {
    server = await startServer(kind);
    api = await validatedCaller(server);
    alice = await token("alice");
    bob = await token("bob");
    admin = await token("ops", { admin: true });
    const create = async (body: Record<string, unknown>) => (await api("POST", "/payments", { token: alice, key: key(), body })).json;
    small = await create({ amount: 999, currency: "USD", customerId: `cus_a_${run}`, customerEmail: `ana_${run}@example.com`, metadata: { channel: "app" } });
    large = await create({ amount: 5000, currency: "USD", customerId: `cus_b_${run}`, customerEmail: `bo_${run}@example.com`, metadata: { channel: "web" } });
    euro = await create({ amount: 1000, currency: "EUR", customerId: `cus_a_${run}`, customerEmail: `ana_${run}@example.com`, metadata: { channel: "web" } });
    // Confirmed: the provider has now named it, so it can be looked up by that id.
    large = (await api("POST", `/payments/${large.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } })).json;
  });
  afterAll(async () => server?.close());

  const sorted = (...payments: any[]) => payments.map((p) => p.id as string).sort();

  it("each search parameter narrows the list, and they combine", async () => {
    const mine = `customerId=cus_a_${run}`;
    expect(await ids(mine)).toEqual(sorted(small, euro));
    expect(await ids(`customerEmail=${encodeURIComponent(`bo_${run}@example.com`)}`)).toEqual(sorted(large));
    expect(await ids(`customerEmail=${encodeURIComponent(`Bo_${run}@example.com`)}`)).toEqual([]);
    expect(await ids(`${mine}&metadata=channel:web`)).toEqual(sorted(euro));
    // A currency code is matched in its stored (upper) case, whatever case the query used.
    expect(await ids(`${mine}&currency=eur`)).toEqual(sorted(euro));
    expect(await ids(`customerEmail=${encodeURIComponent(`ana_${run}@example.com`)}&amountMin=1000`)).toEqual(sorted(euro));
    expect(await ids(`${mine}&amountMax=999`)).toEqual(sorted(small));
    expect(await ids(`${mine}&amountMin=999&amountMax=1000`)).toEqual(sorted(small, euro));
    expect(await ids(`customerId=cus_b_${run}&disputed=false`)).toEqual(sorted(large));
    expect(await ids(`customerId=cus_b_${run}&disputed=true`)).toEqual([]);
    expect(await ids(`customerId=cus_b_${run}&updatedFrom=${encodeURIComponent(large.updatedAt)}`)).toEqual(sorted(large));
    expect(await ids(`customerId=cus_b_${run}&updatedTo=${encodeURIComponent(large.updatedAt)}`)).toEqual([]);
    // An owner's search stays inside their own payments; an admin's spans every owner.
    expect(await ids(mine, bob)).toEqual([]);
    expect(await ids(mine, admin)).toEqual(sorted(small, euro));
  });

  it("refuses a malformed or unknown search parameter with 400 validation_error, naming it", async () => {
    for (const query of [
      "amountMin=1.5",
      "amountMin=-1",
      "amountMax=1e3",
      "amountMin=99999999999999999",
      "amountMin=10&amountMax=9",
      "disputed=yes",
      "currency=EURO",
      "metadata=channel",
      "updatedFrom=2026-02-30",
      "updatedFrom=2026-03-02&updatedTo=2026-03-01",
      "customerID=cus_a",
      "providerPaymentId=pi_123",
    ]) {
      const refused = await api("GET", `/payments?${query}`, { token: alice });
      expect(refused.status, query).toBe(400);
      expect(refused.json.error.code, query).toBe("validation_error");
    }
  });

  it("looks a payment up by the provider's id, scoped to its owner like GET /payments/:id", async () => {
    expect(large.providerPaymentId).toEqual(expect.any(String));
    const path = `/payments/by-provider/${large.provider}/${encodeURIComponent(large.providerPaymentId)}`;
    const found = await api("GET", path, { token: alice });
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ id: large.id, providerPaymentId: large.providerPaymentId });
    expect((await api("GET", path, { token: admin })).json.id).toBe(large.id);
    // Another owner's payment is as missing as none: 404, never 403 (which would confirm it exists).
    const others = await api("GET", path, { token: bob });
    expect(others.status).toBe(404);
    expect(others.json.error.code).toBe("not_found");
    expect((await api("GET", `/payments/by-provider/stripe/${encodeURIComponent(large.providerPaymentId)}`, { token: alice })).status).toBe(404);
    expect((await api("GET", `/payments/by-provider/${large.provider}/pi_nothing_${run}`, { token: alice })).status).toBe(404);
    expect((await api("GET", `/payments/by-provider/${large.provider}/${encodeURIComponent("pi_\u0000")}`, { token: alice })).status).toBe(404);
    expect((await call(server, "GET", path)).status).toBe(401);
  });

  it("answers the design's list form, GET /payments?provider=…&providerPaymentId=…, with that one payment, scoped alike", async () => {
    const list = (query: string, token: string) => api("GET", `/payments?${query}`, { token });
    const query = `provider=${large.provider}&providerPaymentId=${encodeURIComponent(large.providerPaymentId)}`;
    const found = await list(query, alice);
    expect(found.status, found.text).toBe(200);
    expect(found.json).toMatchObject({ data: [{ id: large.id }], nextCursor: null });
    expect((await list(query, admin)).json.data.map((p: { id: string }) => p.id)).toEqual([large.id]);
    // Another owner's payment is simply not in the caller's list.
    expect((await list(query, bob)).json).toEqual({ data: [], nextCursor: null });
    expect((await list(`provider=${large.provider}&providerPaymentId=pi_nothing_${run}`, alice)).json.data).toEqual([]);
    // A lookup, not a filter: it needs the provider and takes nothing else.
    const alone = await list(`providerPaymentId=${encodeURIComponent(large.providerPaymentId)}`, alice);
    expect(alone.status).toBe(400);
    expect(alone.json.error.code).toBe("validation_error");
    expect((await list(`${query}&status=succeeded`, alice)).status).toBe(400);
  });

  it("looks a payment up by the provider's id of one of its refunds", async () => {
    const refunded = await api("POST", `/payments/${large.id}/refunds`, { token: admin, key: key(), body: { amount: 100, reason: "late" } });
    const providerRefundId = refunded.json.refund.providerRefundId as string;
    expect(providerRefundId).toEqual(expect.any(String));
    const found = await api("GET", `/payments/by-provider/${large.provider}/${encodeURIComponent(providerRefundId)}`, { token: alice });
    expect(found.status).toBe(200);
    expect(found.json.id).toBe(large.id);
    expect((await api("GET", `/payments/by-provider/${large.provider}/${encodeURIComponent(providerRefundId)}`, { token: bob })).status).toBe(404);
  });
});
