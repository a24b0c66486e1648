import { randomBytes } from "node:crypto";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  parseFormParams,
  signWebhookPayload,
  type FakeDispute,
  type FakeEvent,
  type Json,
  type SignedWebhook,
  type StripeFake,
} from "@org/payments-test-support/stripe-fake";
import Stripe from "stripe";
import { STRIPE_API_VERSION } from "../../src/index.js";
import { recordEvent, recordResponse } from "./stripe-wire-schema.js";

/*
 * Stripe's disputes for the adapter's tests, in front of the shared Stripe fake (test-support), which can open a
 * dispute but keeps none, serves no dispute endpoint and cannot move one. The desk is a small HTTP server every
 * rig's SDK talks to (stripe-harness.ts), since reconcile now lists disputes too: GET /v1/disputes and GET /v1/disputes/{id} it answers itself, from the disputes it keeps; every other
 * request passes through to the fake unchanged. Disputes are opened through the fake (so the charge is `disputed`
 * and its refunds are refused, as at Stripe), then kept and moved here, each change emitting the `charge.dispute.*`
 * event Stripe sends with the dispute's state after it. Every answer and event of the desk is checked against
 * Stripe's definition like the fake's own (stripe-wire-schema.ts, after each test file).
 */

/** The statuses the 2023-08-16 definition the wire check holds allows (newer ones are tested on the mapping alone). */
export type DeskDisputeStatus =
  | "warning_needs_response"
  | "warning_under_review"
  | "warning_closed"
  | "needs_response"
  | "under_review"
  | "won"
  | "lost";

const CLOSED = new Set<DeskDisputeStatus>(["warning_closed", "won", "lost"]);

export interface OpenDisputeOptions {
  reason?: string;
  /** An inquiry (`warning_needs_response`) instead of a chargeback (`needs_response`). */
  inquiry?: boolean;
  /** The dispute names only its charge (`payment_intent: null`). */
  withoutPaymentIntent?: boolean;
}

export interface DisputeDesk {
  /** Opens a dispute of the PaymentIntent's charge and emits `charge.dispute.created`; the fake's clock is its `created`. */
  open(paymentIntentId: string, options?: OpenDisputeOptions): { dispute: FakeDispute; event: FakeEvent };
  /** Moves a dispute to `status`: `charge.dispute.closed` into a closed status, `charge.dispute.updated` otherwise. */
  move(disputeId: string, status: DeskDisputeStatus): FakeEvent;
  /** Money moved by the dispute (`funds_withdrawn` at a chargeback, `funds_reinstated` when won); status unchanged. */
  funds(disputeId: string, movement: "funds_withdrawn" | "funds_reinstated"): FakeEvent;
  /** The events the desk emitted, oldest first (for one dispute when given). */
  events(disputeId?: string): FakeEvent[];
  disputes(): FakeDispute[];
  /** The dispute reads the desk answered, oldest first: their path and decoded query parameters. */
  readonly reads: ReadonlyArray<{ path: string; params: Record<string, unknown> }>;
  /** Forgets every dispute and event, and resets the fake behind it (its state, faults and clock). */
  reset(): void;
  /** The event as Stripe delivers it: the exact bytes and a `Stripe-Signature` made by the SDK's own signer (the rig's secret unless given). */
  webhook(event: FakeEvent, secret?: string): SignedWebhook;
}

export interface RunningDesk {
  desk: DisputeDesk;
  port: number;
  close(): Promise<void>;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function randomId(prefix: string, length = 24): string {
  let out = "";
  for (const byte of randomBytes(length)) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

type Answer = { status: number; body: Json };

function apiError(status: number, error: Record<string, string>): Answer {
  return { status, body: { error: { type: "invalid_request_error", ...error } } };
}

function notFound(id: string, param: string, status = 404): Answer {
  return apiError(status, {
    code: "resource_missing",
    doc_url: "https://stripe.com/docs/error-codes/resource-missing",
    param,
    message: `No such dispute: '${id}'`,
  });
}

function single(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The dispute desk in front of `fake`, on an ephemeral port; the rig's SDK is pointed at `port`. */
export async function startDisputeDesk(fake: StripeFake, settings: { webhookSecret: string }): Promise<RunningDesk> {
  const kept = new Map<string, FakeDispute>();
  const order: string[] = [];
  const emitted: FakeEvent[] = [];
  const reads: Array<{ path: string; params: Record<string, unknown> }> = [];
  const nowSeconds = () => Math.floor(fake.now() / 1000);

  function emit(type: string, dispute: FakeDispute): FakeEvent {
    const event: FakeEvent = {
      id: randomId("evt"),
      object: "event",
      // The version the adapter pins: it refuses webhooks rendered in any other.
      api_version: STRIPE_API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(dispute) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    emitted.push(event);
    recordEvent(structuredClone(event));
    return structuredClone(event);
  }

  function kept_(id: string): FakeDispute {
    const dispute = kept.get(id);
    if (!dispute) throw new Error(`the dispute desk holds no dispute ${id}`);
    return dispute;
  }

  function render(dispute: FakeDispute, expand: readonly string[], prefix: string): Json {
    const out: FakeDispute = structuredClone(dispute);
    if (expand.includes(`${prefix}payment_intent`) && typeof dispute.payment_intent === "string") {
      const pi = fake.paymentIntents().find((p) => p.id === dispute.payment_intent);
      if (pi) out.payment_intent = pi as unknown as string;
    }
    return out;
  }

  function expandOf(params: Record<string, unknown>): string[] {
    const raw = params["expand"];
    return Array.isArray(raw) ? raw.filter((v): v is string => typeof v === "string") : [];
  }

  function list(params: Record<string, unknown>): Answer {
    const limitText = single(params["limit"]);
    const limit = limitText === undefined ? 10 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return apiError(400, { param: "limit", message: "limit must be between 1 and 100" });
    }
    const created = params["created"];
    const range = created !== null && typeof created === "object" && !Array.isArray(created) ? (created as Record<string, unknown>) : {};
    const exact = single(created);
    const bound = (key: string) => (single(range[key]) === undefined ? undefined : Number(single(range[key])));
    const [gt, gte, lt, lte] = [bound("gt"), bound("gte"), bound("lt"), bound("lte")];
    const inWindow = (t: number) =>
      (exact === undefined || t === Number(exact)) &&
      (gt === undefined || t > gt) &&
      (gte === undefined || t >= gte) &&
      (lt === undefined || t < lt) &&
      (lte === undefined || t <= lte);
    // Newest first, as every Stripe list; ties keep the newer opening first.
    const items = [...order].reverse().map((id) => kept_(id)).filter((d) => inWindow(d.created));
    items.sort((a, b) => b.created - a.created);
    let start = 0;
    const after = single(params["starting_after"]);
    if (after !== undefined) {
      const index = items.findIndex((d) => d.id === after);
      if (index === -1) return notFound(after, "starting_after", 400);
      start = index + 1;
    }
    const expand = expandOf(params);
    const page = items.slice(start, start + limit);
    return {
      status: 200,
      body: { object: "list", data: page.map((d) => render(d, expand, "data.")), has_more: start + limit < items.length, url: "/v1/disputes" },
    };
  }

  function answer(req: IncomingMessage, res: ServerResponse, path: string, result: Answer): void {
    const body = JSON.stringify(result.body, null, 2);
    const headers: Record<string, string> = { "content-type": "application/json", "request-id": randomId("req", 14) };
    res.writeHead(result.status, { ...headers, "content-length": Buffer.byteLength(body) });
    res.end(body);
    recordResponse({ method: req.method ?? "GET", path, status: result.status, body: result.body, headers });
  }

  /** Everything that is not a dispute read goes to the fake as it came, and its answer back as it went. */
  function passThrough(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: fake.host, port: fake.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // The fake dropping a connection (a fault) drops this one too, as the client would see at Stripe.
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (req.method !== "GET" || !/^\/v1\/disputes(\/[^/]+)?$/.test(path)) return passThrough(req, res);
    if (req.headers.authorization !== `Bearer ${fake.apiKey}`) {
      return answer(req, res, path, apiError(401, { message: `Invalid API Key provided: ${fake.apiKey.slice(0, 8)}****` }));
    }
    const params = parseFormParams(url.search.slice(1)) as Record<string, unknown>;
    reads.push({ path, params });
    const id = /^\/v1\/disputes\/([^/]+)$/.exec(path)?.[1];
    if (id === undefined) return answer(req, res, path, list(params));
    const dispute = kept.get(decodeURIComponent(id));
    return answer(req, res, path, dispute ? { status: 200, body: render(dispute, expandOf(params), "") } : notFound(decodeURIComponent(id), "id"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  // Signs as Stripe does; only its webhook signer is used, never a request.
  const signer = new Stripe(fake.apiKey, fake.clientConfig()).webhooks;

  const desk: DisputeDesk = {
    open(paymentIntentId, options = {}) {
      // The fake opens it (flagging the charge); its own created event is superseded by the desk's, which carries
      // the dispute as the desk keeps it (an inquiry's status and case type included).
      const dispute = fake.createDispute(paymentIntentId, options.reason ?? "fraudulent", {
        withoutPaymentIntent: options.withoutPaymentIntent ?? false,
      });
      if (options.inquiry) {
        dispute.status = "warning_needs_response";
        const details = dispute["payment_method_details"] as { card?: { case_type?: Json } };
        if (details.card) details.card.case_type = "inquiry";
      }
      kept.set(dispute.id, dispute);
      order.push(dispute.id);
      return { dispute: structuredClone(dispute), event: emit("charge.dispute.created", dispute) };
    },
    move(disputeId, status) {
      const dispute = kept_(disputeId);
      dispute.status = status;
      const evidence = dispute["evidence_details"] as { submission_count: number; has_evidence: boolean };
      if (status === "under_review" || status === "warning_under_review") {
        evidence.submission_count += 1;
        evidence.has_evidence = true;
      }
      if (CLOSED.has(status)) dispute["is_charge_refundable"] = false;
      return emit(CLOSED.has(status) ? "charge.dispute.closed" : "charge.dispute.updated", dispute);
    },
    funds(disputeId, movement) {
      return emit(`charge.dispute.${movement}`, kept_(disputeId));
    },
    events: (disputeId) =>
      emitted.filter((e) => disputeId === undefined || e.data.object["id"] === disputeId).map((e) => structuredClone(e)),
    reads,
    disputes: () => order.map((id) => structuredClone(kept_(id))),
    reset: () => {
      kept.clear();
      order.length = 0;
      emitted.length = 0;
      reads.length = 0;
      fake.reset();
    },
    webhook: (event, secret = settings.webhookSecret) =>
      signWebhookPayload({ signer, payload: JSON.stringify(event, null, 2), secret }),
  };

  return {
    desk,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
