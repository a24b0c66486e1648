import { randomBytes } from "node:crypto";
import { FAKE_MINIMUM_AMOUNTS, FAKE_SUPPORTED_CURRENCIES, FAKE_THREE_DECIMAL } from "./currency-rules.js";
import { listParam, objectParam, stringParam, type FormParams, type FormValue } from "./form-params.js";
import {
  newCharge,
  newCustomer,
  newDispute,
  newPaymentIntent,
  newPaymentMethod,
  newRefund,
  newSetupIntent,
  type FakeCharge,
  type FakeCustomer,
  type FakeDispute,
  type FakeEvent,
  type FakePaymentIntent,
  type FakePaymentMethod,
  type FakeRefund,
  type FakeSetupIntent,
  type Json,
} from "./stripe-objects.js";
import { TEST_PAYMENT_METHODS, savedCardRules, type CardBehaviour } from "./test-cards.js";

/**
 * What an endpoint answers: an HTTP status and a JSON body. `saved: false` marks an answer Stripe gives before an
 * endpoint begins executing (its parameters failed validation), which its idempotency layer does not save.
 */
export interface ApiResult {
  status: number;
  body: Json;
  saved?: boolean;
}

/** A confirmation outcome a test armed for the next confirmation, whatever the payment method would do. */
export type ArmedConfirmation =
  | { kind: "decline"; code: string; declineCode: string; message: string }
  | { kind: "processing" };

/** How a test finishes the customer's 3-D Secure step. */
export type ActionOutcome = "succeed" | "fail" | "leave_for_confirm";

const SEVEN_DAYS_S = 7 * 24 * 60 * 60;
const CANCELABLE = new Set(["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action"]);
const CONFIRMABLE = new Set(["requires_payment_method", "requires_confirmation"]);
const REFUND_REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"]);

/** The dispute statuses of the API version the fake's definition holds (2023-08-16); newer ones are not sent. */
export type FakeDisputeStatus =
  | "warning_needs_response"
  | "warning_under_review"
  | "warning_closed"
  | "needs_response"
  | "under_review"
  | "won"
  | "lost";
const DISPUTE_STATUSES = new Set<string>([
  "warning_needs_response",
  "warning_under_review",
  "warning_closed",
  "needs_response",
  "under_review",
  "won",
  "lost",
]);
const CLOSED_DISPUTE_STATUSES = new Set<string>(["warning_closed", "won", "lost"]);

export interface OpenDisputeOptions {
  /** Stripe's dispute reason (default `fraudulent`). */
  reason?: string;
  /** An inquiry (`warning_needs_response`) instead of a chargeback (`needs_response`). */
  inquiry?: boolean;
  /** The dispute names only its charge (`payment_intent: null`). */
  withoutPaymentIntent?: boolean;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${out}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export function apiError(
  status: number,
  error: { type: string; message: string; code?: string; param?: string; [key: string]: Json | undefined },
): ApiResult {
  const body: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(error)) if (value !== undefined) body[key] = value;
  return { status, body: { error: body } };
}

/** Parameters that fail validation: answered before the endpoint runs, so not saved for the idempotency key. */
export function parameterError(error: { message: string; param?: string; code?: string }): ApiResult {
  return { ...apiError(400, { type: "invalid_request_error", ...error }), saved: false };
}

function notFound(kind: string, id: string, param = "id"): ApiResult {
  return apiError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    doc_url: "https://stripe.com/docs/error-codes/resource-missing",
    param,
    message: `No such ${kind}: '${id}'`,
  });
}

/** An object named in a parameter that does not exist: a 400 (not a 404: the URL itself was fine). */
function missingParameterObject(kind: string, id: string, param: string): ApiResult {
  return { ...notFound(kind, id, param), status: 400 };
}

function integerParam(params: FormParams, key: string): number | null | "invalid" {
  const raw = stringParam(params, key);
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw)) return "invalid";
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : "invalid";
}

/** `created=123` or `created[gte]=…&created[lt]=…`, as Stripe's list endpoints accept. */
function createdFilter(params: FormParams): (created: number) => boolean {
  const raw: FormValue | undefined = params.created;
  if (raw === undefined) return () => true;
  if (typeof raw === "string") return (created) => created === Number(raw);
  const range = objectParam(params, "created") ?? {};
  const bound = (key: string): number | undefined => (range[key] === undefined ? undefined : Number(range[key]));
  const gt = bound("gt");
  const gte = bound("gte");
  const lt = bound("lt");
  const lte = bound("lte");
  return (created) =>
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}

/** Stripe lists newest first and pages with `starting_after=<last id of the previous page>`. */
function page<T extends { id: string }>(
  items: T[],
  params: FormParams,
  url: string,
  render: (item: T) => Json,
  missingAfter: (id: string) => ApiResult = (id) => notFound("object", id, "starting_after"),
): ApiResult {
  const limitRaw = integerParam(params, "limit");
  if (limitRaw === "invalid" || (typeof limitRaw === "number" && (limitRaw < 1 || limitRaw > 100))) {
    return parameterError({ param: "limit", message: "limit must be between 1 and 100" });
  }
  const limit = limitRaw ?? 10;
  let start = 0;
  const after = stringParam(params, "starting_after");
  if (after !== undefined) {
    const index = items.findIndex((item) => item.id === after);
    if (index === -1) return missingAfter(after);
    start = index + 1;
  }
  const slice = items.slice(start, start + limit);
  return {
    status: 200,
    body: { object: "list", data: slice.map(render), has_more: start + limit < items.length, url },
  };
}

export interface FakeStateOptions {
  /** Milliseconds since the epoch; the fake's clock, advanced by tests through the server handle. */
  now: () => number;
  /** Base URL of the server, for redirect links in next_action. */
  baseUrl: () => string;
  /** Sees every event as it is emitted (the adapter tests check each against Stripe's definition). */
  onEvent?: ((event: FakeEvent) => void) | undefined;
  /** How long a card authorization stays capturable (`capture_before`); default 7 days. */
  authorizationWindowS?: number | undefined;
}

/**
 * The Stripe account the fake simulates: PaymentIntents, their Charges, Refunds and Disputes, and the events Stripe would
 * deliver. Every answer is a deep copy, so a response stored for an idempotent replay never changes afterwards.
 */
export class FakeStripeState {
  readonly paymentIntents = new Map<string, FakePaymentIntent>();
  readonly charges = new Map<string, FakeCharge>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly disputes = new Map<string, FakeDispute>();
  readonly customers = new Map<string, FakeCustomer>();
  readonly setupIntents = new Map<string, FakeSetupIntent>();
  /**
   * PaymentMethods the account made from a test id (`pm_card_visa` names a card; saving it makes a `pm_…` of its
   * own, as at Stripe), with the test card behind each and whether it was set up for off-session use.
   */
  readonly paymentMethods = new Map<string, { object: FakePaymentMethod; testId: string; setUp: boolean; everAttached: boolean }>();
  /** PaymentIntents confirmed with `off_session: true`: the customer is not there to authenticate. */
  private readonly offSession = new Set<string>();
  readonly events: FakeEvent[] = [];
  /** Creation order, so equal `created` seconds still list newest first. */
  private readonly sequence = new Map<string, number>();
  private counter = 0;
  private readonly authenticated = new Set<string>();
  /** The status new refunds take: Stripe card refunds usually succeed at once, some stay pending. */
  refundStatus: "succeeded" | "pending" = "succeeded";
  apiVersion: string | null = null;
  /** Armed by a fault: what the next confirmation does instead of what its payment method would. */
  nextConfirmation: ArmedConfirmation | null = null;
  /** Armed by a fault: the next refund stays pending and then fails with this reason. */
  nextRefundFailsLater: string | null = null;
  /** Refunds that fail before the next read, as the card network reports them later. */
  private readonly failingRefunds = new Map<string, string>();

  constructor(private readonly options: FakeStateOptions) {}

  private nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  private remember(id: string): void {
    this.sequence.set(id, this.counter++);
  }

  private newestFirst<T extends { id: string; created: number }>(items: Iterable<T>): T[] {
    return [...items].sort(
      (a, b) => b.created - a.created || (this.sequence.get(b.id) ?? 0) - (this.sequence.get(a.id) ?? 0),
    );
  }

  emit(type: string, object: { [key: string]: Json }, idempotencyKey: string | null = null): FakeEvent {
    const event: FakeEvent = {
      id: randomId("evt"),
      object: "event",
      api_version: this.apiVersion,
      created: this.nowSeconds(),
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: idempotencyKey === null ? null : randomId("req", 14), idempotency_key: idempotencyKey },
      type,
    };
    this.events.push(event);
    this.options.onEvent?.(clone(event));
    return event;
  }

  private renderPaymentIntent(pi: FakePaymentIntent, expand: string[], prefix = ""): Json {
    const out: { [key: string]: Json } = clone(pi);
    if (expand.includes(`${prefix}latest_charge`) && pi.latest_charge !== null) {
      const charge = this.charges.get(pi.latest_charge);
      if (charge) out.latest_charge = clone(charge);
    }
    if (expand.includes(`${prefix}payment_method`) && pi.payment_method !== null) {
      // A test id used as it is stands for a PaymentMethod Stripe would have made for it: shown as one of that id.
      const kept = this.paymentMethods.get(pi.payment_method)?.object;
      const card = this.cardFor(pi.payment_method);
      if (kept) out.payment_method = clone(kept);
      else if (card) out.payment_method = newPaymentMethod({ id: pi.payment_method, brand: card.brand, last4: card.last4, created: pi.created });
    }
    return out;
  }

  // ----- PaymentMethods -----

  /** The test card behind a payment method id: a test id itself, or the one a PaymentMethod of the account was made from. */
  private testIdOf(id: string): string | undefined {
    if (TEST_PAYMENT_METHODS[id] !== undefined) return id;
    return this.paymentMethods.get(id)?.testId;
  }

  private cardFor(id: string): CardBehaviour | undefined {
    const testId = this.testIdOf(id);
    return testId === undefined ? undefined : TEST_PAYMENT_METHODS[testId];
  }

  /** A PaymentMethod made from a test id, as Stripe makes one when a test id is saved or used with a customer. */
  private mintPaymentMethod(testId: string): FakePaymentMethod {
    const card = TEST_PAYMENT_METHODS[testId] as CardBehaviour;
    const object = newPaymentMethod({ id: randomId("pm"), brand: card.brand, last4: card.last4, created: this.nowSeconds() });
    this.paymentMethods.set(object.id, { object, testId, setUp: false, everAttached: false });
    return object;
  }

  /** An account PaymentMethod for `id`: the one it names, or a new one made from a test id. */
  private accountMethod(id: string): FakePaymentMethod {
    return this.paymentMethods.get(id)?.object ?? this.mintPaymentMethod(id);
  }

  private attachMethod(id: string, customer: string): void {
    const kept = this.paymentMethods.get(id);
    if (!kept || kept.object.customer === customer) return;
    kept.object.customer = customer;
    kept.everAttached = true;
    this.emit("payment_method.attached", kept.object);
  }

  /**
   * Why this payment method cannot be used with this customer, or null: one attached to another customer, or one
   * detached from its customer (Stripe refuses it again: it "may not be used again").
   */
  private methodRefusal(id: string, customer: string | null): ApiResult | null {
    const kept = this.paymentMethods.get(id);
    if (!kept) return null;
    if (kept.object.customer !== null && kept.object.customer !== customer) {
      return apiError(400, {
        type: "invalid_request_error",
        param: "payment_method",
        message: `The provided PaymentMethod ${id} belongs to a different Customer than the one passed in.`,
      });
    }
    if (kept.object.customer === null && kept.everAttached) {
      return apiError(400, {
        type: "invalid_request_error",
        param: "payment_method",
        message: `The provided PaymentMethod ${id} was detached from a Customer. It may not be used again.`,
      });
    }
    return null;
  }

  retrievePaymentMethod(id: string): ApiResult {
    const kept = this.paymentMethods.get(id);
    if (!kept) return notFound("payment_method", id);
    return { status: 200, body: clone(kept.object) };
  }

  attachPaymentMethod(id: string, params: FormParams): ApiResult {
    const customer = stringParam(params, "customer");
    if (customer === undefined) return parameterError({ code: "parameter_missing", param: "customer", message: "Missing required param: customer." });
    if (!this.customers.has(customer)) return missingParameterObject("customer", customer, "customer");
    const kept = this.paymentMethods.get(id);
    if (!kept) return notFound("payment_method", id, "payment_method");
    const refused = this.methodRefusal(id, customer);
    if (refused) return refused;
    this.attachMethod(id, customer);
    return { status: 200, body: clone(kept.object) };
  }

  /** Detaching one that is attached to no customer is refused as Stripe refuses it (a 400 naming no code). */
  detachPaymentMethod(id: string): ApiResult {
    const kept = this.paymentMethods.get(id);
    if (!kept) return notFound("payment_method", id, "payment_method");
    if (kept.object.customer === null) {
      return apiError(400, {
        type: "invalid_request_error",
        message: "The payment method you provided is not attached to a customer so detachment is impossible.",
      });
    }
    kept.object.customer = null;
    kept.setUp = false;
    this.emit("payment_method.detached", kept.object);
    return { status: 200, body: clone(kept.object) };
  }

  /** The account's PaymentMethods (those made by saving a test card), for assertions. */
  listAccountMethods(): FakePaymentMethod[] {
    return [...this.paymentMethods.values()].map((m) => clone(m.object));
  }

  // ----- Customers -----

  createCustomer(params: FormParams): ApiResult {
    const customer = newCustomer({
      id: randomId("cus", 14),
      created: this.nowSeconds(),
      email: stringParam(params, "email") ?? null,
      name: stringParam(params, "name") ?? null,
      description: stringParam(params, "description") ?? null,
      metadata: objectParam(params, "metadata") ?? {},
    });
    this.customers.set(customer.id, customer);
    this.remember(customer.id);
    this.emit("customer.created", customer);
    return { status: 200, body: clone(customer) };
  }

  retrieveCustomer(id: string): ApiResult {
    const customer = this.customers.get(id);
    if (!customer) return notFound("customer", id);
    return { status: 200, body: clone(customer) };
  }

  // ----- SetupIntents -----

  private renderSetupIntent(si: FakeSetupIntent, expand: string[], prefix = ""): Json {
    const out: { [key: string]: Json } = clone(si);
    if (expand.includes(`${prefix}payment_method`) && si.payment_method !== null) {
      const kept = this.paymentMethods.get(si.payment_method);
      if (kept) out.payment_method = clone(kept.object);
    }
    return out;
  }

  createSetupIntent(params: FormParams): ApiResult {
    const customer = stringParam(params, "customer") ?? null;
    if (customer !== null && !this.customers.has(customer)) return missingParameterObject("customer", customer, "customer");
    const usage = stringParam(params, "usage") ?? "off_session";
    if (usage !== "off_session" && usage !== "on_session") {
      return parameterError({ code: "parameter_invalid_string", param: "usage", message: `Invalid usage: ${usage}` });
    }
    const requested = stringParam(params, "payment_method");
    if (requested !== undefined && this.testIdOf(requested) === undefined) {
      return missingParameterObject("PaymentMethod", requested, "payment_method");
    }
    if (requested !== undefined) {
      const refused = this.methodRefusal(requested, customer);
      if (refused) return refused;
    }
    const confirm = stringParam(params, "confirm") === "true";
    if (confirm && requested === undefined) {
      return parameterError({ param: "payment_method", message: "You cannot confirm this SetupIntent because it's missing a payment method." });
    }
    const si = newSetupIntent({
      id: randomId("seti"),
      secret: randomId("s").slice(2),
      created: this.nowSeconds(),
      customer,
      paymentMethod: requested === undefined ? null : this.accountMethod(requested).id,
      usage,
      metadata: objectParam(params, "metadata") ?? {},
      description: stringParam(params, "description") ?? null,
    });
    this.setupIntents.set(si.id, si);
    this.remember(si.id);
    this.emit("setup_intent.created", si);
    const expand = listParam(params, "expand");
    if (confirm) return this.runSetupConfirmation(si, stringParam(params, "return_url"), expand);
    return { status: 200, body: this.renderSetupIntent(si, expand) };
  }

  confirmSetupIntent(id: string, params: FormParams): ApiResult {
    const si = this.setupIntents.get(id);
    if (!si) return notFound("setup_intent", id, "intent");
    const expand = listParam(params, "expand");
    const requested = stringParam(params, "payment_method");
    if (requested !== undefined && this.testIdOf(requested) === undefined) {
      return missingParameterObject("PaymentMethod", requested, "payment_method");
    }
    if (si.status === "requires_action") return { status: 200, body: this.renderSetupIntent(si, expand) };
    if (si.status !== "requires_confirmation" && si.status !== "requires_payment_method") {
      return apiError(400, {
        type: "invalid_request_error",
        code: "setup_intent_unexpected_state",
        message: `This SetupIntent could not be confirmed because it has a status of ${si.status}.`,
        setup_intent: this.renderSetupIntent(si, []),
      });
    }
    if (requested !== undefined) si.payment_method = this.accountMethod(requested).id;
    if (si.payment_method === null) {
      return parameterError({ param: "payment_method", message: "You cannot confirm this SetupIntent because it's missing a payment method." });
    }
    return this.runSetupConfirmation(si, stringParam(params, "return_url"), expand);
  }

  private runSetupConfirmation(si: FakeSetupIntent, returnUrl: string | undefined, expand: string[]): ApiResult {
    const kept = this.paymentMethods.get(si.payment_method as string);
    const rules = kept ? savedCardRules(kept.testId) : undefined;
    const card = kept ? TEST_PAYMENT_METHODS[kept.testId] : undefined;
    if (!kept || !rules || !card) return missingParameterObject("PaymentMethod", String(si.payment_method), "payment_method");
    const armed = this.nextConfirmation;
    this.nextConfirmation = null;
    if (armed?.kind === "decline" || rules.setup === "declines") {
      const declined = armed?.kind === "decline" ? armed : (card as Extract<CardBehaviour, { kind: "declines" }>);
      return this.declineSetup(si, kept.object, { code: declined.code, declineCode: declined.declineCode, message: declined.message }, expand);
    }
    if (armed?.kind === "processing") {
      si.status = "processing";
      return { status: 200, body: this.renderSetupIntent(si, expand) };
    }
    if (rules.setup === "requires_action" && !this.authenticated.has(si.id)) {
      si.status = "requires_action";
      const url = `${this.options.baseUrl()}/_fake/3ds/${si.id}`;
      si.next_action =
        returnUrl === undefined
          ? { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: url } }
          : { type: "redirect_to_url", redirect_to_url: { url, return_url: returnUrl } };
      this.emit("setup_intent.requires_action", si);
      return { status: 200, body: this.renderSetupIntent(si, expand) };
    }
    this.succeedSetup(si);
    return { status: 200, body: this.renderSetupIntent(si, expand) };
  }

  private succeedSetup(si: FakeSetupIntent): void {
    const kept = this.paymentMethods.get(si.payment_method as string);
    si.status = "succeeded";
    si.next_action = null;
    si.last_setup_error = null;
    if (kept) {
      if (si.customer !== null) this.attachMethod(kept.object.id, si.customer);
      // Set up for off-session use: a card that asks for authentication only on setup is now charged without it.
      if (si.usage === "off_session") kept.setUp = true;
    }
    this.emit("setup_intent.succeeded", si);
  }

  /** Stripe's answer to a card refused on setup: a 402 card error carrying the SetupIntent, back to requires_payment_method. */
  private declineSetup(si: FakeSetupIntent, method: FakePaymentMethod, decline: { code: string; declineCode: string; message: string }, expand: string[]): ApiResult {
    const error = {
      type: "card_error",
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replaceAll("_", "-")}`,
      payment_method: clone(method),
    };
    si.status = "requires_payment_method";
    si.last_setup_error = error;
    si.payment_method = null;
    si.next_action = null;
    this.emit("setup_intent.setup_failed", si);
    return apiError(402, { ...error, setup_intent: this.renderSetupIntent(si, expand) });
  }

  /** The customer's 3-D Secure step on a SetupIntent, as Stripe.js would finish it; only tests call this. */
  completeSetupAction(id: string, outcome: ActionOutcome): FakeSetupIntent {
    const si = this.setupIntents.get(id);
    if (!si) throw new Error(`stripe-fake: no SetupIntent ${id}`);
    if (si.status !== "requires_action") throw new Error(`stripe-fake: ${id} is ${si.status}, not requires_action`);
    if (outcome === "fail") {
      si.status = "requires_payment_method";
      si.next_action = null;
      si.payment_method = null;
      si.last_setup_error = {
        type: "invalid_request_error",
        code: "setup_intent_authentication_failure",
        message: "The latest attempt to set up the payment method has failed because authentication failed.",
      };
      this.emit("setup_intent.setup_failed", si);
      return clone(si);
    }
    this.authenticated.add(si.id);
    if (outcome === "leave_for_confirm") {
      si.status = "requires_confirmation";
      si.next_action = null;
      return clone(si);
    }
    this.succeedSetup(si);
    return clone(si);
  }

  retrieveSetupIntent(id: string, params: FormParams): ApiResult {
    const si = this.setupIntents.get(id);
    if (!si) return notFound("setup_intent", id, "intent");
    return { status: 200, body: this.renderSetupIntent(si, listParam(params, "expand")) };
  }

  /** `GET /v1/setup_intents`: newest first, by `customer`, `payment_method` and `created`, in pages. */
  listSetupIntents(params: FormParams): ApiResult {
    const inWindow = createdFilter(params);
    const customer = stringParam(params, "customer");
    const method = stringParam(params, "payment_method");
    const items = this.newestFirst(this.setupIntents.values()).filter(
      (si) => inWindow(si.created) && (customer === undefined || si.customer === customer) && (method === undefined || si.payment_method === method),
    );
    const expand = listParam(params, "expand");
    return page(items, params, "/v1/setup_intents", (si) => this.renderSetupIntent(si, expand, "data."));
  }

  // ----- PaymentIntents -----

  createPaymentIntent(params: FormParams): ApiResult {
    const amount = integerParam(params, "amount");
    if (amount === null || amount === "invalid" || amount < 1) {
      return parameterError({
        code: amount === null ? "parameter_missing" : "parameter_invalid_integer",
        param: "amount",
        message: "amount must be a positive integer",
      });
    }
    const currency = stringParam(params, "currency");
    if (currency === undefined) {
      return parameterError({ code: "parameter_missing", param: "currency", message: "Missing required param: currency." });
    }
    if (!FAKE_SUPPORTED_CURRENCIES.has(currency)) {
      return parameterError({
        code: "parameter_invalid_string",
        param: "currency",
        message: `Invalid currency: ${currency}. Stripe currently supports these currencies: usd, eur, …`,
      });
    }
    const minimum = FAKE_MINIMUM_AMOUNTS[currency];
    if (minimum !== undefined && amount < minimum) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "amount_too_small",
        param: "amount",
        message: `Amount must be at least ${minimum} ${currency}`,
      });
    }
    if (FAKE_THREE_DECIMAL.has(currency) && amount % 10 !== 0) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "invalid_amount",
        param: "amount",
        message: `Amounts in ${currency} must end in 0`,
      });
    }
    if (params.payment_method_types !== undefined) {
      // stripe-node 23's types no longer offer it; a request carrying it comes from an outdated integration.
      return parameterError({
        code: "parameter_unknown",
        param: "payment_method_types",
        message: "Received unknown parameter: payment_method_types",
      });
    }
    const captureMethod = stringParam(params, "capture_method") ?? "automatic_async";
    if (!["automatic", "automatic_async", "manual"].includes(captureMethod)) {
      return parameterError({ code: "parameter_invalid_string", param: "capture_method", message: "Invalid capture_method" });
    }
    const requestedMethod = stringParam(params, "payment_method");
    if (requestedMethod !== undefined && this.testIdOf(requestedMethod) === undefined) {
      // The endpoint looks the PaymentMethod up before it makes anything: no PaymentIntent is left behind.
      return missingParameterObject("PaymentMethod", requestedMethod, "payment_method");
    }
    const customer = stringParam(params, "customer") ?? null;
    if (customer !== null && !this.customers.has(customer)) return missingParameterObject("customer", customer, "customer");
    const offSession = stringParam(params, "off_session");
    if (offSession !== undefined && stringParam(params, "confirm") !== "true") {
      return parameterError({ param: "off_session", message: "off_session can only be used when confirm=true." });
    }
    const futureUsage = stringParam(params, "setup_future_usage") ?? null;
    if (futureUsage !== null && futureUsage !== "off_session" && futureUsage !== "on_session") {
      return parameterError({ code: "parameter_invalid_string", param: "setup_future_usage", message: `Invalid setup_future_usage: ${futureUsage}` });
    }
    if (requestedMethod !== undefined) {
      const refused = this.methodRefusal(requestedMethod, customer);
      if (refused) return refused;
    }
    // Saving with the payment makes a PaymentMethod of the account from a test id, as at Stripe; a plain payment
    // keeps the test id it was given.
    const paymentMethod =
      requestedMethod !== undefined && futureUsage !== null ? this.accountMethod(requestedMethod).id : (requestedMethod ?? null);
    const apm = objectParam(params, "automatic_payment_methods");
    const pi = newPaymentIntent({
      id: randomId("pi"),
      secret: randomId("s").slice(2),
      amount,
      currency,
      captureMethod,
      created: this.nowSeconds(),
      metadata: objectParam(params, "metadata") ?? {},
      description: stringParam(params, "description") ?? null,
      customer,
      receiptEmail: stringParam(params, "receipt_email") ?? null,
      paymentMethod,
      automaticPaymentMethods:
        apm === undefined
          ? { enabled: true, allow_redirects: "always" }
          : { enabled: apm.enabled === "true", allow_redirects: apm.allow_redirects ?? "always" },
    });
    pi.setup_future_usage = futureUsage;
    this.paymentIntents.set(pi.id, pi);
    this.remember(pi.id);
    if (offSession === "true" || offSession === "one_off" || offSession === "recurring") this.offSession.add(pi.id);
    this.emit("payment_intent.created", pi);
    const expand = listParam(params, "expand");
    if (stringParam(params, "confirm") === "true") {
      return this.runConfirmation(pi, stringParam(params, "return_url"), expand);
    }
    return { status: 200, body: this.renderPaymentIntent(pi, expand) };
  }

  confirmPaymentIntent(id: string, params: FormParams): ApiResult {
    const pi = this.paymentIntents.get(id);
    if (!pi) return notFound("payment_intent", id);
    const expand = listParam(params, "expand");
    const paymentMethod = stringParam(params, "payment_method");
    if (paymentMethod !== undefined && this.testIdOf(paymentMethod) === undefined) {
      return missingParameterObject("PaymentMethod", paymentMethod, "payment_method");
    }
    if (paymentMethod !== undefined) pi.payment_method = paymentMethod;
    if (pi.status === "requires_action") return { status: 200, body: this.renderPaymentIntent(pi, expand) };
    if (!CONFIRMABLE.has(pi.status)) return this.unexpectedState(pi, "confirm", "requires_payment_method, requires_confirmation");
    return this.runConfirmation(pi, stringParam(params, "return_url"), expand);
  }

  private runConfirmation(pi: FakePaymentIntent, returnUrl: string | undefined, expand: string[]): ApiResult {
    if (pi.payment_method === null) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "payment_intent_unexpected_state",
        message: "You cannot confirm this PaymentIntent because it's missing a payment method.",
        payment_intent: clone(pi),
      });
    }
    const card = this.cardFor(pi.payment_method);
    if (!card) {
      const missing = pi.payment_method;
      pi.payment_method = null;
      return missingParameterObject("PaymentMethod", missing, "payment_method");
    }
    if (
      returnUrl === undefined &&
      pi.automatic_payment_methods !== null &&
      (pi.automatic_payment_methods as { allow_redirects?: Json }).allow_redirects === "always"
    ) {
      // Stripe refuses a redirect-capable confirmation without somewhere to send the customer back to.
      return parameterError({
        param: "return_url",
        message: "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, which may require a return_url.",
      });
    }
    const armed = this.nextConfirmation;
    this.nextConfirmation = null;
    if (armed?.kind === "decline") return this.decline(pi, { ...card, ...armed, kind: "declines" }, expand);
    if (card.kind === "declines") return this.decline(pi, card, expand);
    if (armed?.kind === "processing") {
      pi.status = "processing";
      pi.next_action = null;
      pi.processing = { type: "card", card: {} };
      this.emit("payment_intent.processing", pi);
      return { status: 200, body: this.renderPaymentIntent(pi, expand) };
    }
    if (this.offSession.has(pi.id) && !this.authenticated.has(pi.id)) {
      // The customer is not there: a bank that wants them to authenticate declines with authentication_required.
      const rules = savedCardRules(this.testIdOf(pi.payment_method) as string);
      const setUp = this.paymentMethods.get(pi.payment_method)?.setUp === true;
      if (rules?.offSession === "authentication_required" || (rules?.offSession === "authentication_required_unless_set_up" && !setUp)) {
        return this.decline(
          pi,
          {
            kind: "declines",
            brand: card.brand,
            last4: card.last4,
            code: "authentication_required",
            declineCode: "authentication_required",
            message: "Your card was declined. This transaction requires authentication.",
          },
          expand,
        );
      }
    } else if (card.kind === "requires_action" && !this.authenticated.has(pi.id)) {
      pi.status = "requires_action";
      const url = `${this.options.baseUrl()}/_fake/3ds/${pi.id}`;
      pi.next_action =
        returnUrl === undefined
          ? { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: url } }
          : { type: "redirect_to_url", redirect_to_url: { url, return_url: returnUrl } };
      this.emit("payment_intent.requires_action", pi);
      return { status: 200, body: this.renderPaymentIntent(pi, expand) };
    }
    this.authorize(pi, card);
    return { status: 200, body: this.renderPaymentIntent(pi, expand) };
  }

  private authorize(pi: FakePaymentIntent, card: CardBehaviour): void {
    const manual = pi.capture_method === "manual";
    const charge = newCharge({
      id: randomId("ch"),
      paymentIntent: pi,
      created: this.nowSeconds(),
      brand: card.brand,
      last4: card.last4,
      captured: !manual,
      failed: null,
      captureBefore: manual ? this.nowSeconds() + (this.options.authorizationWindowS ?? SEVEN_DAYS_S) : null,
    });
    this.charges.set(charge.id, charge);
    this.remember(charge.id);
    pi.latest_charge = charge.id;
    pi.next_action = null;
    pi.last_payment_error = null;
    // Saved with the payment: the method joins the customer, set up for off-session use by this authorized payment.
    if (pi.setup_future_usage !== null && pi.customer !== null && pi.payment_method !== null) {
      const kept = this.paymentMethods.get(pi.payment_method);
      this.attachMethod(pi.payment_method, pi.customer as string);
      if (kept && pi.setup_future_usage === "off_session") kept.setUp = true;
    }
    if (manual) {
      pi.status = "requires_capture";
      pi.amount_capturable = pi.amount;
      this.emit("payment_intent.amount_capturable_updated", pi);
    } else {
      pi.status = "succeeded";
      pi.amount_received = pi.amount;
      this.emit("charge.succeeded", charge);
      this.emit("payment_intent.succeeded", pi);
    }
  }

  private decline(pi: FakePaymentIntent, card: Extract<CardBehaviour, { kind: "declines" }>, expand: string[]): ApiResult {
    const charge = newCharge({
      id: randomId("ch"),
      paymentIntent: pi,
      created: this.nowSeconds(),
      brand: card.brand,
      last4: card.last4,
      captured: false,
      failed: { code: card.code, message: card.message },
      captureBefore: null,
    });
    this.charges.set(charge.id, charge);
    this.remember(charge.id);
    const kept = pi.payment_method === null ? undefined : this.paymentMethods.get(pi.payment_method);
    const paymentMethod =
      kept?.object ??
      newPaymentMethod({
        id: pi.payment_method ?? randomId("pm"),
        brand: card.brand,
        last4: card.last4,
        created: this.nowSeconds(),
      });
    const error = {
      type: "card_error",
      code: card.code,
      decline_code: card.declineCode,
      message: card.message,
      charge: charge.id,
      doc_url: `https://stripe.com/docs/error-codes/${card.code.replaceAll("_", "-")}`,
      payment_method: clone(paymentMethod),
    };
    pi.latest_charge = charge.id;
    pi.status = "requires_payment_method";
    pi.last_payment_error = error;
    pi.payment_method = null;
    this.emit("charge.failed", charge);
    this.emit("payment_intent.payment_failed", pi);
    return apiError(402, { ...error, payment_intent: this.renderPaymentIntent(pi, expand) });
  }

  /**
   * The customer's 3-D Secure step, as Stripe.js would finish it; only tests call this. An off-session charge
   * declined `authentication_required` is finished the same way: the customer, brought back, confirms the same
   * PaymentIntent on session with the method it was declined with (Stripe.js `confirmCardPayment`) and authenticates.
   */
  completeAction(id: string, outcome: ActionOutcome): FakePaymentIntent {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw new Error(`stripe-fake: no PaymentIntent ${id}`);
    const wanted = pi.last_payment_error?.["code"] === "authentication_required" ? pi.last_payment_error["payment_method"] : null;
    if (pi.status === "requires_payment_method" && wanted !== null && typeof wanted === "object" && !Array.isArray(wanted)) {
      pi.payment_method = String(wanted["id"]);
      this.offSession.delete(pi.id);
      pi.status = "requires_action";
    }
    if (pi.status !== "requires_action") throw new Error(`stripe-fake: ${id} is ${pi.status}, not requires_action`);
    const card = pi.payment_method === null ? undefined : this.cardFor(pi.payment_method);
    if (outcome === "fail" || !card) {
      pi.status = "requires_payment_method";
      pi.next_action = null;
      pi.payment_method = null;
      pi.last_payment_error = {
        type: "invalid_request_error",
        code: "payment_intent_authentication_failure",
        message: "The provided PaymentMethod has failed authentication.",
      };
      this.emit("payment_intent.payment_failed", pi);
      return clone(pi);
    }
    this.authenticated.add(pi.id);
    if (outcome === "leave_for_confirm") {
      pi.status = "requires_confirmation";
      pi.next_action = null;
      return clone(pi);
    }
    this.authorize(pi, card);
    return clone(pi);
  }

  /** A `processing` PaymentIntent settles, as the network would report later; only tests call this. */
  settlePayment(id: string, outcome: "succeeded" | "failed"): FakePaymentIntent {
    const pi = this.paymentIntents.get(id);
    if (!pi) throw new Error(`stripe-fake: no PaymentIntent ${id}`);
    if (pi.status !== "processing") throw new Error(`stripe-fake: ${id} is ${pi.status}, not processing`);
    pi.processing = null;
    const card = pi.payment_method === null ? undefined : this.cardFor(pi.payment_method);
    if (outcome === "succeeded" && card) {
      this.authorize(pi, card);
      return clone(pi);
    }
    this.decline(pi, {
      kind: "declines",
      brand: card?.brand ?? "visa",
      last4: card?.last4 ?? "0000",
      code: "card_declined",
      declineCode: "generic_decline",
      message: "Your card was declined.",
    }, []);
    return clone(pi);
  }

  capturePaymentIntent(id: string, params: FormParams): ApiResult {
    const pi = this.paymentIntents.get(id);
    if (!pi) return notFound("payment_intent", id);
    if (pi.status !== "requires_capture") return this.unexpectedState(pi, "capture", "requires_capture");
    const requested = integerParam(params, "amount_to_capture");
    if (requested === "invalid" || (typeof requested === "number" && requested < 1)) {
      return parameterError({ code: "parameter_invalid_integer", param: "amount_to_capture", message: "Invalid integer" });
    }
    const amount = requested ?? pi.amount_capturable;
    if (amount > pi.amount_capturable) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount_to_capture",
        message: "The amount to capture must be at most the amount capturable.",
      });
    }
    const charge = pi.latest_charge === null ? undefined : this.charges.get(pi.latest_charge);
    if (charge) {
      charge.captured = true;
      charge.amount_captured = amount;
      this.emit("charge.captured", charge);
    }
    pi.status = "succeeded";
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    this.emit("payment_intent.succeeded", pi);
    return { status: 200, body: this.renderPaymentIntent(pi, listParam(params, "expand")) };
  }

  cancelPaymentIntent(id: string, params: FormParams): ApiResult {
    const pi = this.paymentIntents.get(id);
    if (!pi) return notFound("payment_intent", id);
    if (!CANCELABLE.has(pi.status)) {
      return this.unexpectedState(pi, "cancel", [...CANCELABLE].join(", "));
    }
    pi.status = "canceled";
    pi.canceled_at = this.nowSeconds();
    pi.cancellation_reason = stringParam(params, "cancellation_reason") ?? null;
    pi.amount_capturable = 0;
    pi.next_action = null;
    this.emit("payment_intent.canceled", pi);
    return { status: 200, body: this.renderPaymentIntent(pi, listParam(params, "expand")) };
  }

  retrievePaymentIntent(id: string, params: FormParams): ApiResult {
    const pi = this.paymentIntents.get(id);
    if (!pi) return notFound("payment_intent", id);
    return { status: 200, body: this.renderPaymentIntent(pi, listParam(params, "expand")) };
  }

  listPaymentIntents(params: FormParams): ApiResult {
    const inWindow = createdFilter(params);
    const customer = stringParam(params, "customer");
    const items = this.newestFirst(this.paymentIntents.values()).filter(
      (pi) => inWindow(pi.created) && (customer === undefined || pi.customer === customer),
    );
    const expand = listParam(params, "expand");
    return page(items, params, "/v1/payment_intents", (pi) => this.renderPaymentIntent(pi, expand, "data."));
  }

  /**
   * Search, only for the one query form the adapter may use: `metadata['key']:'value'` clauses joined by AND.
   * Real search is eventually consistent (about a minute behind); the fake is not.
   */
  searchPaymentIntents(params: FormParams): ApiResult {
    const query = stringParam(params, "query") ?? "";
    const clauses = query.split(/\s+AND\s+/);
    const wanted: Array<[string, string]> = [];
    for (const clause of clauses) {
      const match = /^metadata\[['"]([^'"]+)['"]\]:['"]([^'"]*)['"]$/.exec(clause.trim());
      if (!match) return parameterError({ param: "query", message: `stripe-fake cannot search: ${query}` });
      wanted.push([match[1] ?? "", match[2] ?? ""]);
    }
    const items = this.newestFirst(this.paymentIntents.values()).filter((pi) =>
      wanted.every(([key, value]) => pi.metadata[key] === value),
    );
    const limit = Math.min(Number(stringParam(params, "limit") ?? "10"), 100);
    const offset = Number(stringParam(params, "page") ?? "0");
    const slice = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    const expand = listParam(params, "expand");
    return {
      status: 200,
      body: {
        object: "search_result",
        data: slice.map((pi) => this.renderPaymentIntent(pi, expand, "data.")),
        has_more: more,
        next_page: more ? String(offset + limit) : null,
        url: "/v1/payment_intents/search",
      },
    };
  }

  private unexpectedState(pi: FakePaymentIntent, action: string, allowed: string): ApiResult {
    return apiError(400, {
      type: "invalid_request_error",
      code: "payment_intent_unexpected_state",
      message: `This PaymentIntent could not be ${action === "capture" ? "captured" : action === "cancel" ? "canceled" : "confirmed"} because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be: ${allowed}.`,
      payment_intent: clone(pi),
    });
  }

  // ----- Charges -----

  retrieveCharge(id: string): ApiResult {
    const charge = this.charges.get(id);
    if (!charge) return notFound("charge", id);
    return { status: 200, body: clone(charge) };
  }

  // ----- Refunds -----

  createRefund(params: FormParams): ApiResult {
    const piId = stringParam(params, "payment_intent");
    const chargeId = stringParam(params, "charge");
    let charge: FakeCharge | undefined;
    if (piId !== undefined) {
      const pi = this.paymentIntents.get(piId);
      if (!pi) return notFound("payment_intent", piId, "payment_intent");
      charge = pi.latest_charge === null ? undefined : this.charges.get(pi.latest_charge);
      if (pi.status !== "succeeded" || !charge) {
        return apiError(400, {
          type: "invalid_request_error",
          code: "charge_not_refundable",
          message: `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        });
      }
    } else if (chargeId !== undefined) {
      charge = this.charges.get(chargeId);
      if (!charge) return notFound("charge", chargeId, "charge");
    } else {
      return parameterError({
        code: "parameter_missing",
        message: "One of the following params should be provided for this request: payment_intent or charge.",
      });
    }
    const requested = integerParam(params, "amount");
    if (requested === "invalid" || (typeof requested === "number" && requested < 1)) {
      return parameterError({ code: "parameter_invalid_integer", param: "amount", message: "Invalid integer" });
    }
    const reason = stringParam(params, "reason") ?? null;
    if (reason !== null && !REFUND_REASONS.has(reason)) {
      return parameterError({ code: "parameter_invalid_string", param: "reason", message: `Invalid reason: ${reason}` });
    }
    if (charge.disputed) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "charge_disputed",
        doc_url: "https://stripe.com/docs/error-codes/charge-disputed",
        message: `Charge ${charge.id} has been charged back; cannot issue a refund.`,
      });
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "charge_already_refunded",
        doc_url: "https://stripe.com/docs/error-codes/charge-already-refunded",
        message: `Charge ${charge.id} has already been refunded.`,
      });
    }
    const amount = requested ?? remaining;
    if (amount > remaining) {
      return apiError(400, {
        type: "invalid_request_error",
        code: "amount_too_large",
        param: "amount",
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      });
    }
    const failsLater = this.nextRefundFailsLater;
    this.nextRefundFailsLater = null;
    const refund = newRefund({
      id: randomId("re"),
      charge,
      amount,
      reason,
      metadata: objectParam(params, "metadata") ?? {},
      created: this.nowSeconds(),
      status: failsLater === null ? this.refundStatus : "pending",
    });
    this.refunds.set(refund.id, refund);
    this.remember(refund.id);
    if (failsLater !== null) this.failingRefunds.set(refund.id, failsLater);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    this.emit("refund.created", refund);
    this.emit("charge.refunded", charge);
    return { status: 200, body: clone(refund) };
  }

  retrieveRefund(id: string): ApiResult {
    const refund = this.refunds.get(id);
    if (!refund) return notFound("refund", id);
    return { status: 200, body: clone(refund) };
  }

  listRefunds(params: FormParams): ApiResult {
    const pi = stringParam(params, "payment_intent");
    const charge = stringParam(params, "charge");
    const inWindow = createdFilter(params);
    const items = this.newestFirst(this.refunds.values()).filter(
      (r) =>
        (pi === undefined || r.payment_intent === pi) && (charge === undefined || r.charge === charge) && inWindow(r.created),
    );
    return page(items, params, "/v1/refunds", (r) => clone(r));
  }

  /**
   * Settles a pending refund, or fails it (releasing the amount), as the card network would later. A refund Stripe
   * already reported succeeded can still fail this way (the card was closed meanwhile): Stripe then sends
   * `refund.failed` after the earlier success.
   */
  settleRefund(id: string, outcome: "succeeded" | "failed", failureReason = "expired_or_canceled_card"): FakeRefund {
    const refund = this.refunds.get(id);
    if (!refund) throw new Error(`stripe-fake: no refund ${id}`);
    if (refund.status === "failed" || refund.status === "canceled") throw new Error(`stripe-fake: refund ${id} is ${refund.status}`);
    this.failingRefunds.delete(id);
    refund.status = outcome;
    if (outcome === "failed") {
      refund.failure_reason = failureReason;
      const charge = this.charges.get(refund.charge);
      if (charge) {
        charge.amount_refunded -= refund.amount;
        charge.refunded = false;
      }
      this.emit("refund.failed", refund);
    }
    this.emit("refund.updated", refund);
    this.emit("charge.refund.updated", refund);
    return clone(refund);
  }

  /** What happened at the network since the last request: refunds armed to fail later fail now. */
  applyLaterOutcomes(): void {
    for (const [id, reason] of [...this.failingRefunds]) this.settleRefund(id, "failed", reason);
  }

  // ----- Disputes -----

  /**
   * The cardholder disputes the PaymentIntent's charge: the charge is `disputed` (its refunds are refused, as at
   * Stripe) and the dispute is kept, listed and moved like any other object of the account. `inquiry` opens it as
   * Stripe's pre-chargeback inquiry (`warning_needs_response`, case type `inquiry`); `withoutPaymentIntent` leaves
   * its `payment_intent` null, as on disputes of charges made without one, so a reader must go through the charge.
   * Emits `charge.dispute.created` carrying the dispute as opened.
   */
  openDispute(paymentIntentId: string, options: OpenDisputeOptions = {}): { dispute: FakeDispute; event: FakeEvent } {
    const pi = this.paymentIntents.get(paymentIntentId);
    const charge = pi?.latest_charge ? this.charges.get(pi.latest_charge) : undefined;
    if (!pi || !charge) throw new Error(`stripe-fake: no charged PaymentIntent ${paymentIntentId}`);
    charge.disputed = true;
    const dispute = newDispute({
      id: randomId("dp"),
      charge,
      reason: options.reason ?? "fraudulent",
      created: this.nowSeconds(),
      dueBy: this.nowSeconds() + SEVEN_DAYS_S,
      inquiry: options.inquiry ?? false,
    });
    if (options.withoutPaymentIntent) dispute.payment_intent = null;
    this.disputes.set(dispute.id, dispute);
    this.remember(dispute.id);
    const event = this.emit("charge.dispute.created", dispute);
    return { dispute: clone(dispute), event: clone(event) };
  }

  /**
   * The dispute moves to `status`, as the network and the merchant's evidence move it at Stripe: submitting
   * evidence (an `under_review` status) counts a submission; a closed dispute leaves the charge unrefundable. Emits
   * `charge.dispute.closed` into a closed status and `charge.dispute.updated` otherwise, with the state after it.
   */
  moveDispute(id: string, status: FakeDisputeStatus): FakeEvent {
    if (!DISPUTE_STATUSES.has(status)) throw new Error(`stripe-fake: ${String(status)} is not a dispute status of API 2023-08-16`);
    const dispute = this.keptDispute(id);
    dispute.status = status;
    const evidence = dispute["evidence_details"] as { submission_count: number; has_evidence: boolean };
    if (status === "under_review" || status === "warning_under_review") {
      evidence.submission_count += 1;
      evidence.has_evidence = true;
    }
    const closed = CLOSED_DISPUTE_STATUSES.has(status);
    if (closed) dispute["is_charge_refundable"] = false;
    return clone(this.emit(closed ? "charge.dispute.closed" : "charge.dispute.updated", dispute));
  }

  /** Money moved by the dispute (`funds_withdrawn` at a chargeback, `funds_reinstated` when won); its status is unchanged. */
  disputeFunds(id: string, movement: "funds_withdrawn" | "funds_reinstated"): FakeEvent {
    if (movement !== "funds_withdrawn" && movement !== "funds_reinstated") throw new Error(`stripe-fake: no funds movement ${String(movement)}`);
    return clone(this.emit(`charge.dispute.${movement}`, this.keptDispute(id)));
  }

  private keptDispute(id: string): FakeDispute {
    const dispute = this.disputes.get(id);
    if (!dispute) throw new Error(`stripe-fake: no dispute ${id}`);
    return dispute;
  }

  private renderDispute(dispute: FakeDispute, expand: string[], prefix = ""): Json {
    const out: { [key: string]: Json } = clone(dispute);
    if (expand.includes(`${prefix}payment_intent`) && dispute.payment_intent !== null) {
      const pi = this.paymentIntents.get(dispute.payment_intent);
      if (pi) out.payment_intent = clone(pi);
    }
    return out;
  }

  retrieveDispute(id: string, params: FormParams): ApiResult {
    const dispute = this.disputes.get(id);
    if (!dispute) return notFound("dispute", id);
    return { status: 200, body: this.renderDispute(dispute, listParam(params, "expand")) };
  }

  /**
   * `GET /v1/disputes`: newest first (equal seconds: the later opening first), `created` exact or a range, pages of
   * `limit` (1–100) after `starting_after`. An unknown `starting_after` names a missing dispute in a parameter: 400.
   */
  listDisputes(params: FormParams): ApiResult {
    const inWindow = createdFilter(params);
    const items = this.newestFirst(this.disputes.values()).filter((d) => inWindow(d.created));
    const expand = listParam(params, "expand");
    return page(
      items,
      params,
      "/v1/disputes",
      (d) => this.renderDispute(d, expand, "data."),
      (id) => missingParameterObject("dispute", id, "starting_after"),
    );
  }
}
