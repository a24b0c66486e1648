import { createVerify, randomBytes, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import { errorBody, type OperationId } from "./error-bodies.js";
import { FaultPlan, type FaultRule } from "./faults.js";
import { FakeLedger, isRefusal, notFound, type ApprovalOutcome, type FakeCapture, type Refusal, type RefundPlan, type Reply } from "./fake-ledger.js";
import { debugId, MERCHANT_ID, paypalTime } from "./ids.js";
import { formatValue } from "./paypal-money.js";
import { rawJsonMember } from "./raw-json-member.js";
import { RequestIdCache } from "./request-id-cache.js";
import type { OffSessionBehaviour, SetupPlan, VaultRefusal } from "./fake-vault.js";
import { paymentTokenJson, setupTokenJson } from "./vault-wire.js";
import { authorizationJson, captureJson, orderJson, refundJson, transactionJson } from "./wire-objects.js";

export interface PayPalFakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** The webhook id the verify endpoint accepts. */
  webhookId?: string;
  /** How long a PayPal-Request-Id is remembered; Orders v2 documents 6 hours. */
  requestIdRetentionMs?: number;
  /** The same for Vault v3 (setup and payment tokens), whose PayPal-Request-Id PayPal documents it keeps 3 hours. */
  vaultRequestIdRetentionMs?: number;
  /** `expires_in` of issued access tokens (PayPal: 32400 s); past it, by the fake's clock, a token is rejected. */
  tokenLifetimeSeconds?: number;
  /** Injectable clock, for request-id retention, token expiry and timestamps. */
  clock?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The PayPal host the SDK aimed at (api-m.sandbox.paypal.com), recovered from the redirected URL. */
  host: string | undefined;
  requestId: string | undefined;
  body: string;
}

/** A response the fake sent, kept so a test can hold every answer to PayPal's published schemas. */
export interface SentResponse {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface PayPalFake {
  readonly baseUrl: string;
  readonly ledger: FakeLedger;
  readonly requests: RecordedRequest[];
  /** Every response sent since the fake started (reset does not clear it), in order. */
  readonly responses: SentResponse[];
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookId: string;
  /** Access tokens the fake issued (tests assert they never appear in errors or logs). */
  readonly issuedTokens: readonly string[];
  /**
   * axios overrides for the SDK's `unstable_httpClientOptions`: the SDK always builds absolute PayPal URLs, and with
   * `allowAbsoluteUrls: false` axios prefixes them with our base URL; the fake strips the PayPal origin again.
   */
  httpClientOptions(): Record<string, unknown>;
  /** The buyer approves the order (fake-only; what a harness's completeAction calls). */
  approveOrder(orderId: string, outcome?: ApprovalOutcome): void;
  /** Settles a PENDING capture, as PayPal does after a review or when an eCheck clears (fake-only). */
  settleCapture(captureId: string, status: "COMPLETED" | "DECLINED"): void;
  /** What the next card setup token does: needs 3-D Secure, which card, how its later charges go (fake-only). */
  planNextSetup(plan: SetupPlan): void;
  /** The payer approved a setup token at PayPal (the wallet agreement, or the card's 3-D Secure) (fake-only). */
  approveSetupToken(setupTokenId: string): void;
  /** How later charges of a saved payment token go: charged, the payer needed, or declined (fake-only). */
  setOffSession(paymentTokenId: string, behaviour: OffSessionBehaviour): void;
  /** Makes the next refund PENDING, then `then` on its next read (fake-only). */
  planNextRefund(plan: RefundPlan): void;
  /** PayPal stops accepting every access token issued so far (revoked; the next calls get 401 invalid_token). */
  revokeTokens(): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Registers a webhook certificate the verify-webhook-signature endpoint will fetch "from" this URL. */
  registerCertificate(certUrl: string, pem: string): void;
  /** A webhook event envelope around a resource, shaped like PayPal's (id, event_type, resource, ...). */
  webhookEvent(eventType: string, resource: Record<string, unknown>, resourceType: string): Record<string, unknown>;
  /** A CUSTOMER.DISPUTE.* resource for a capture; `custom` is PayPal's copy of its custom_id, when it sends one. */
  disputeResource(captureId: string, options?: { custom?: string; status?: string; reason?: string }): Record<string, unknown>;
  /**
   * What PayPal holds for an order, as its own decimal text (fake-only): the order's amount, and the sum of its
   * refunds not FAILED or CANCELLED ("1234" JPY, "20.00" USD).
   */
  heldAmounts(orderId: string): { currency: string; amount: string; refunded: string };
  /** Wire representations of stored objects, for building webhook resources. */
  order(id: string): Record<string, unknown>;
  capture(id: string): Record<string, unknown>;
  authorization(id: string): Record<string, unknown>;
  refund(id: string): Record<string, unknown>;
  reset(): void;
  close(): Promise<void>;
}

const PAYPAL_ORIGIN = /^\/https?:\/(?:\/)?(api-m\.(?:sandbox\.)?paypal\.com)(?=\/)/;
const SIX_HOURS_MS = 6 * 3600 * 1000;
/** The SDK's Vault calls: "The server stores keys for 3 hours". */
const THREE_HOURS_MS = 3 * 3600 * 1000;
const PAYPAL_TOKEN_LIFETIME_S = 32400;

/** The routes the fake serves, each with PayPal's operationId (its error catalogue is per operation). */
const ROUTES: Array<{ method: string; pattern: RegExp; operation: OperationId }> = [
  { method: "POST", pattern: /^\/v2\/checkout\/orders$/, operation: "orders.create" },
  { method: "GET", pattern: /^\/v2\/checkout\/orders\/[^/]+$/, operation: "orders.get" },
  { method: "POST", pattern: /^\/v2\/checkout\/orders\/[^/]+\/capture$/, operation: "orders.capture" },
  { method: "POST", pattern: /^\/v2\/checkout\/orders\/[^/]+\/authorize$/, operation: "orders.authorize" },
  { method: "GET", pattern: /^\/v2\/payments\/authorizations\/[^/]+$/, operation: "authorizations.get" },
  { method: "POST", pattern: /^\/v2\/payments\/authorizations\/[^/]+\/capture$/, operation: "authorizations.capture" },
  { method: "POST", pattern: /^\/v2\/payments\/authorizations\/[^/]+\/void$/, operation: "authorizations.void" },
  { method: "GET", pattern: /^\/v2\/payments\/captures\/[^/]+$/, operation: "captures.get" },
  { method: "POST", pattern: /^\/v2\/payments\/captures\/[^/]+\/refund$/, operation: "captures.refund" },
  { method: "GET", pattern: /^\/v2\/payments\/refunds\/[^/]+$/, operation: "refunds.get" },
];
const VAULT = /^\/v3\/vault\//;

function operationOf(method: string, path: string): OperationId | undefined {
  return ROUTES.find((r) => r.method === method && r.pattern.test(path))?.operation;
}

/** Starts the fake PayPal REST API on 127.0.0.1 (a random port). */
export async function startPayPalFake(options: PayPalFakeOptions = {}): Promise<PayPalFake> {
  const clock = options.clock ?? (() => new Date());
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const webhookId = options.webhookId ?? "WH0FAKE0000000001";
  const tokenLifetime = options.tokenLifetimeSeconds ?? PAYPAL_TOKEN_LIFETIME_S;
  const ledger = new FakeLedger(clock);
  const orderRequestIds = new RequestIdCache(options.requestIdRetentionMs ?? SIX_HOURS_MS, () => clock().getTime());
  const vaultRequestIds = new RequestIdCache(options.vaultRequestIdRetentionMs ?? THREE_HOURS_MS, () => clock().getTime());
  /** Each API keeps request ids as long as PayPal documents for it. */
  const idsFor = (path: string) => (VAULT.test(path) ? vaultRequestIds : orderRequestIds);
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const responses: SentResponse[] = [];
  const tokens: string[] = [];
  /** Issue time (fake clock) of each token PayPal still accepts. */
  const liveTokens = new Map<string, number>();
  const certificates = new Map<string, string>();

  /** A refusal as PayPal's error body for the operation. */
  function render(reply: Reply | Refusal, operation: OperationId | undefined): Reply {
    if (!isRefusal(reply)) return reply;
    return { status: reply.status, body: errorBody(operation, reply.status, reply.issue, reply.field ? { field: reply.field } : {}) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const origin = PAYPAL_ORIGIN.exec(url.pathname);
    const path = origin ? url.pathname.slice(origin[0].length) : url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const requestId = header(req, "paypal-request-id");
    const operation = operationOf(method, path);
    requests.push({ method, path, host: origin?.[1], requestId, body });
    const reply = (r: Reply) => send(res, r, method, path);

    const fault = faults.take(method, path);
    if (fault?.kind === "drop_before") return void req.socket.destroy();
    if (fault?.kind === "status") {
      const answer: Reply = { status: fault.status, body: errorBody(operation, fault.status, fault.issue) };
      if (fault.retryAfterSeconds !== undefined) answer.headers = { "retry-after": String(fault.retryAfterSeconds) };
      // A refusal is PayPal's decided answer for the request id; a 5xx, 401 or 429 decided nothing.
      const decided = fault.saved ?? (fault.status === 400 || fault.status === 422);
      if (decided && method === "POST" && requestId) idsFor(path).put(path, requestId, answer.status, answer.body);
      return reply(answer);
    }

    if (path !== "/v1/oauth2/token") {
      const refused = authenticate(req);
      if (refused) return reply(refused);
    }
    const scope = method === "POST" && requestId && path !== "/v1/oauth2/token" ? requestId : undefined;
    const requestIds = idsFor(path);
    if (scope !== undefined) {
      const stored = requestIds.get(path, scope);
      // "A successful response to an idempotent request returns the HTTP 200 OK status code" (Orders v2; Payments
      // v2 documents only its 201, so that is what it gives again).
      if (stored) {
        // Vault v3 documents a 200 beside each 201 too, for the same reason.
        const replayed = stored.status === 201 && (path.startsWith("/v2/checkout/orders") || VAULT.test(path)) ? 200 : stored.status;
        return reply({ status: replayed, body: stored.body });
      }
      if (!requestIds.begin(path, scope)) return reply({ status: 409, body: errorBody("captures.refund", 409, "PREVIOUS_REQUEST_IN_PROGRESS") });
    }
    let late: Reply | undefined;
    try {
      if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
      const answer = route(method, path, url.searchParams, body, req, operation);
      if (scope !== undefined && answer.status !== 401 && answer.status !== 409 && answer.status < 500) {
        requestIds.put(path, scope, answer.status, answer.body);
      }
      if (fault?.kind === "drop_after_success") return void req.socket.destroy();
      if (fault?.kind === "answer_after_success") return reply({ status: fault.status, body: errorBody(operation, fault.status) });
      if (fault?.kind === "answer_late") late = answer;
      else reply(answer);
    } finally {
      if (scope !== undefined) requestIds.end(path, scope);
    }
    // Decided and saved already: only the sending is late (a client that gave up meanwhile gets nothing).
    if (late !== undefined && fault?.kind === "answer_late") {
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref());
      reply(late);
    }
  }

  function authenticate(req: IncomingMessage): Reply | null {
    const authorization = header(req, "authorization") ?? "";
    if (!authorization.startsWith("Bearer ")) return { status: 401, body: errorBody(undefined, 401) };
    const token = authorization.slice("Bearer ".length);
    const issuedAt = liveTokens.get(token);
    if (issuedAt === undefined || clock().getTime() - issuedAt >= tokenLifetime * 1000) {
      liveTokens.delete(token);
      // What PayPal's identity layer answers for a token it no longer accepts (revoked, expired, unknown).
      return { status: 401, body: { error: "invalid_token", error_description: "Token signature verification failed" } };
    }
    return null;
  }

  /** Authenticated requests only (the token request excepted). */
  function route(method: string, path: string, query: URLSearchParams, body: string, req: IncomingMessage, operation: OperationId | undefined): Reply {
    if (method === "POST" && path === "/v1/oauth2/token") return token(req, body);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      return render({ status: 400, issue: "MALFORMED_REQUEST_JSON" }, operation);
    }
    if (method === "POST") return render(mutate(path, json, body), operation);
    if (method === "GET") return render(read(path, query), operation);
    if (method === "DELETE") return render(remove(path), operation);
    return render(notFound(), operation);
  }

  function mutate(path: string, json: unknown, raw: string): Reply | Refusal {
    let m: RegExpExecArray | null;
    if (path === "/v2/checkout/orders") {
      const order = ledger.createOrder(json);
      return isRefusal(order) ? order : { status: 201, body: orderJson(ledger, order) };
    }
    if ((m = /^\/v2\/checkout\/orders\/([^/]+)\/(capture|authorize)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      const order = m[2] === "capture" ? ledger.captureOrder(id) : ledger.authorizeOrder(id);
      return isRefusal(order) ? order : { status: 201, body: orderJson(ledger, order) };
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)\/capture$/.exec(path))) {
      const capture = ledger.captureAuthorization(decodeURIComponent(m[1]!), json);
      return isRefusal(capture) ? capture : { status: 201, body: captureJson(ledger, capture, true) };
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)\/void$/.exec(path))) {
      const authorization = ledger.voidAuthorization(decodeURIComponent(m[1]!));
      // Without `Prefer: return=representation` PayPal answers 204 No Content.
      return isRefusal(authorization) ? authorization : { status: 204 };
    }
    if ((m = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path))) {
      const refund = ledger.refundCapture(decodeURIComponent(m[1]!), json);
      return isRefusal(refund) ? refund : { status: 201, body: refundJson(refund) };
    }
    if (path === "/v1/notifications/verify-webhook-signature") return verifyWebhook(json, raw);
    if (path === "/v3/vault/setup-tokens") {
      const token = ledger.vault.createSetupToken(json);
      return "id" in token ? { status: 201, body: setupTokenJson(token) } : vaultRefusal(token);
    }
    if (path === "/v3/vault/payment-tokens") {
      const token = ledger.vault.createPaymentToken(json);
      return "id" in token ? { status: 201, body: paymentTokenJson(token) } : vaultRefusal(token);
    }
    return notFound();
  }

  /**
   * A Vault refusal. Vault v3 documents one error schema for every status and no issue catalogue, so the body is
   * PayPal's envelope with the issue (when there is one) as its own description.
   */
  function vaultRefusal(refusal: VaultRefusal): Reply {
    return { status: refusal.status, body: errorBody(undefined, refusal.status, refusal.issue, refusal.field ? { field: refusal.field } : {}) };
  }

  function remove(path: string): Reply | Refusal {
    const m = /^\/v3\/vault\/payment-tokens\/([^/]+)$/.exec(path);
    if (!m) return notFound();
    // A token already deleted (or never made) is a 404: the document lists only 204 for the delete, and PayPal's
    // other reads of an unknown token answer 404 INVALID_RESOURCE_ID.
    return ledger.vault.deletePaymentToken(decodeURIComponent(m[1]!)) ? { status: 204 } : notFound();
  }

  function read(path: string, query: URLSearchParams): Reply | Refusal {
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path))) {
      const order = ledger.orders.get(decodeURIComponent(m[1]!));
      if (!order) return notFound();
      ledger.observeRefunds(order.captureIds.flatMap((id) => ledger.captures.get(id)?.refundIds ?? []));
      return { status: 200, body: orderJson(ledger, order) };
    }
    if ((m = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path))) {
      const capture = ledger.captures.get(decodeURIComponent(m[1]!));
      if (!capture) return notFound();
      ledger.observeRefunds(capture.refundIds);
      return { status: 200, body: captureJson(ledger, capture, true) };
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)$/.exec(path))) {
      const authorization = ledger.authorizations.get(decodeURIComponent(m[1]!));
      return authorization ? { status: 200, body: authorizationJson(authorization, true) } : notFound();
    }
    if ((m = /^\/v2\/payments\/refunds\/([^/]+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      ledger.observeRefunds([id]);
      const refund = ledger.refunds.get(id);
      return refund ? { status: 200, body: refundJson(refund) } : notFound();
    }
    if (path === "/v1/reporting/transactions") return searchTransactions(query);
    if ((m = /^\/v3\/vault\/setup-tokens\/([^/]+)$/.exec(path))) {
      const token = ledger.vault.setupTokens.get(decodeURIComponent(m[1]!));
      return token ? { status: 200, body: setupTokenJson(token) } : notFound();
    }
    if ((m = /^\/v3\/vault\/payment-tokens\/([^/]+)$/.exec(path))) {
      const token = ledger.vault.paymentTokens.get(decodeURIComponent(m[1]!));
      return token ? { status: 200, body: paymentTokenJson(token) } : notFound();
    }
    return notFound();
  }

  function token(req: IncomingMessage, body: string): Reply {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    if (header(req, "authorization") !== expected || !new URLSearchParams(body).has("grant_type")) {
      return { status: 401, body: { error: "invalid_client", error_description: "Client Authentication failed" } };
    }
    const accessToken = `A21AA${randomBytes(24).toString("base64url")}`;
    tokens.push(accessToken);
    liveTokens.set(accessToken, clock().getTime());
    return {
      status: 200,
      body: {
        scope: "https://uri.paypal.com/services/payments/payment",
        access_token: accessToken,
        token_type: "Bearer",
        app_id: "APP-80W284485P519543T",
        expires_in: tokenLifetime,
        nonce: `${paypalTime(clock())}${randomBytes(8).toString("hex")}`,
      },
    };
  }

  /** Transaction search: start/end required, at most 31 days apart; 1-based pages; default only balance-affecting rows. */
  function searchTransactions(query: URLSearchParams): Reply | Refusal {
    const start = Date.parse(query.get("start_date") ?? "");
    const end = Date.parse(query.get("end_date") ?? "");
    if (Number.isNaN(start) || Number.isNaN(end)) {
      return { status: 400, body: errorBody(undefined, 400, "INVALID_REQUEST") };
    }
    if (end - start > 31 * 24 * 3600 * 1000 || end < start) {
      return { status: 400, body: errorBody(undefined, 400, "INVALID_REQUEST") };
    }
    const pageSize = Math.min(Number(query.get("page_size") ?? 100) || 100, 500);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const balanceOnly = (query.get("balance_affecting_records_only") ?? "Y") !== "N";
    const transactionId = query.get("transaction_id");
    const rows = ledger.transactions.filter((row) => {
      const at = row.at.getTime();
      if (at < start || at > end) return false;
      if (balanceOnly && !row.balanceAffecting) return false;
      return !transactionId || row.transactionId === transactionId;
    });
    const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
    const details = rows.slice((page - 1) * pageSize, page * pageSize).map(transactionJson);
    const self = new URLSearchParams(query);
    return {
      status: 200,
      body: {
        // PayPal's schema allows no empty list here (minItems 1): an empty page has no transaction_details.
        ...(details.length ? { transaction_details: details } : {}),
        account_number: MERCHANT_ID,
        start_date: paypalTime(new Date(start)),
        end_date: paypalTime(new Date(end)),
        last_refreshed_datetime: paypalTime(clock()),
        page,
        total_items: rows.length,
        total_pages: totalPages,
        links: [{ href: `https://api-m.sandbox.paypal.com/v1/reporting/transactions?${self.toString()}`, rel: "self", method: "GET" }],
      },
    };
  }

  /**
   * verify-webhook-signature, done the way PayPal describes: fetch the certificate at cert_url, then check
   * SHA256withRSA over `transmission_id|transmission_time|webhook_id|crc32(event bytes)`. The event bytes are the
   * `webhook_event` member exactly as sent, so a caller that re-serialized the body fails here too.
   */
  function verifyWebhook(json: unknown, raw: string): Reply {
    const request = (json ?? {}) as Record<string, unknown>;
    const event = rawJsonMember(raw, "webhook_event");
    const pem = certificates.get(String(request["cert_url"]));
    let ok = false;
    if (event !== null && pem && request["webhook_id"] === webhookId && request["auth_algo"] === "SHA256withRSA") {
      const message = `${String(request["transmission_id"])}|${String(request["transmission_time"])}|${webhookId}|${crc32(Buffer.from(event, "utf8"))}`;
      try {
        ok = createVerify("sha256")
          .update(message)
          .verify(new X509Certificate(pem).publicKey, String(request["transmission_sig"]), "base64");
      } catch {
        ok = false;
      }
    }
    return { status: 200, body: { verification_status: ok ? "SUCCESS" : "FAILURE" } };
  }

  function send(res: ServerResponse, reply: Reply, method: string, path: string): void {
    if (res.destroyed) return;
    responses.push({ method, path, status: reply.status, body: reply.body });
    const headers: Record<string, string> = { "paypal-debug-id": debugId(), ...reply.headers };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res.writeHead(reply.status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      send(res, { status: 500, body: errorBody(undefined, 500) }, req.method ?? "GET", req.url ?? "/");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  function captureOf(id: string): FakeCapture {
    const capture = ledger.captures.get(id);
    if (!capture) throw new Error(`paypal-fake: no capture ${id}`);
    return capture;
  }

  return {
    baseUrl,
    ledger,
    requests,
    responses,
    clientId,
    clientSecret,
    webhookId,
    issuedTokens: tokens,
    httpClientOptions: () => ({ baseURL: baseUrl, allowAbsoluteUrls: false, proxy: false }),
    approveOrder: (orderId, outcome) => ledger.approve(orderId, outcome),
    settleCapture: (captureId, status) => void ledger.settleCapture(captureId, status),
    planNextRefund: (plan) => ledger.planNextRefund(plan),
    planNextSetup: (plan) => ledger.vault.planNextSetup(plan),
    approveSetupToken: (id) => ledger.vault.approveSetupToken(id),
    setOffSession: (id, behaviour) => ledger.vault.setOffSession(id, behaviour),
    revokeTokens: () => liveTokens.clear(),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    registerCertificate: (certUrl, pem) => void certificates.set(certUrl, pem),
    webhookEvent(eventType, resource, resourceType) {
      return {
        id: `WH-${randomBytes(8).toString("hex").toUpperCase()}-${randomBytes(8).toString("hex").toUpperCase()}`,
        event_version: "1.0",
        create_time: paypalTime(clock()),
        resource_type: resourceType,
        resource_version: "2.0",
        event_type: eventType,
        summary: `${eventType} (fake)`,
        resource,
        links: [
          { href: "https://api-m.sandbox.paypal.com/v1/notifications/webhooks-events/fake", rel: "self", method: "GET" },
        ],
      };
    },
    disputeResource(captureId, disputeOptions = {}) {
      const capture = captureOf(captureId);
      const transaction: Record<string, unknown> = {
        seller_transaction_id: capture.id,
        create_time: capture.createTime,
        transaction_status: "COMPLETED",
        gross_amount: captureJson(ledger, capture, true)["amount"],
        seller: { merchant_id: MERCHANT_ID },
      };
      if (disputeOptions.custom !== undefined) transaction["custom"] = disputeOptions.custom;
      const at = paypalTime(clock());
      return {
        dispute_id: `PP-D-${randomBytes(3).readUIntBE(0, 3)}`,
        create_time: at,
        update_time: at,
        disputed_transactions: [transaction],
        reason: disputeOptions.reason ?? "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
        status: disputeOptions.status ?? "OPEN",
        dispute_amount: captureJson(ledger, capture, true)["amount"],
        dispute_life_cycle_stage: "INQUIRY",
        dispute_channel: "INTERNAL",
        links: [{ href: "https://api-m.sandbox.paypal.com/v1/customer/disputes/fake", rel: "self", method: "GET" }],
      };
    },
    heldAmounts(orderId) {
      const order = ledger.orders.get(orderId);
      if (!order) throw new Error(`paypal-fake: no order ${orderId}`);
      let refunded = 0n;
      for (const captureId of order.captureIds) {
        for (const refundId of ledger.captures.get(captureId)?.refundIds ?? []) {
          const refund = ledger.refunds.get(refundId);
          if (refund && refund.status !== "FAILED" && refund.status !== "CANCELLED") refunded += refund.units;
        }
      }
      return { currency: order.currency, amount: formatValue(order.units, order.currency), refunded: formatValue(refunded, order.currency) };
    },
    order: (id) => json(ledger.orders.get(id), (o) => orderJson(ledger, o)),
    capture: (id) => json(ledger.captures.get(id), (c) => captureJson(ledger, c, true)),
    authorization: (id) => json(ledger.authorizations.get(id), (a) => authorizationJson(a, true)),
    refund: (id) => json(ledger.refunds.get(id), refundJson),
    reset() {
      ledger.clear();
      orderRequestIds.clear();
      vaultRequestIds.clear();
      faults.clear();
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function json<T>(value: T | undefined, render: (value: T) => Record<string, unknown>): Record<string, unknown> {
  if (value === undefined) throw new Error("paypal-fake: no such object");
  return render(value);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
