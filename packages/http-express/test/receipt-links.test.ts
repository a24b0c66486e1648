import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createPaymentsRouter } from "../src/index.js";
import { createReceiptLinkSigner } from "../src/routes/receipt-link-signer.js";
import { captureLogs } from "./log-capture.js";
import { createResponseValidator } from "./openapi-validator.js";
import { LINK_SECRET, NEXT_LINK_SECRET, type RouterOverService, mountRouter, paidFare, sharedService } from "./receipt-link-server.js";
import { JWT_SECRET, token } from "./server-harness.js";

const RECEIPTS = {
  locale: "en-US",
  timeZone: "America/New_York",
  merchant: { name: "Ride & Co", address: ["1 Market St", "San Francisco, CA 94105"] },
  paymentMethod: () => ({ brand: "Visa", last4: "4242" }),
};

const open: RouterOverService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((router) => router.close()));
});

/** Every answer of these routes is also checked against the OpenAPI document the router serves. */
const validators = new WeakMap<RouterOverService, ReturnType<typeof createResponseValidator>>();

async function router(service = sharedService(), receipts: object = { ...RECEIPTS, links: { secrets: [LINK_SECRET] } }, logger?: Parameters<typeof mountRouter>[2]) {
  const mounted = await mountRouter(service, { receipts }, logger);
  open.push(mounted);
  validators.set(mounted, createResponseValidator(await (await fetch(`${mounted.base}/api/openapi.json`)).json()));
  return mounted;
}

async function checked(at: RouterOverService, method: string, path: string, response: Response) {
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : undefined;
  const result = { status: response.status, headers: response.headers, text, json };
  validators.get(at)?.(method, path.replace(/^\/api/, ""), result);
  return result;
}

async function mint(at: RouterOverService, paymentId: string, sub = "alice") {
  const path = `/api/payments/${paymentId}/receipt-link`;
  const result = await checked(at, "POST", path, await fetch(`${at.base}${path}`, { method: "POST", headers: { authorization: `Bearer ${await token(sub)}` } }));
  return { status: result.status, body: result.json, headers: result.headers };
}

async function visit(at: RouterOverService, path: string) {
  const result = await checked(at, "GET", path, await fetch(`${at.base}${path}`));
  return { status: result.status, type: result.headers.get("content-type"), headers: result.headers, html: result.text };
}

/** A page outside the OpenAPI paths (GET /receipts/ with no token), not checked against the document. */
async function raw(at: RouterOverService, path: string) {
  const response = await fetch(`${at.base}${path}`);
  return { status: response.status, type: response.headers.get("content-type"), headers: response.headers, html: await response.text() };
}

/** Signs a token the way an attacker (or an old deployment) would, with claims and key of the test's choosing. */
async function forge(claims: Record<string, unknown>, options: { secret?: string; typ?: string; audience?: string; expiresAt?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: options.typ ?? "payments-receipt-link+jwt" })
    .setAudience(options.audience ?? "payments:receipt-link")
    .setIssuedAt(now - 3600)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(new TextEncoder().encode(options.secret ?? LINK_SECRET));
}

function expectFailurePage(page: Awaited<ReturnType<typeof visit>>, status: number, words: RegExp, receiptNumber?: string) {
  expect(page.status).toBe(status);
  expect(page.type).toBe("text/html; charset=utf-8");
  expect(page.html).toMatch(/^<!doctype html>/);
  expect(page.html).toContain('<meta name="viewport"');
  expect(page.html).toMatch(words);
  expect(page.html).not.toMatch(/"error"|\$\d/);
  if (receiptNumber) expect(page.html).not.toContain(receiptNumber);
}

describe("signed receipt links", () => {
  it("lets the owner mint a link that opens the receipt page with no bearer token", async () => {
    const service = sharedService();
    const at = await router(service);
    const paymentId = await paidFare(service);
    const minted = await mint(at, paymentId);
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({ path: expect.stringMatching(/^\/api\/receipts\/[\w-]+\.[\w-]+\.[\w-]+$/), url: null });
    const expiresIn = Date.parse(minted.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 86_400_000 - 120_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * 86_400_000);

    const page = await visit(at, minted.body.path);
    const receipt = await service.getReceipt(paymentId);
    expect(page.status).toBe(200);
    expect(page.type).toBe("text/html; charset=utf-8");
    expect(page.html).toContain(`Receipt ${receipt.number}`);
    expect(page.html).toContain("Ride &amp; Co");
    expect(page.html).toContain("Visa •••• 4242");
    expect(page.html).toContain("Tax (8.75%)");
    expect(page.html).toContain('<td class="amount">$15.08</td>');
    expect(page.html).not.toContain(receipt.refunds[0]!.id);
    // The token is a credential: the page must not pass it on, be cached or indexed, or run anything.
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-robots-tag")).toContain("noindex");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("builds absolute links from the configured public URL only, never from the Host header", async () => {
    const service = sharedService();
    const at = await router(service, { ...RECEIPTS, links: { secrets: [LINK_SECRET], publicBaseUrl: "https://pay.example.com/payments-api/" } });
    const paymentId = await paidFare(service);
    const response = await fetch(`${at.base}/api/payments/${paymentId}/receipt-link`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token("alice")}`, host: "evil.example", "x-forwarded-host": "evil.example" },
    });
    const body = (await response.json()) as { url: string; path: string };
    expect(body.url).toMatch(/^https:\/\/pay\.example\.com\/payments-api\/receipts\/eyJ/);
    expect(body.url.endsWith(body.path.replace(/^\/api/, ""))).toBe(true);
    expect(JSON.stringify(body)).not.toContain("evil");
  });

  it("mints only for the payment's owner or an admin, and only once there is a receipt", async () => {
    const service = sharedService();
    const at = await router(service);
    const paymentId = await paidFare(service);
    expect((await mint(at, paymentId, "mallory")).status).toBe(404);
    expect((await mint(at, paymentId, "mallory")).body.error.code).toBe("not_found");
    expect((await fetch(`${at.base}/api/payments/${paymentId}/receipt-link`, { method: "POST" })).status).toBe(401);
    expect((await mint(at, "pay_missing")).status).toBe(404);
    const { payment: pending } = await service.createPayment({ owner: "alice", amount: 500, currency: "USD" }, { scope: "alice", idempotencyKey: "pending" });
    expect((await mint(at, pending.id)).status).toBe(404);
    const admin = await fetch(`${at.base}/api/payments/${paymentId}/receipt-link`, { method: "POST", headers: { authorization: `Bearer ${await token("ops", { admin: true })}` } });
    expect(admin.status).toBe(201);
    const withBody = await fetch(`${at.base}/api/payments/${paymentId}/receipt-link`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token("alice")}`, "content-type": "application/json" },
      body: JSON.stringify({ paymentId: "pay_other" }),
    });
    expect(withBody.status).toBe(400);
  });

  it("answers a tampered link with a 403 page, never the payment", async () => {
    const service = sharedService();
    const at = await router(service);
    const paymentId = await paidFare(service);
    const other = await paidFare(service, "bob");
    const { body } = await mint(at, paymentId);
    const link: string = body.path;
    const [header, payload, signature] = link.split("/receipts/")[1]!.split(".") as [string, string, string];
    const number = (await service.getReceipt(paymentId)).number;
    const otherNumber = (await service.getReceipt(other)).number;
    // Another payment's id under the original signature.
    const swapped = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), pid: other })).toString("base64url");
    expectFailurePage(await visit(at, `/api/receipts/${header}.${swapped}.${signature}`), 403, /not valid/, otherNumber);
    // One character of the signature changed.
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === "A" ? "B" : "A"}${signature.at(-1)}`;
    expectFailurePage(await visit(at, `/api/receipts/${header}.${payload}.${flipped}`), 403, /not valid/, number);
    expectFailurePage(await visit(at, "/api/receipts/not-a-token"), 403, /not valid/);
    expectFailurePage(await visit(at, `/api/receipts/${"a".repeat(5000)}`), 403, /not valid/);
    // The query form of earlier builds is no link: "open" is read as the token.
    expectFailurePage(await visit(at, `/api/receipts/open?token=${header}.${payload}.${signature}`), 403, /not valid/, number);
    // A link cut off before its token is told so (a page, not the router's JSON 404).
    expectFailurePage(await raw(at, "/api/receipts/"), 400, /incomplete/);
    expectFailurePage(await raw(at, "/api/receipts"), 400, /incomplete/);
    // alg "none" carrying a real payment id.
    const none = `${Buffer.from('{"alg":"none","typ":"payments-receipt-link+jwt"}').toString("base64url")}.${payload}.`;
    expectFailurePage(await visit(at, `/api/receipts/${none}`), 403, /not valid/, number);
  });

  it("answers an expired link with a 410 page", async () => {
    const service = sharedService();
    const at = await router(service);
    const paymentId = await paidFare(service);
    const expired = await forge({ pid: paymentId }, { expiresAt: Math.floor(Date.now() / 1000) - 120 });
    expectFailurePage(await visit(at, `/api/receipts/${expired}`), 410, /expired/, (await service.getReceipt(paymentId)).number);
    // An expired link whose signature is also wrong is simply invalid: expiry is only told of genuine links.
    const expiredForged = await forge({ pid: paymentId }, { secret: "x".repeat(40), expiresAt: Math.floor(Date.now() / 1000) - 120 });
    expectFailurePage(await visit(at, `/api/receipts/${expiredForged}`), 403, /not valid/);
  });

  it("refuses links signed with another key, and login tokens used as links", async () => {
    const service = sharedService();
    const at = await router(service);
    const paymentId = await paidFare(service);
    const number = (await service.getReceipt(paymentId)).number;
    expectFailurePage(await visit(at, `/api/receipts/${await forge({ pid: paymentId }, { secret: "someone-elses-secret-that-is-32-bytes-long" })}`), 403, /not valid/, number);
    // Right key, but not a receipt link (another token type or audience).
    expectFailurePage(await visit(at, `/api/receipts/${await forge({ pid: paymentId }, { typ: "JWT" })}`), 403, /not valid/, number);
    expectFailurePage(await visit(at, `/api/receipts/${await forge({ pid: paymentId }, { audience: "payments" })}`), 403, /not valid/, number);
    expectFailurePage(await visit(at, `/api/receipts/${await token("alice", { pid: paymentId })}`), 403, /not valid/, number);
    // And a receipt link is no bearer token.
    const { body } = await mint(at, paymentId);
    const link = body.path.split("/receipts/")[1];
    expect((await fetch(`${at.base}/api/payments/${paymentId}`, { headers: { authorization: `Bearer ${link}` } })).status).toBe(401);
  });

  it("keeps links opening across a key rotation until the old key is dropped", async () => {
    const service = sharedService();
    const paymentId = await paidFare(service);
    const before = await router(service, { links: { secrets: [LINK_SECRET] } });
    const oldLink = (await mint(before, paymentId)).body.path as string;
    const during = await router(service, { links: { secrets: [NEXT_LINK_SECRET, LINK_SECRET] } });
    expect((await visit(during, oldLink)).status).toBe(200);
    const newLink = (await mint(during, paymentId)).body.path as string;
    expect((await visit(during, newLink)).status).toBe(200);
    // The old instance of a fleet mid-rotation does not know the new key yet.
    expect((await visit(before, newLink)).status).toBe(403);
    const after = await router(service, { links: { secrets: [NEXT_LINK_SECRET] } });
    expect((await visit(after, newLink)).status).toBe(200);
    expectFailurePage(await visit(after, oldLink), 403, /not valid/);
  });

  it("shows a 404 page when the linked receipt no longer exists, and a 500 page when rendering fails", async () => {
    const service = sharedService();
    const at = await router(service, { links: { secrets: [LINK_SECRET] }, paymentMethod: () => ({ brand: "Visa", last4: "4242424242424242" }) });
    expectFailurePage(await visit(at, `/api/receipts/${await forge({ pid: "pay_gone" })}`), 404, /no longer available/);
    const paymentId = await paidFare(service);
    const page = await visit(at, (await mint(at, paymentId)).body.path);
    expectFailurePage(page, 500, /cannot be shown/);
    expect(page.html).not.toContain("4242424242424242");
  });

  it("never writes a link's token to the log", async () => {
    const service = sharedService();
    const logs = captureLogs();
    const at = await router(service, { links: { secrets: [LINK_SECRET] } }, logs.logger);
    const paymentId = await paidFare(service);
    const link = (await mint(at, paymentId)).body.path as string;
    expect((await visit(at, link)).status).toBe(200);
    expect((await visit(at, `${link}x`)).status).toBe(403);
    const tokenText = link.split("/receipts/")[1]!;
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain(tokenText.split(".")[2]!);
    expect(logs.text()).not.toContain(tokenText.split(".")[1]!);
  });

  it("logs the receipt page's path with the token replaced, whatever the token's shape", async () => {
    const service = sharedService();
    const logs = captureLogs();
    const at = await router(service, { links: { secrets: [LINK_SECRET] } }, logs.logger);
    const paymentId = await paidFare(service);
    const link = (await mint(at, paymentId)).body.path as string;
    expect((await visit(at, link)).status).toBe(200);
    // Not a JWT, so the JWT mask alone would let it through: the path rule must catch it.
    expect((await visit(at, "/api/receipts/not-a-jwt-but-a-mistyped-link")).status).toBe(403);
    const requests = logs.lines.map((line) => JSON.parse(line) as { msg: string; path?: string }).filter((line) => line.msg === "request");
    expect(requests.filter((line) => line.path === "/receipts/[redacted]")).toHaveLength(2);
    expect(logs.text()).not.toContain("not-a-jwt-but-a-mistyped-link");
  });

  it("answers a browser over its rate limit with a 429 page that says when to try again", async () => {
    const service = sharedService();
    const at = await mountRouter(service, { receipts: { links: { secrets: [LINK_SECRET] } }, rateLimit: { limits: { read: 2 } } });
    open.push(at);
    validators.set(at, createResponseValidator(await (await fetch(`${at.base}/api/openapi.json`)).json()));
    const paymentId = await paidFare(service);
    const link = (await mint(at, paymentId)).body.path as string;
    expect((await visit(at, link)).status).toBe(200);
    expect((await visit(at, link)).status).toBe(200);
    const refused = await visit(at, link);
    expectFailurePage(refused, 429, /Too many attempts/, (await service.getReceipt(paymentId)).number);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("exists only when configured", async () => {
    const service = sharedService();
    const at = await router(service, {});
    const paymentId = await paidFare(service);
    expect((await mint(at, paymentId)).status).toBe(404);
    expect((await visit(at, "/api/receipts/x")).status).toBe(404);
  });

  it("refuses unsafe configurations when the router is created", () => {
    const service = sharedService();
    const make = (receipts: object) => () => createPaymentsRouter({ service, jwt: { secret: JWT_SECRET, algorithms: ["HS256"] }, receipts });
    const refused = (receipts: object) => expect(make(receipts)).toThrow(expect.objectContaining({ code: "configuration_error" }));
    refused({ links: { secrets: [] } });
    refused({ links: { secrets: ["short"] } });
    refused({ links: { secrets: [JWT_SECRET] } });
    refused({ links: { secrets: [LINK_SECRET], expiresInSeconds: 10 } });
    refused({ links: { secrets: [LINK_SECRET], expiresInSeconds: 365 * 86_400 } });
    refused({ links: { secrets: [LINK_SECRET], publicBaseUrl: "pay.example.com" } });
    refused({ links: { secrets: [LINK_SECRET], publicBaseUrl: "javascript:alert(1)" } });
    refused({ timeZone: "Mars/Olympus" });
    refused({ merchant: { name: "" } });
    expect(make({ links: { secrets: [LINK_SECRET] } })).not.toThrow();
  });
});

describe("receipt link signer", () => {
  it("signs links that expire after the configured time, by the signer's clock", async () => {
    let now = new Date("2026-03-01T10:00:00.000Z");
    const signer = createReceiptLinkSigner({ secrets: [LINK_SECRET], expiresInSeconds: 3600 }, { now: () => now });
    const { token: link, expiresAt } = await signer.mint("pay_1");
    expect(expiresAt).toBe("2026-03-01T11:00:00.000Z");
    now = new Date("2026-03-01T11:00:20.000Z");
    expect(await signer.open(link)).toEqual({ ok: true, paymentId: "pay_1" });
    now = new Date("2026-03-01T11:00:31.000Z");
    expect(await signer.open(link)).toEqual({ ok: false, reason: "expired" });
  });

  it("holds nothing but the payment id and its times", async () => {
    const { token: link } = await createReceiptLinkSigner({ secrets: [LINK_SECRET] }).mint("pay_1");
    const claims = JSON.parse(Buffer.from(link.split(".")[1]!, "base64url").toString());
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "pid"]);
    expect(claims.pid).toBe("pay_1");
  });
});

describe("the authenticated HTML receipt", () => {
  it("is presented with the router's receipt options too: merchant, payment method, locale and time zone", async () => {
    const service = sharedService();
    const at = await router(service, { ...RECEIPTS, locale: "de-DE", timeZone: "Europe/Berlin" });
    const paymentId = await paidFare(service);
    const path = `/api/payments/${paymentId}/receipt?format=html`;
    const page = await checked(at, "GET", path, await fetch(`${at.base}${path}`, { headers: { authorization: `Bearer ${await token("alice")}` } }));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Ride &amp; Co");
    expect(page.text).toContain("Visa •••• 4242");
    expect(page.text).toContain("15,08\u00a0$");
    expect(page.text).toContain("Tax (8,75\u00a0%)");
  });
});
