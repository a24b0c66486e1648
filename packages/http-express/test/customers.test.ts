import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs, sensitiveFindings } from "./log-capture.js";
import { type ValidatedCall, validatedCaller } from "./openapi-validator.js";
import { type StoreKind, type TestServer, startServer, token } from "./server-harness.js";

/** Every store the router is served over: the memory store, and both SQL stores with migration 0010_customers. */
const STORES: StoreKind[] = ["memory", "sqlite", "postgres"];

const CARD = "4242424242424242";

/**
 * Customers and saved payment methods over HTTP, with the three roles of the package README's role table: a
 * customer's own token (alice, bob), a host service's (the `payments_service` claim) and an admin's. Every response
 * is checked against the served OpenAPI document; the simulated gateway plays the bank.
 */
describe.each<StoreKind>(STORES)("customers over HTTP on %s", (kind) => {
  let server: TestServer;
  let api: ValidatedCall;
  const logs = captureLogs();
  let alice: string;
  let bob: string;
  let svc: string;
  let admin: string;
  let seq = 0;
  const key = () => `customers-${kind}-${++seq}`;

  beforeAll(async () => {
    server = await startServer(kind, { logger: logs.logger });
    api = await validatedCaller(server);
    alice = await token("alice");
    bob = await token("bob");
    svc = await token("booking-service", { payments_service: true });
    admin = await token("ops", { admin: true });
  });
  afterAll(async () => server?.close());

  const createCustomer = async (as: string, body: Record<string, unknown> = {}) => {
    const created = await api("POST", "/customers", { token: as, key: key(), body });
    expect(created.status, created.text).toBe(201);
    return created.json;
  };
  const saveCard = async (as: string, customerId: string, paymentMethodId = "pm_card_visa") => {
    const saved = await api("POST", `/customers/${customerId}/payment-methods`, { token: as, key: key(), body: { paymentMethodId } });
    expect(saved.status, saved.text).toBe(201);
    return saved.json;
  };
  /** The 404 of a customer that does not exist, as the router words it: another owner's must read the same. */
  const missingCustomer = (id: string) => ({ error: { code: "not_found", message: `customer ${id} not found`, details: { customerId: id } } });

  it("a customer's own token creates, reads, merge-patches and lists its customer, and may not name an owner", async () => {
    const customer = await createCustomer(alice, { email: "alice@example.com", name: "Alice", metadata: { tier: "gold", seat: "window" } });
    expect(customer).toMatchObject({ owner: "alice", email: "alice@example.com", name: "Alice", defaultPaymentMethodId: null, deletedAt: null, version: 1 });
    expect(customer.id).toMatch(/^cus_/);
    expect((await api("GET", `/customers/${customer.id}`, { token: alice })).json).toEqual(customer);
    const patched = await api("PATCH", `/customers/${customer.id}`, {
      token: alice,
      key: key(),
      body: { name: "Alice B.", metadata: { seat: null, gate: "B7" } },
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({ name: "Alice B.", email: "alice@example.com", metadata: { tier: "gold", gate: "B7" }, version: 2 });
    const mine = await api("GET", "/customers", { token: alice });
    expect(mine.status).toBe(200);
    expect(mine.json.data.every((c: any) => c.owner === "alice")).toBe(true);
    expect(mine.json.data.map((c: any) => c.id)).toContain(customer.id);
    // Naming an owner, even itself, is refused as on POST /payments; another owner's list is forbidden.
    const named = await api("POST", "/customers", { token: alice, key: key(), body: { owner: "bob" } });
    expect(named.status).toBe(400);
    expect(named.json.error).toMatchObject({ code: "validation_error", details: { field: "owner" } });
    expect((await api("GET", "/customers?owner=bob", { token: alice })).status).toBe(403);
    expect((await api("GET", "/customers?owner=alice", { token: alice })).status).toBe(200);
    expect((await api("POST", "/customers", { token: alice, body: {} })).status).toBe(400); // no Idempotency-Key
    expect((await api("GET", "/customers")).status).toBe(401);
  });

  it("answers another owner's customer and its methods exactly like ones that do not exist, on every route", async () => {
    const customer = await createCustomer(alice);
    const method = await saveCard(alice, customer.id);
    const routes: [string, string, Record<string, unknown>?][] = [
      ["GET", `/customers/${customer.id}`],
      ["PATCH", `/customers/${customer.id}`, { name: "Mallory" }],
      ["DELETE", `/customers/${customer.id}`],
      ["POST", `/customers/${customer.id}/payment-methods`, { paymentMethodId: "pm_card_visa" }],
      ["GET", `/customers/${customer.id}/payment-methods`],
      ["DELETE", `/customers/${customer.id}/payment-methods/${method.id}`],
      ["POST", `/customers/${customer.id}/payment-methods/${method.id}/confirm`, {}],
    ];
    for (const [method_, path, body] of routes) {
      const theirs = await api(method_, path, { token: bob, key: key(), ...(body ? { body } : {}) });
      expect(theirs.status, `${method_} ${path}`).toBe(404);
      expect(theirs.json).toEqual(missingCustomer(customer.id));
      const missing = await api(method_, path.replace(customer.id, "cus_missing"), { token: bob, key: key(), ...(body ? { body } : {}) });
      expect(missing.json).toEqual(missingCustomer("cus_missing"));
    }
    // A method of another customer (even the caller's own other one) is as missing as none.
    const own = await createCustomer(bob);
    const crossed = await api("DELETE", `/customers/${own.id}/payment-methods/${method.id}`, { token: bob, key: key() });
    expect(crossed.status).toBe(404);
    expect(crossed.json).toEqual({ error: { code: "not_found", message: `payment method ${method.id} not found`, details: { paymentMethodId: method.id } } });
    expect((await api("DELETE", `/customers/${own.id}/payment-methods/spm_missing`, { token: bob, key: key() })).json.error.message).toBe("payment method spm_missing not found");
    // Nothing of alice's changed, and bob's list holds only his own.
    expect((await api("GET", `/customers/${customer.id}`, { token: alice })).json).toMatchObject({ deletedAt: null, name: null, version: customer.version + 2 });
    expect((await api("GET", "/customers?limit=100", { token: bob })).json.data.every((c: any) => c.owner === "bob")).toBe(true);
    // An id no customer can have is 404 without being repeated.
    const impossible = await api("GET", `/customers/${CARD}`, { token: alice });
    expect(impossible.status).toBe(404);
    expect(impossible.text).not.toContain(CARD);
  });

  it("the service role acts for the owner it names: creates, lists with ?owner=, saves and manages any owner's customer", async () => {
    const unnamed = await api("POST", "/customers", { token: svc, key: key(), body: { email: "rider@example.com" } });
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.error.details).toEqual({ field: "owner" });
    const customer = await createCustomer(svc, { owner: "carol", email: "carol@example.com" });
    expect(customer.owner).toBe("carol");
    const list = await api("GET", "/customers", { token: svc });
    expect(list.status).toBe(400);
    expect(list.json.error.details.issues[0].path).toBe("owner");
    const carols = await api("GET", "/customers?owner=carol", { token: svc });
    expect(carols.json.data.map((c: any) => c.id)).toEqual([customer.id]);
    const method = await saveCard(svc, customer.id);
    expect(method).toMatchObject({ owner: "carol", status: "active" });
    expect((await api("GET", `/customers/${customer.id}/payment-methods`, { token: svc })).json.data).toEqual([method]);
    // carol's own token sees what the service made for her; bob's does not.
    const carol = await token("carol");
    expect((await api("GET", `/customers/${customer.id}`, { token: carol })).json).toMatchObject({ id: customer.id, defaultPaymentMethodId: method.id });
    expect((await api("GET", `/customers/${customer.id}`, { token: bob })).status).toBe(404);
    // A service naming an owner whose customer it is not: the customer is as missing as none.
    const other = await api("POST", "/payments", { token: svc, key: key(), body: { owner: "dave", amount: 900, currency: "USD", customerId: customer.id, offSession: true } });
    expect(other.status, other.text).toBe(404);
    expect(other.json.error.code).toBe("not_found");
    // What stays the admin's: every customer without an owner, capture, refunds, stats, the disputes queue.
    expect((await api("GET", "/stats", { token: svc })).status).toBe(403);
    expect((await api("GET", "/disputes", { token: svc })).status).toBe(403);
  });

  it("an admin lists every customer and filters by owner, email and deleted, a page at a time; unknown parameters are 400", async () => {
    const a = await createCustomer(admin, { owner: "erin", email: "erin@example.com" });
    const b = await createCustomer(admin, { owner: "erin", email: "erin.work@example.com" });
    const c = await createCustomer(admin, { owner: "frank" });
    expect((await api("DELETE", `/customers/${c.id}`, { token: admin, key: key() })).status).toBe(200);
    const ids = async (query: string) => {
      const page = await api("GET", `/customers?${query}`, { token: admin });
      expect(page.status, page.text).toBe(200);
      return page.json.data.map((x: any) => x.id);
    };
    expect(await ids("owner=erin")).toEqual([b.id, a.id]);
    expect(await ids("email=erin%40example.com")).toEqual([a.id]);
    expect(await ids("owner=frank&deleted=true")).toEqual([c.id]);
    expect(await ids("owner=frank&deleted=false")).toEqual([]);
    expect((await ids("limit=200")).length).toBeGreaterThanOrEqual(3);
    const first = await api("GET", "/customers?owner=erin&limit=1", { token: admin });
    expect(first.json.data.map((x: any) => x.id)).toEqual([b.id]);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await api("GET", `/customers?owner=erin&limit=1&cursor=${encodeURIComponent(first.json.nextCursor)}`, { token: admin });
    expect(second.json.data.map((x: any) => x.id)).toEqual([a.id]);
    for (const bad of ["colour=red", "deleted=yes", "limit=0", "owner=erin&owner=frank"]) {
      const refused = await api("GET", `/customers?${bad}`, { token: admin });
      expect(refused.status, bad).toBe(400);
      expect(refused.json.error.code).toBe("validation_error");
    }
    expect((await api("GET", "/customers?cursor=not-ours", { token: admin })).json.error.code).toBe("invalid_cursor");
  });

  it("saves a card without charging it: brand, last four and expiry, the provider's token, never its number", async () => {
    const customer = await createCustomer(alice);
    const method = await saveCard(alice, customer.id);
    expect(method).toMatchObject({ customerId: customer.id, status: "active", brand: "visa", last4: "4242", expMonth: 12, expYear: 2030, nextAction: null });
    expect(method.id).toMatch(/^spm_/);
    expect(method.providerPaymentMethodId).toMatch(/^sim_pm_/);
    expect(JSON.stringify(method)).not.toContain(CARD);
    expect((await api("GET", `/customers/${customer.id}`, { token: alice })).json.defaultPaymentMethodId).toBe(method.id);
    // A card the bank refuses to save: its decline, and a failed method kept for the record.
    const declined = await api("POST", `/customers/${customer.id}/payment-methods`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa_chargeDeclined" } });
    expect(declined.status).toBe(402);
    expect(declined.json.error.code).toBe("card_declined");
    const listed = await api("GET", `/customers/${customer.id}/payment-methods`, { token: alice });
    expect(listed.json.data.map((m: any) => m.status)).toEqual(["active", "failed"]);
  });

  it("a save the bank challenges: requires_action with where to send the customer, then active once they authenticated and the save is confirmed", async () => {
    const customer = await createCustomer(alice);
    const waiting = await saveCard(alice, customer.id, "pm_card_authenticationRequired");
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    const early = await api("POST", `/customers/${customer.id}/payment-methods/${waiting.id}/confirm`, { token: alice, key: key(), body: { extra: 1 } });
    expect(early.status).toBe(400);
    server.gateway.completeSetupAction(waiting.providerSetupId);
    const confirmKey = key();
    const confirmed = await api("POST", `/customers/${customer.id}/payment-methods/${waiting.id}/confirm`, { token: alice, key: confirmKey, body: {} });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json).toMatchObject({ id: waiting.id, status: "active", nextAction: null, last4: expect.any(String) });
    const again = await api("POST", `/customers/${customer.id}/payment-methods/${waiting.id}/confirm`, { token: alice, key: confirmKey, body: {} });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(confirmed.text);
    const twice = await api("POST", `/customers/${customer.id}/payment-methods/${waiting.id}/confirm`, { token: alice, key: key(), body: {} });
    expect(twice.status).toBe(409);
    expect(twice.json.error.code).toBe("invalid_state_transition");
  });

  it("off-session: a customer's own token may not charge its saved card (403, nothing created); the service's may (201), and it is paid", async () => {
    const customer = await createCustomer(alice);
    const method = await saveCard(alice, customer.id);
    const body = { amount: 1800, currency: "USD", customerId: customer.id, offSession: true };
    const byOwner = await api("POST", "/payments", { token: alice, key: key(), body });
    expect(byOwner.status).toBe(403);
    expect(byOwner.json.error.code).toBe("forbidden");
    expect((await api("GET", `/payments?customerId=${customer.id}`, { token: alice })).json.data).toEqual([]);
    const created = await api("POST", "/payments", { token: svc, key: key(), body: { ...body, owner: "alice" } });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ owner: "alice", status: "pending", offSession: true, customerId: customer.id, paymentMethodId: method.id });
    // Still pending: the charge is the host's, not the owner's.
    const ownerConfirm = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: key(), body: {} });
    expect(ownerConfirm.status).toBe(403);
    expect((await api("POST", `/payments/${created.json.id}/cancel`, { token: alice, key: key(), body: {} })).status).toBe(403);
    const paid = await api("POST", `/payments/${created.json.id}/confirm`, { token: svc, key: key(), body: {} });
    expect(paid.status, paid.text).toBe(200);
    expect(paid.json).toMatchObject({ status: "succeeded", amountCaptured: 1800, offSession: true });
    expect(server.gateway.chargesFor(created.json.id)).toBe(1);
    // The owner reads it; the service annotates it after confirmation but may not change what was charged.
    expect((await api("GET", `/payments/${created.json.id}`, { token: alice })).json.offSession).toBe(true);
    const noted = await api("PATCH", `/payments/${created.json.id}`, { token: svc, key: key(), body: { description: "No-show fee", metadata: { booking: "b-42" } } });
    expect(noted.status, noted.text).toBe(200);
    expect(noted.json).toMatchObject({ description: "No-show fee", metadata: { booking: "b-42" } });
    expect((await api("PATCH", `/payments/${created.json.id}`, { token: svc, key: key(), body: { amount: 1 } })).status).toBe(403);
    expect((await api("PATCH", `/payments/${created.json.id}`, { token: alice, key: key(), body: { description: "mine" } })).status).toBe(403);
    // The service's payments list names the owner it acts for.
    expect((await api("GET", "/payments", { token: svc })).status).toBe(400);
    expect((await api("GET", "/payments?owner=alice", { token: svc })).json.data.map((p: any) => p.id)).toContain(created.json.id);
  });

  it("an off-session charge the bank wants authenticated: requires_action with authentication_required, resumed by the customer's own token", async () => {
    const customer = await createCustomer(svc, { owner: "alice" });
    await saveCard(svc, customer.id, "pm_card_authenticationRequiredOffSession");
    const created = await api("POST", "/payments", { token: svc, key: key(), body: { owner: "alice", amount: 2400, currency: "USD", customerId: customer.id, offSession: true } });
    const waiting = await api("POST", `/payments/${created.json.id}/confirm`, { token: svc, key: key(), body: {} });
    expect(waiting.status, waiting.text).toBe(200);
    expect(waiting.json).toMatchObject({ status: "requires_action", lastError: { code: "authentication_required" }, nextAction: { type: "redirect" } });
    // The customer is back, on-session: their token finishes it.
    server.gateway.completeAction(waiting.json.providerPaymentId);
    const resumeKey = key();
    const resumed = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: resumeKey, body: {} });
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.json).toMatchObject({ status: "succeeded", lastError: null, amountCaptured: 2400 });
    const replay = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: resumeKey, body: {} });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(resumed.text);
    expect(server.gateway.chargesFor(created.json.id)).toBe(1);
  });

  it("a confirm with savePaymentMethod saves the card for the payment's customer", async () => {
    const customer = await createCustomer(alice);
    const created = await api("POST", "/payments", { token: alice, key: key(), body: { amount: 2500, currency: "USD", customerId: customer.id } });
    const paid = await api("POST", `/payments/${created.json.id}/confirm`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa", savePaymentMethod: true } });
    expect(paid.json.status, paid.text).toBe("succeeded");
    const [saved] = (await api("GET", `/customers/${customer.id}/payment-methods`, { token: alice })).json.data;
    expect(saved).toMatchObject({ status: "active", last4: "4242" });
  });

  it("detaches a method and deletes a customer, each retried under its key with the same bytes", async () => {
    const customer = await createCustomer(alice);
    const first = await saveCard(alice, customer.id);
    const second = await saveCard(alice, customer.id);
    const detachKey = key();
    const detached = await api("DELETE", `/customers/${customer.id}/payment-methods/${first.id}`, { token: alice, key: detachKey });
    expect(detached.status, detached.text).toBe(200);
    expect(detached.json).toMatchObject({ id: first.id, status: "detached" });
    const detachedAgain = await api("DELETE", `/customers/${customer.id}/payment-methods/${first.id}`, { token: alice, key: detachKey });
    expect(detachedAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(detachedAgain.text).toBe(detached.text);
    expect((await api("GET", `/customers/${customer.id}`, { token: alice })).json.defaultPaymentMethodId).toBeNull();
    const deleteKey = key();
    const deleted = await api("DELETE", `/customers/${customer.id}`, { token: alice, key: deleteKey });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.json.deletedAt).toEqual(expect.any(String));
    const deletedAgain = await api("DELETE", `/customers/${customer.id}`, { token: alice, key: deleteKey });
    expect(deletedAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(deletedAgain.text).toBe(deleted.text);
    const methods = (await api("GET", `/customers/${customer.id}/payment-methods`, { token: alice })).json.data;
    expect(methods.map((m: any) => [m.id, m.status])).toEqual([
      [first.id, "detached"],
      [second.id, "detached"],
    ]);
    const refused = await api("POST", `/customers/${customer.id}/payment-methods`, { token: alice, key: key(), body: { paymentMethodId: "pm_card_visa" } });
    expect(refused.status).toBe(409);
    expect((await api("DELETE", `/customers/${customer.id}`, { token: alice })).status).toBe(400); // no Idempotency-Key
  });

  it("replays a create under its key byte for byte, and refuses the key with other parameters", async () => {
    const createKey = key();
    const first = await api("POST", "/customers", { token: alice, key: createKey, body: { name: "Retry" } });
    const second = await api("POST", "/customers", { token: alice, key: createKey, body: { name: "Retry" } });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.text).toBe(first.text);
    expect((await api("POST", "/customers", { token: alice, key: createKey, body: { name: "Other" } })).status).toBe(422);
    // The same key is another request under another token (keys are scoped to the subject).
    expect((await api("POST", "/customers", { token: bob, key: createKey, body: { name: "Retry" } })).json.id).not.toBe(first.json.id);
  });

  it("refuses a card number in a name, metadata, a field name or a token with a 400 that does not repeat it, and logs none of it", async () => {
    const customer = await createCustomer(alice);
    const attempts: [string, string, Record<string, unknown>][] = [
      ["POST", "/customers", { name: `Card ${CARD}` }],
      ["POST", "/customers", { metadata: { note: CARD } }],
      ["PATCH", `/customers/${customer.id}`, { name: "4242 4242 4242 4242" }],
      ["POST", `/customers/${customer.id}/payment-methods`, { paymentMethodId: CARD }],
      ["POST", "/customers", { [CARD]: "x" }],
    ];
    for (const [method, path, body] of attempts) {
      const refused = await api(method, path, { token: alice, key: key(), body });
      expect(refused.status, `${method} ${path} ${JSON.stringify(Object.keys(body))}`).toBe(400);
      expect(refused.json.error.code).toBe("validation_error");
      expect(refused.text).not.toContain(CARD);
      expect(refused.text).not.toContain("4242 4242 4242 4242");
    }
    expect((await api("GET", `/customers/${customer.id}`, { token: alice })).json.version).toBe(1);
    expect((await api("GET", `/customers/${customer.id}/payment-methods`, { token: alice })).json.data).toEqual([]);
    const findings = logs.lines.flatMap((line) => sensitiveFindings(line, [alice, bob, svc, admin]));
    expect(findings).toEqual([]);
    // The card's digits in any of the forms sent (a bare "4242" also turns up in random request ids).
    expect(logs.text()).not.toContain(CARD);
    expect(logs.text()).not.toContain("4242 4242 4242 4242");
  });
});

describe("the service claim is the router's option", () => {
  it("a host's own claim grants the role; the default one then does not", async () => {
    const server = await startServer("memory", { serviceClaim: "fleet-ops" });
    try {
      const api = await validatedCaller(server);
      const custom = await token("fleet", { roles: ["fleet-ops"] });
      const created = await api("POST", "/customers", { token: custom, key: "k1", body: { owner: "alice" } });
      expect(created.status, created.text).toBe(201);
      const defaultClaim = await token("fleet", { payments_service: true });
      const refused = await api("POST", "/customers", { token: defaultClaim, key: "k2", body: { owner: "alice" } });
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toBe("owner is taken from your token, not the body");
    } finally {
      await server.close();
    }
  });
});
