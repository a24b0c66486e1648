import { createVerify, randomBytes, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import { FaultPlan, type FaultRule } from "./faults.js";
import { errorReply, FakeLedger, isReply, notFound, type ApprovalOutcome, type Reply } from "./fake-ledger.js";
import { debugId } from "./ids.js";
import { rawJsonMember } from "./raw-json-member.js";
import { RequestIdCache } from "./request-id-cache.js";
import { authorizationJson, captureJson, orderJson, refundJson, transactionJson } from "./wire-objects.js";

export interface PayPalFakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** The webhook id the verify endpoint accepts. */
  webhookId?: string;
  /** How long a PayPal-Request-Id is remembered; Orders v2 documents 6 hours. */
  requestIdRetentionMs?: number;
  /** Injectable clock, for request-id retention and timestamps. */
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

export interface PayPalFake {
  readonly baseUrl: string;
  readonly ledger: FakeLedger;
  readonly requests: RecordedRequest[];
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
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Registers a webhook certificate the verify-webhook-signature endpoint will fetch "from" this URL. */
  registerCertificate(certUrl: string, pem: string): void;
  /** A webhook event envelope around a resource, shaped like PayPal's (id, event_type, resource, ...). */
  webhookEvent(eventType: string, resource: Record<string, unknown>, resourceType: string): Record<string, unknown>;
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

/** Starts the fake PayPal REST API on 127.0.0.1 (a random port). */
export async function startPayPalFake(options: PayPalFakeOptions = {}): Promise<PayPalFake> {
  const clock = options.clock ?? (() => new Date());
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const webhookId = options.webhookId ?? "WH0FAKE0000000001";
  const ledger = new FakeLedger(clock);
  const requestIds = new RequestIdCache(options.requestIdRetentionMs ?? SIX_HOURS_MS, () => clock().getTime());
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const tokens: string[] = [];
  const certificates = new Map<string, string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const origin = PAYPAL_ORIGIN.exec(url.pathname);
    const path = origin ? url.pathname.slice(origin[0].length) : url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const requestId = header(req, "paypal-request-id");
    requests.push({ method, path, host: origin?.[1], requestId, body });

    const fault = faults.take(method, path);
    if (fault?.kind === "drop_before") return void req.socket.destroy();
    if (fault?.kind === "status") {
      const name = fault.status === 429 ? "RATE_LIMIT_REACHED" : fault.status >= 500 ? "INTERNAL_SERVER_ERROR" : "FAULT";
      const reply = errorReply(fault.status, name, "Injected by the fake.", fault.issue);
      if (fault.retryAfterSeconds !== undefined) reply.headers = { "retry-after": String(fault.retryAfterSeconds) };
      return send(res, reply);
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));

    const reply = route(method, path, url.searchParams, body, req, requestId);
    if (fault?.kind === "drop_after_success") return void req.socket.destroy();
    send(res, reply);
  }

  function route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
    req: IncomingMessage,
    requestId: string | undefined,
  ): Reply {
    if (method === "POST" && path === "/v1/oauth2/token") return token(req, body);
    const authorization = header(req, "authorization") ?? "";
    if (!tokens.includes(authorization.replace(/^Bearer /, ""))) {
      return errorReply(401, "AUTHENTICATION_FAILURE", "Authentication failed due to invalid authentication credentials or a missing Authorization header.");
    }
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      return errorReply(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", "MALFORMED_REQUEST_JSON");
    }
    if (method === "POST" && requestId) {
      const stored = requestIds.get(path, requestId);
      if (stored) return { status: stored.status, body: stored.body };
      const reply = mutate(path, json, body);
      if (reply.status >= 200 && reply.status < 300) requestIds.put(path, requestId, reply.status, reply.body);
      return reply;
    }
    if (method === "POST") return mutate(path, json, body);
    if (method === "GET") return read(path, query);
    return notFound();
  }

  function mutate(path: string, json: unknown, raw: string): Reply {
    let m: RegExpExecArray | null;
    if (path === "/v2/checkout/orders") {
      const order = ledger.createOrder(json);
      return isReply(order) ? order : { status: 201, body: orderJson(ledger, order) };
    }
    if ((m = /^\/v2\/checkout\/orders\/([^/]+)\/(capture|authorize)$/.exec(path))) {
      const id = decodeURIComponent(m[1]!);
      const order = m[2] === "capture" ? ledger.captureOrder(id) : ledger.authorizeOrder(id);
      return isReply(order) ? order : { status: 201, body: orderJson(ledger, order) };
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)\/capture$/.exec(path))) {
      const capture = ledger.captureAuthorization(decodeURIComponent(m[1]!), json);
      return isReply(capture) ? capture : { status: 201, body: captureJson(ledger, capture, true) };
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)\/void$/.exec(path))) {
      const authorization = ledger.voidAuthorization(decodeURIComponent(m[1]!));
      // Without `Prefer: return=representation` PayPal answers 204 No Content.
      return isReply(authorization) ? authorization : { status: 204 };
    }
    if ((m = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path))) {
      const refund = ledger.refundCapture(decodeURIComponent(m[1]!), json);
      return isReply(refund) ? refund : { status: 201, body: refundJson(refund) };
    }
    if (path === "/v1/notifications/verify-webhook-signature") return verifyWebhook(json, raw);
    return notFound();
  }

  function read(path: string, query: URLSearchParams): Reply {
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path))) {
      const order = ledger.orders.get(decodeURIComponent(m[1]!));
      return order ? { status: 200, body: orderJson(ledger, order) } : notFound();
    }
    if ((m = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path))) {
      const capture = ledger.captures.get(decodeURIComponent(m[1]!));
      return capture ? { status: 200, body: captureJson(ledger, capture, true) } : notFound();
    }
    if ((m = /^\/v2\/payments\/authorizations\/([^/]+)$/.exec(path))) {
      const authorization = ledger.authorizations.get(decodeURIComponent(m[1]!));
      return authorization ? { status: 200, body: authorizationJson(authorization, true) } : notFound();
    }
    if ((m = /^\/v2\/payments\/refunds\/([^/]+)$/.exec(path))) {
      const refund = ledger.refunds.get(decodeURIComponent(m[1]!));
      return refund ? { status: 200, body: refundJson(refund) } : notFound();
    }
    if (path === "/v1/reporting/transactions") return searchTransactions(query);
    return notFound();
  }

  function token(req: IncomingMessage, body: string): Reply {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    if (header(req, "authorization") !== expected || !new URLSearchParams(body).has("grant_type")) {
      return { status: 401, body: { error: "invalid_client", error_description: "Client Authentication failed" } };
    }
    const accessToken = `A21AA${randomBytes(24).toString("base64url")}`;
    tokens.push(accessToken);
    return {
      status: 200,
      body: {
        scope: "https://uri.paypal.com/services/payments/payment",
        access_token: accessToken,
        token_type: "Bearer",
        app_id: "APP-80W284485P519543T",
        expires_in: 32400,
        nonce: `${new Date().toISOString()}${randomBytes(8).toString("hex")}`,
      },
    };
  }

  /** Transaction search: start/end required, at most 31 days apart; 1-based pages; default only balance-affecting rows. */
  function searchTransactions(query: URLSearchParams): Reply {
    const start = Date.parse(query.get("start_date") ?? "");
    const end = Date.parse(query.get("end_date") ?? "");
    if (Number.isNaN(start) || Number.isNaN(end)) {
      return errorReply(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", "INVALID_REQUEST");
    }
    if (end - start > 31 * 24 * 3600 * 1000 || end < start) {
      return errorReply(400, "INVALID_REQUEST", "Date range is greater than 31 days", "INVALID_REQUEST");
    }
    const pageSize = Math.min(Number(query.get("page_size") ?? 100) || 100, 500);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const balanceOnly = (query.get("balance_affecting_records_only") ?? "Y") !== "N";
    const transactionId = query.get("transaction_id");
    const rows = ledger.transactions.filter((row) => {
      const at = Date.parse(row.at);
      if (at < start || at > end) return false;
      if (balanceOnly && !row.balanceAffecting) return false;
      return !transactionId || row.transactionId === transactionId;
    });
    const totalPages = Math.max(1, Math.ceil(rows.length / pageSize));
    return {
      status: 200,
      body: {
        transaction_details: rows.slice((page - 1) * pageSize, page * pageSize).map(transactionJson),
        account_number: "FAKEMERCHANT01",
        start_date: new Date(start).toISOString(),
        end_date: new Date(end).toISOString(),
        last_refreshed_datetime: clock().toISOString(),
        page,
        total_items: rows.length,
        total_pages: totalPages,
        links: [],
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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, errorReply(500, "INTERNAL_SERVER_ERROR", `fake failure: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    ledger,
    requests,
    clientId,
    clientSecret,
    webhookId,
    issuedTokens: tokens,
    httpClientOptions: () => ({ baseURL: baseUrl, allowAbsoluteUrls: false, proxy: false }),
    approveOrder: (orderId, outcome) => ledger.approve(orderId, outcome),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    registerCertificate: (certUrl, pem) => void certificates.set(certUrl, pem),
    webhookEvent(eventType, resource, resourceType) {
      return {
        id: `WH-${randomBytes(8).toString("hex").toUpperCase()}-${randomBytes(8).toString("hex").toUpperCase()}`,
        event_version: "1.0",
        create_time: clock().toISOString(),
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
    order: (id) => json(ledger.orders.get(id), (o) => orderJson(ledger, o)),
    capture: (id) => json(ledger.captures.get(id), (c) => captureJson(ledger, c, true)),
    authorization: (id) => json(ledger.authorizations.get(id), (a) => authorizationJson(a, true)),
    refund: (id) => json(ledger.refunds.get(id), refundJson),
    reset() {
      ledger.clear();
      requestIds.clear();
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

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { "paypal-debug-id": debugId(), ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  res.writeHead(reply.status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(reply.body));
}
