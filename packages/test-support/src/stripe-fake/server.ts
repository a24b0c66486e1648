import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  FakeStripeState,
  apiError,
  type ActionOutcome,
  type ApiResult,
  type FakeDisputeStatus,
  type OpenDisputeOptions,
} from "./fake-state.js";
import { FaultPlan, type FaultKind, type FaultSpec } from "./faults.js";
import { canonicalParams, parseFormParams, stringParam, type FormParams } from "./form-params.js";
import { IdempotencyCache } from "./idempotency-cache.js";
import type {
  FakeCharge,
  FakeCustomer,
  FakeDispute,
  FakeEvent,
  FakePaymentIntent,
  FakePaymentMethod,
  FakeRefund,
  FakeSetupIntent,
  Json,
} from "./stripe-objects.js";
import { signWebhookPayload, type SignedWebhook, type TestHeaderSigner } from "./webhook-signing.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface StripeFakeOptions {
  /** The secret key clients must send as `Authorization: Bearer …` (default `sk_test_fake`). */
  apiKey?: string;
  /** The fake's clock in epoch milliseconds (default `Date.now`); `advanceClock` adds to it. */
  now?: () => number;
  /** How long an idempotency key is remembered (default 24 h, as at Stripe). */
  idempotencyRetentionMs?: number;
  /** Sees every answer of the Stripe API (not the `/_fake/` helpers), e.g. to check it against Stripe's definition. */
  onResponse?: (response: SentResponse) => void;
  /** Sees every event the fake emits, as it would be delivered. */
  onEvent?: (event: FakeEvent) => void;
  /**
   * How long card authorizations stay capturable, in seconds (default 7 days). Stripe's windows differ by network and
   * initiator (Visa merchant-initiated: 4 days 18 hours), which is why `capture_before` must be read, not assumed.
   */
  authorizationWindowS?: number;
  /**
   * How `webhook()` signs an event as Stripe delivers it: the SDK's own test signer (passed in, so this package
   * needs no `stripe` dependency) and the endpoint secret it signs with unless told another.
   */
  webhooks?: { signer: TestHeaderSigner; secret: string };
}

/** One answer the fake sent: what a client saw on the wire. */
export interface SentResponse {
  method: string;
  path: string;
  status: number;
  body: Json;
  headers: Readonly<Record<string, string>>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number | "dropped";
  replayed: boolean;
  /**
   * A read's decoded query parameters (`expand[]`, `created[gte]`, ...), so a test can see how a client pages.
   * Never a write's body: that may carry what a test must not keep.
   */
  query?: FormParams;
}

export interface StripeFake {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly url: string;
  readonly apiKey: string;
  /** Settings for `new Stripe(apiKey, …)` that point the real SDK at this fake, with no retries or telemetry. */
  clientConfig(timeoutMs?: number): {
    host: string;
    port: number;
    protocol: "http";
    maxNetworkRetries: 0;
    timeout: number;
    telemetry: false;
  };
  now(): number;
  advanceClock(ms: number): void;
  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  completeAction(paymentIntentId: string, outcome?: ActionOutcome): FakePaymentIntent;
  /** The customer's 3-D Secure step on a SetupIntent in `requires_action` (saving a card that asks for it). */
  completeSetupAction(setupIntentId: string, outcome?: ActionOutcome): FakeSetupIntent;
  customers(): FakeCustomer[];
  setupIntents(): FakeSetupIntent[];
  /** The account's PaymentMethods (made when a test card was saved), with the customer each is attached to. */
  paymentMethods(): FakePaymentMethod[];
  /** Settles a PaymentIntent left `processing` (see the `processing` fault). */
  settlePayment(paymentIntentId: string, outcome: "succeeded" | "failed"): FakePaymentIntent;
  setRefundStatus(status: "succeeded" | "pending"): void;
  /** Settles a pending refund, or fails any refund not yet failed (a succeeded one too), with `failureReason`. */
  settleRefund(refundId: string, outcome: "succeeded" | "failed", failureReason?: string): FakeRefund;
  /** Opens a dispute of the PaymentIntent's charge (kept, listed, moved) and emits `charge.dispute.created`. */
  openDispute(paymentIntentId: string, options?: OpenDisputeOptions): { dispute: FakeDispute; event: FakeEvent };
  /** `openDispute` for a caller that needs only the dispute. */
  createDispute(paymentIntentId: string, reason?: string, options?: { withoutPaymentIntent?: boolean }): FakeDispute;
  /** Moves a dispute to `status`: `charge.dispute.closed` into a closed status, `charge.dispute.updated` otherwise. */
  moveDispute(disputeId: string, status: FakeDisputeStatus): FakeEvent;
  /** Records money the dispute moved (`charge.dispute.funds_withdrawn` / `funds_reinstated`); status unchanged. */
  disputeFunds(disputeId: string, movement: "funds_withdrawn" | "funds_reinstated"): FakeEvent;
  /** The disputes the account holds, in the order they were opened. */
  disputes(): FakeDispute[];
  /**
   * The event as Stripe delivers it: its exact bytes and a `Stripe-Signature` by the SDK's signer (the
   * `webhooks` option), with that option's secret unless given another.
   */
  webhook(event: FakeEvent, secret?: string): SignedWebhook;
  events(type?: string): FakeEvent[];
  paymentIntents(): FakePaymentIntent[];
  charge(chargeId: string): FakeCharge | undefined;
  refunds(): FakeRefund[];
  readonly requests: readonly RequestLogEntry[];
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: RegExp;
  mutating: boolean;
  handle(state: FakeStripeState, params: FormParams, match: RegExpExecArray): ApiResult;
}

const id = (m: RegExpExecArray): string => decodeURIComponent(m[1] ?? "");

const ROUTES: Route[] = [
  { method: "POST", pattern: /^\/v1\/payment_intents$/, mutating: true, handle: (s, p) => s.createPaymentIntent(p) },
  { method: "GET", pattern: /^\/v1\/payment_intents$/, mutating: false, handle: (s, p) => s.listPaymentIntents(p) },
  {
    method: "GET",
    pattern: /^\/v1\/payment_intents\/search$/,
    mutating: false,
    handle: (s, p) => s.searchPaymentIntents(p),
  },
  {
    method: "GET",
    pattern: /^\/v1\/payment_intents\/([^/]+)$/,
    mutating: false,
    handle: (s, p, m) => s.retrievePaymentIntent(id(m), p),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
    mutating: true,
    handle: (s, p, m) => s.confirmPaymentIntent(id(m), p),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/capture$/,
    mutating: true,
    handle: (s, p, m) => s.capturePaymentIntent(id(m), p),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
    mutating: true,
    handle: (s, p, m) => s.cancelPaymentIntent(id(m), p),
  },
  { method: "POST", pattern: /^\/v1\/refunds$/, mutating: true, handle: (s, p) => s.createRefund(p) },
  { method: "GET", pattern: /^\/v1\/refunds$/, mutating: false, handle: (s, p) => s.listRefunds(p) },
  { method: "GET", pattern: /^\/v1\/refunds\/([^/]+)$/, mutating: false, handle: (s, _p, m) => s.retrieveRefund(id(m)) },
  { method: "GET", pattern: /^\/v1\/charges\/([^/]+)$/, mutating: false, handle: (s, _p, m) => s.retrieveCharge(id(m)) },
  { method: "GET", pattern: /^\/v1\/disputes$/, mutating: false, handle: (s, p) => s.listDisputes(p) },
  { method: "GET", pattern: /^\/v1\/disputes\/([^/]+)$/, mutating: false, handle: (s, p, m) => s.retrieveDispute(id(m), p) },
  { method: "POST", pattern: /^\/v1\/customers$/, mutating: true, handle: (s, p) => s.createCustomer(p) },
  { method: "GET", pattern: /^\/v1\/customers\/([^/]+)$/, mutating: false, handle: (s, _p, m) => s.retrieveCustomer(id(m)) },
  { method: "POST", pattern: /^\/v1\/setup_intents$/, mutating: true, handle: (s, p) => s.createSetupIntent(p) },
  { method: "GET", pattern: /^\/v1\/setup_intents$/, mutating: false, handle: (s, p) => s.listSetupIntents(p) },
  { method: "GET", pattern: /^\/v1\/setup_intents\/([^/]+)$/, mutating: false, handle: (s, p, m) => s.retrieveSetupIntent(id(m), p) },
  {
    method: "POST",
    pattern: /^\/v1\/setup_intents\/([^/]+)\/confirm$/,
    mutating: true,
    handle: (s, p, m) => s.confirmSetupIntent(id(m), p),
  },
  { method: "GET", pattern: /^\/v1\/payment_methods\/([^/]+)$/, mutating: false, handle: (s, _p, m) => s.retrievePaymentMethod(id(m)) },
  {
    method: "POST",
    pattern: /^\/v1\/payment_methods\/([^/]+)\/attach$/,
    mutating: true,
    handle: (s, p, m) => s.attachPaymentMethod(id(m), p),
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_methods\/([^/]+)\/detach$/,
    mutating: true,
    handle: (s, _p, m) => s.detachPaymentMethod(id(m)),
  },
  {
    // Fake-only: the customer finishing 3-D Secure in the browser. Not part of Stripe's API.
    method: "POST",
    pattern: /^\/_fake\/payment_intents\/([^/]+)\/complete_action$/,
    mutating: false,
    handle: (s, p, m) => {
      try {
        const outcome = (stringParam(p, "outcome") ?? "succeed") as ActionOutcome;
        return { status: 200, body: s.completeAction(id(m), outcome) };
      } catch (error) {
        return apiError(400, { type: "invalid_request_error", message: (error as Error).message });
      }
    },
  },
];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

let requestCounter = 0;

const IN_FLIGHT_MESSAGE =
  "There is currently another in-progress request using this Stripe-Idempotency-Key. Please try again later.";

/** The answer an injected `status` fault gives, typed as Stripe types its errors of that status. */
function injectedStatus(fault: Extract<FaultKind, { kind: "status" }>): ApiResult {
  const type =
    fault.type ?? (fault.status === 429 ? "invalid_request_error" : fault.status >= 500 ? "api_error" : "invalid_request_error");
  return apiError(fault.status, {
    type,
    code: fault.code ?? (fault.status === 429 ? "rate_limit" : undefined),
    message: fault.message ?? `stripe-fake injected HTTP ${fault.status}`,
  });
}

function lostAnswer(): ApiResult {
  return apiError(500, {
    type: "api_error",
    message: "An unknown error occurred while processing this request (stripe-fake: the request took effect).",
  });
}

/** Starts a local, stateful Stripe API on 127.0.0.1 (an ephemeral port) that the real stripe-node SDK can call. */
export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFake> {
  const apiKey = options.apiKey ?? "sk_test_fake";
  const baseNow = options.now ?? Date.now;
  let offsetMs = 0;
  const now = (): number => baseNow() + offsetMs;
  let port = 0;
  const state = (): FakeStripeState => current;
  const newState = () =>
    new FakeStripeState({
      now,
      baseUrl: () => `http://127.0.0.1:${port}`,
      onEvent: options.onEvent,
      authorizationWindowS: options.authorizationWindowS,
    });
  let current = newState();
  const idempotency = new IdempotencyCache(now, options.idempotencyRetentionMs ?? DAY_MS);
  const faults = new FaultPlan();
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function send(req: IncomingMessage, res: ServerResponse, result: ApiResult, extra: Record<string, string> = {}): void {
    const body = JSON.stringify(result.body, null, 2);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "request-id": `req_fake${++requestCounter}`,
      ...(state().apiVersion === null ? {} : { "stripe-version": state().apiVersion as string }),
      ...extra,
    };
    res.writeHead(result.status, { ...headers, "content-length": Buffer.byteLength(body) });
    res.end(body);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (!path.startsWith("/_fake/")) {
      options.onResponse?.({ method: req.method ?? "GET", path, status: result.status, body: result.body, headers });
    }
  }

  /** Runs a mutating request under its idempotency key: Stripe holds the key while the endpoint runs. */
  async function runUnderKey(
    key: string,
    fingerprint: string,
    holdMs: number,
    run: () => ApiResult,
  ): Promise<ApiResult> {
    idempotency.begin(key);
    let result: ApiResult;
    try {
      // Never synchronous: a request with the same key arriving meanwhile must see this one in flight (409).
      await new Promise((resolve) => (holdMs > 0 ? setTimeout(resolve, holdMs) : setImmediate(resolve)));
      result = run();
    } catch (error) {
      // A handler bug must not leave the key locked forever: release it without storing anything.
      idempotency.abandon(key);
      throw error;
    }
    idempotency.finish(key, fingerprint, result);
    return result;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const text = method === "GET" || method === "DELETE" ? url.search.slice(1) : await readBody(req);
    const params = parseFormParams(text);
    const key = header(req, "idempotency-key");
    const log: RequestLogEntry = { method, path, idempotencyKey: key, status: 0, replayed: false };
    if (method === "GET") log.query = structuredClone(params);
    requests.push(log);

    const fault = faults.take(method, path);
    if (fault?.kind === "drop_before") {
      log.status = "dropped";
      req.socket.destroy();
      return;
    }
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
    const underKey = route?.mutating === true && key !== null;
    const fingerprint = `${method} ${path} ${canonicalParams(params)}`;
    if (fault?.kind === "status" && !(fault.saved && underKey)) {
      log.status = fault.status;
      send(req, res, injectedStatus(fault));
      return;
    }

    let result: ApiResult;
    let extra: Record<string, string> = {};
    if (!path.startsWith("/_fake/") && header(req, "authorization") !== `Bearer ${apiKey}`) {
      result = apiError(401, {
        type: "invalid_request_error",
        message: `Invalid API Key provided: ${apiKey.slice(0, 8)}****`,
      });
    } else if (!route) {
      result = apiError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
    } else {
      const version = header(req, "stripe-version");
      if (version !== null) state().apiVersion = version;
      // Whatever the network decided since the last call is visible to every read.
      if (!route.mutating) state().applyLaterOutcomes();
      const match = route.pattern.exec(path) as RegExpExecArray;
      const execute = (): ApiResult => {
        if (fault?.kind === "status") return { ...injectedStatus(fault), saved: true };
        armStateFault(fault, params);
        const answer = route.handle(state(), params, match);
        // Stripe acted, then failed before answering: the 500 is what it saves for the key.
        return fault?.kind === "answer_lost" ? { ...lostAnswer(), saved: true } : answer;
      };
      const lookup = underKey ? idempotency.lookup(key as string, fingerprint) : { kind: "miss" as const };
      if (lookup.kind === "replay") {
        result = { status: lookup.status, body: lookup.body };
        extra = { "idempotent-replayed": "true", "idempotency-key": key as string };
        log.replayed = true;
      } else if (lookup.kind === "mismatch") {
        result = apiError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      } else if (lookup.kind === "in_flight") {
        result = apiError(409, {
          type: "idempotency_error",
          code: "idempotency_key_in_use",
          doc_url: "https://stripe.com/docs/error-codes/idempotency-key-in-use",
          message: IN_FLIGHT_MESSAGE,
        });
      } else if (underKey) {
        result = await runUnderKey(key as string, fingerprint, fault?.kind === "slow" ? fault.ms : 0, execute);
        extra = { "idempotency-key": key as string };
      } else {
        result = execute();
      }
      // Stripe's own hint to its SDKs: a saved 5xx would only be replayed, so retrying it under this key is pointless.
      if (underKey && result.status >= 500 && result.saved !== false) extra["stripe-should-retry"] = "false";
    }
    log.status = result.status;

    if (fault?.kind === "drop_after_commit") {
      log.status = "dropped";
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "delay") {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send(req, res, result, extra);
      }, fault.ms);
      timers.add(timer);
      return;
    }
    send(req, res, result, extra);
  }

  /** Faults that change what the account does rather than what the wire carries. */
  function armStateFault(fault: FaultKind | null, params: FormParams): void {
    if (fault?.kind === "decline") {
      state().nextConfirmation = {
        kind: "decline",
        code: fault.code ?? "card_declined",
        declineCode: fault.declineCode,
        message: fault.message ?? "Your card was declined.",
      };
    } else if (fault?.kind === "processing") {
      state().nextConfirmation = { kind: "processing" };
    } else if (fault?.kind === "refund_fails_later") {
      state().nextRefundFailsLater = fault.failureReason ?? "expired_or_canceled_card";
    } else if (fault?.kind === "dispute_charge") {
      const target = stringParam(params, "payment_intent");
      if (target !== undefined && state().paymentIntents.has(target)) state().openDispute(target);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        send(req, res, apiError(500, { type: "api_error", message: `stripe-fake bug: ${(error as Error).message}` }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    host: "127.0.0.1",
    port,
    url: `http://127.0.0.1:${port}`,
    apiKey,
    clientConfig: (timeoutMs = 5000) => ({
      host: "127.0.0.1",
      port,
      protocol: "http",
      maxNetworkRetries: 0,
      timeout: timeoutMs,
      telemetry: false,
    }),
    now,
    advanceClock: (ms) => {
      offsetMs += ms;
    },
    injectFault: (spec) => faults.arm(spec),
    clearFaults: () => faults.clear(),
    completeAction: (piId, outcome = "succeed") => state().completeAction(piId, outcome),
    completeSetupAction: (setiId, outcome = "succeed") => state().completeSetupAction(setiId, outcome),
    customers: () => [...state().customers.values()].map((c) => structuredClone(c)),
    setupIntents: () => [...state().setupIntents.values()].map((si) => structuredClone(si)),
    paymentMethods: () => state().listAccountMethods(),
    settlePayment: (piId, outcome) => state().settlePayment(piId, outcome),
    setRefundStatus: (status) => {
      state().refundStatus = status;
    },
    settleRefund: (refundId, outcome, failureReason) => state().settleRefund(refundId, outcome, failureReason),
    openDispute: (piId, disputeOptions) => state().openDispute(piId, disputeOptions),
    createDispute: (piId, reason, disputeOptions) =>
      state().openDispute(piId, { ...(reason === undefined ? {} : { reason }), ...disputeOptions }).dispute,
    moveDispute: (disputeId, status) => state().moveDispute(disputeId, status),
    disputeFunds: (disputeId, movement) => state().disputeFunds(disputeId, movement),
    disputes: () => [...state().disputes.values()].map((d) => structuredClone(d)),
    webhook: (event, secret) => {
      if (!options.webhooks) throw new Error("stripe-fake: webhook() needs the `webhooks` option (the SDK's signer and a secret)");
      return signWebhookPayload({ signer: options.webhooks.signer, payload: JSON.stringify(event, null, 2), secret: secret ?? options.webhooks.secret });
    },
    events: (type) => state().events.filter((e) => type === undefined || e.type === type).map((e) => structuredClone(e)),
    paymentIntents: () => [...state().paymentIntents.values()].map((pi) => structuredClone(pi)),
    charge: (chargeId) => {
      const charge = state().charges.get(chargeId);
      return charge === undefined ? undefined : structuredClone(charge);
    },
    refunds: () => [...state().refunds.values()].map((r) => structuredClone(r)),
    requests,
    reset: () => {
      current = newState();
      idempotency.clear();
      faults.clear();
      requests.length = 0;
      offsetMs = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // The SDK keeps connections alive; without this, close() waits for them to time out.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { Json };
