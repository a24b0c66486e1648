import { randomBytes } from "node:crypto";
import { errorBody, type PayPalFake, type PayPalWebhookHeaders, type PayPalWebhookSigner } from "@org/payments-test-support/paypal-fake";

/**
 * Disputes for the fake PayPal (Disputes API v1, developer.paypal.com/api/customer-disputes/v1/): the fake in
 * test-support serves orders, payments, reporting and webhooks, not disputes, so this adapter's tests keep them here
 * and serve them through `disputes-front.ts`. A dispute is opened on a capture the fake holds, moved by the test as
 * PayPal's agents (or the buyer) would, and reported as its resource, its list summary and its webhooks.
 *
 * Times carry milliseconds, as PayPal's dispute examples do ("2023-03-29T17:45:30.974Z"), and every change is at
 * least 1 ms after the one before, so a test's quick succession of moves still has ordered update_times.
 */
export type FakeDisputeStatus = "OPEN" | "WAITING_FOR_SELLER_RESPONSE" | "WAITING_FOR_BUYER_RESPONSE" | "UNDER_REVIEW" | "RESOLVED" | "OTHER";
export type FakeDisputeStage = "INQUIRY" | "CHARGEBACK" | "PRE_ARBITRATION" | "ARBITRATION";
export type FakeOutcome = "RESOLVED_BUYER_FAVOUR" | "RESOLVED_SELLER_FAVOUR" | "RESOLVED_WITH_PAYOUT" | "CANCELED_BY_BUYER" | "ACCEPTED" | "DENIED" | "NONE";

export interface FakeDispute {
  id: string;
  captureId: string;
  /** PayPal's copy of the purchase unit's custom_id on the transaction, when the test makes it send one. */
  custom: string | undefined;
  reason: string;
  status: FakeDisputeStatus;
  stage: FakeDisputeStage;
  outcome: FakeOutcome | undefined;
  amount: { currency_code: string; value: string };
  createTime: Date;
  updateTime: Date;
  sellerResponseDueDate: Date | undefined;
  buyerResponseDueDate: Date | undefined;
}

export interface OpenDisputeOptions {
  reason?: string;
  /** CHARGEBACK unless said: a claim, which PayPal decides (INQUIRY: buyer and seller talk first). */
  stage?: FakeDisputeStage;
  status?: FakeDisputeStatus;
  /** The disputed amount as PayPal's decimal text; the whole capture unless said. */
  value?: string;
  custom?: string;
}

export interface MoveDisputeOptions {
  status: FakeDisputeStatus;
  stage?: FakeDisputeStage;
  /** Required by the fake for RESOLVED (PayPal reports an outcome for a resolved dispute). */
  outcome?: FakeOutcome;
}

/** A reply the front sends, as the fake in test-support shapes its own. */
export interface DisputeReply {
  status: number;
  body: unknown;
}

const DAY_MS = 86_400_000;
/** The seller has 10 days to answer PayPal (the sandbox's due dates are 10 days out); the buyer as long. */
const RESPONSE_WINDOW_MS = 10 * DAY_MS;
const LIST_REACH_MS = 180 * DAY_MS;
const SANDBOX = "https://api-m.sandbox.paypal.com";

/** dispute_state, which PayPal derives from the status and stage (REQUIRED_ACTION, OPEN_INQUIRIES, ...). */
function disputeState(d: FakeDispute): string {
  switch (d.status) {
    case "OPEN":
    case "WAITING_FOR_SELLER_RESPONSE":
      return d.stage === "INQUIRY" ? "OPEN_INQUIRIES" : "REQUIRED_ACTION";
    case "WAITING_FOR_BUYER_RESPONSE":
      return "REQUIRED_OTHER_PARTY_ACTION";
    case "UNDER_REVIEW":
      return "UNDER_PAYPAL_REVIEW";
    case "RESOLVED":
      return "RESOLVED";
    default:
      return "UNDER_PAYPAL_REVIEW";
  }
}

export class FakeDisputes {
  readonly disputes = new Map<string, FakeDispute>();
  /** Every disputes request the front routed here, in order. */
  readonly calls: Array<{ method: string; path: string; query: URLSearchParams }> = [];
  #last = 0;
  #faults: DisputeReply[] = [];

  constructor(
    private readonly fake: PayPalFake,
    private readonly signer: PayPalWebhookSigner,
    private readonly clock: () => Date,
  ) {}

  #tick(): Date {
    this.#last = Math.max(this.clock().getTime(), this.#last + 1);
    return new Date(this.#last);
  }

  #get(id: string): FakeDispute {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new Error(`fake disputes: no dispute ${id}`);
    return dispute;
  }

  #dues(d: FakeDispute, at: Date): void {
    const seller = d.status === "OPEN" || d.status === "WAITING_FOR_SELLER_RESPONSE";
    d.sellerResponseDueDate = seller ? new Date(at.getTime() + RESPONSE_WINDOW_MS) : undefined;
    d.buyerResponseDueDate = d.status === "WAITING_FOR_BUYER_RESPONSE" ? new Date(at.getTime() + RESPONSE_WINDOW_MS) : undefined;
  }

  /** The buyer (or their bank) opens a dispute on a capture of the fake; returns PayPal's id, PP-D-… or PP-R-…. */
  open(captureId: string, options: OpenDisputeOptions = {}): string {
    const capture = this.fake.capture(captureId);
    const at = this.#tick();
    const stage = options.stage ?? "CHARGEBACK";
    const amount = capture["amount"] as { currency_code: string; value: string };
    const dispute: FakeDispute = {
      id: `PP-${stage === "INQUIRY" ? "D" : "R"}-${randomBytes(4).readUInt32BE(0) % 100_000_000}`,
      captureId,
      custom: options.custom,
      reason: options.reason ?? "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
      status: options.status ?? (stage === "INQUIRY" ? "OPEN" : "WAITING_FOR_SELLER_RESPONSE"),
      stage,
      outcome: undefined,
      amount: { currency_code: amount.currency_code, value: options.value ?? amount.value },
      createTime: at,
      updateTime: at,
      sellerResponseDueDate: undefined,
      buyerResponseDueDate: undefined,
    };
    this.#dues(dispute, at);
    this.disputes.set(dispute.id, dispute);
    return dispute.id;
  }

  /** PayPal moves the dispute (the seller answered, an agent decided, the buyer escalated); a resolved one stays. */
  move(id: string, options: MoveDisputeOptions): void {
    const dispute = this.#get(id);
    if (dispute.status === "RESOLVED") throw new Error(`fake disputes: ${id} is resolved`);
    if (options.status === "RESOLVED" && !options.outcome) throw new Error("fake disputes: a resolution needs an outcome");
    const at = this.#tick();
    dispute.status = options.status;
    if (options.stage) dispute.stage = options.stage;
    dispute.outcome = options.status === "RESOLVED" ? options.outcome : undefined;
    dispute.updateTime = at;
    this.#dues(dispute, at);
  }

  /** The next list or show call answers this instead (a 503, a 400). */
  failNext(status: number, issue?: string): void {
    this.#faults.push({ status, body: errorBody(undefined, status, issue) });
  }

  /** GET /v1/customer/disputes/{id}: the full resource, as a CUSTOMER.DISPUTE.* webhook also carries it. */
  resource(id: string): Record<string, unknown> {
    const d = this.#get(id);
    const capture = this.fake.ledger.captures.get(d.captureId);
    const transaction: Record<string, unknown> = {
      seller_transaction_id: d.captureId,
      create_time: capture?.createTime,
      transaction_status: "COMPLETED",
      gross_amount: this.fake.capture(d.captureId)["amount"],
      seller: { merchant_id: "FAKEMERCHANT2" },
    };
    if (d.custom !== undefined) transaction["custom"] = d.custom;
    return {
      ...this.summary(id),
      disputed_transactions: [transaction],
      ...(d.outcome ? { dispute_outcome: { outcome_code: d.outcome, ...(lostBy(d.outcome) ? { amount_refunded: d.amount } : {}) } } : {}),
    };
  }

  /** An item of the list: PayPal's summary set (no transactions, no outcome). */
  summary(id: string): Record<string, unknown> {
    const d = this.#get(id);
    return {
      dispute_id: d.id,
      create_time: d.createTime.toISOString(),
      update_time: d.updateTime.toISOString(),
      reason: d.reason,
      status: d.status,
      dispute_state: disputeState(d),
      dispute_amount: d.amount,
      dispute_life_cycle_stage: d.stage,
      dispute_channel: "INTERNAL",
      ...(d.sellerResponseDueDate ? { seller_response_due_date: d.sellerResponseDueDate.toISOString() } : {}),
      ...(d.buyerResponseDueDate ? { buyer_response_due_date: d.buyerResponseDueDate.toISOString() } : {}),
      links: [{ href: `${SANDBOX}/v1/customer/disputes/${d.id}`, rel: "self", method: "GET" }],
    };
  }

  /** A CUSTOMER.DISPUTE.* event around a resource (by default the dispute as it stands now). */
  webhookEvent(type: "CUSTOMER.DISPUTE.CREATED" | "CUSTOMER.DISPUTE.UPDATED" | "CUSTOMER.DISPUTE.RESOLVED", resource: Record<string, unknown> | string): Record<string, unknown> {
    return this.fake.webhookEvent(type, typeof resource === "string" ? this.resource(resource) : resource, "dispute");
  }

  /** The event as PayPal delivers it: its raw bytes and PayPal's signature headers, transmitted now. */
  signed(event: Record<string, unknown>): { rawBody: string; headers: PayPalWebhookHeaders } {
    const rawBody = JSON.stringify(event, null, 1);
    return { rawBody, headers: this.signer.sign(rawBody, { webhookId: this.fake.webhookId, certUrl: this.signer.certUrl, transmissionTime: this.clock() }) };
  }

  /** Requests the front routes here: the list and show endpoints (what the adapter calls). */
  answer(method: string, path: string, query: URLSearchParams): DisputeReply {
    this.calls.push({ method, path, query });
    const fault = this.#faults.shift();
    if (fault) return fault;
    if (method !== "GET") return { status: 404, body: errorBody(undefined, 404, "RESOURCE_NOT_FOUND") };
    if (path === "/v1/customer/disputes") return this.#list(query);
    const m = /^\/v1\/customer\/disputes\/([^/]+)$/.exec(path);
    const dispute = m ? this.disputes.get(decodeURIComponent(m[1]!)) : undefined;
    return dispute ? { status: 200, body: this.resource(dispute.id) } : { status: 404, body: errorBody(undefined, 404, "RESOURCE_NOT_FOUND") };
  }

  /**
   * List disputes: created at or after start_time (default now; within the last 180 days), newest first, page_size
   * 1–50 (default 10), the next page behind a `next_page_token` in the `next` link. An empty answer has no `items`:
   * PayPal's dispute_search allows no empty array (minItems 1).
   */
  #list(query: URLSearchParams): DisputeReply {
    const invalid = { status: 400, body: errorBody(undefined, 400, "INVALID_PARAMETER_VALUE") };
    const now = this.clock().getTime();
    let start = now;
    let offset = 0;
    const token = query.get("next_page_token");
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded) return invalid;
      ({ start, offset } = decoded);
    } else if (query.has("start_time")) {
      start = Date.parse(query.get("start_time")!);
      if (Number.isNaN(start) || start < now - LIST_REACH_MS) return invalid;
    }
    const size = query.has("page_size") ? Number(query.get("page_size")) : 10;
    if (!Number.isInteger(size) || size < 1 || size > 50) return invalid;
    const matching = [...this.disputes.values()]
      .filter((d) => d.createTime.getTime() >= start)
      .sort((a, b) => b.createTime.getTime() - a.createTime.getTime() || (a.id < b.id ? -1 : 1));
    const page = matching.slice(offset, offset + size);
    const self = new URLSearchParams(query);
    const links: Array<Record<string, string>> = [{ href: `${SANDBOX}/v1/customer/disputes?${self.toString()}`, rel: "self", method: "GET" }];
    if (offset + size < matching.length) {
      const next = new URLSearchParams({ page_size: String(size), next_page_token: encodeToken({ start, offset: offset + size }) });
      links.push({ href: `${SANDBOX}/v1/customer/disputes?${next.toString()}`, rel: "next", method: "GET" });
    }
    return { status: 200, body: { ...(page.length ? { items: page.map((d) => this.summary(d.id)) } : {}), links } };
  }

  reset(): void {
    this.disputes.clear();
    this.calls.length = 0;
    this.#faults = [];
    // A test may set the clock back: times are ordered within a test, not across them.
    this.#last = 0;
  }
}

function lostBy(outcome: FakeOutcome): boolean {
  return outcome === "RESOLVED_BUYER_FAVOUR" || outcome === "RESOLVED_WITH_PAYOUT" || outcome === "ACCEPTED";
}

/** PayPal's token is opaque; the fake's carries the filter's start and the offset. */
function encodeToken(value: { start: number; offset: number }): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decodeToken(token: string): { start: number; offset: number } | null {
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { start?: unknown; offset?: unknown };
    return typeof value.start === "number" && typeof value.offset === "number" ? { start: value.start, offset: value.offset } : null;
  } catch {
    return null;
  }
}
