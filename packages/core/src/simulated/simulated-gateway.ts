import { randomBytes } from "node:crypto";
import { PaymentError } from "../errors/index.js";
import { canonicalJson } from "../idempotency/fingerprint.js";
import { type Clock, systemClock } from "../ports/clock.js";
import type {
  CancelGatewayRequest,
  CaptureGatewayRequest,
  CreateGatewayPaymentRequest,
  GatewayCallOptions,
  GatewayCapabilities,
  DetachGatewayRequest,
  GatewayDispute,
  GatewayPayment,
  GatewaySavedMethod,
  GatewaySetup,
  ResumeSetupGatewayRequest,
  SetupGatewayRequest,
  GatewayRefund,
  GatewayWebhookEvent,
  PaymentGateway,
  RefundGatewayRequest,
  ResumeGatewayPaymentRequest,
  WebhookHeaders,
} from "../ports/payment-gateway.js";
import { type DisputeReason, type DisputeStatus, isClosedDisputeStatus } from "../domain/dispute.js";
import {
  type SimulatedDispute,
  type SimulatedPaymentObject,
  type SimulatedRefund,
  type SimulatedSavedMethod,
  type SimulatedSetup,
  type SimulatedState,
  SimulatedStateStore,
} from "./simulated-state.js";
import { TEST_PAYMENT_METHODS, isTestPaymentMethod } from "./test-payment-methods.js";
import { SIMULATED_SIGNATURE_HEADER, signSimulatedPayload, verifySimulatedSignature } from "./webhook-signature.js";

export type SimulatedOperation = "createPayment" | "resumePayment" | "capture" | "cancel" | "refund" | "setup" | "resumeSetup" | "detach";

/** A fault to inject into the next matching call. */
export type SimulatedFault =
  /** The provider acts, then the response is lost: the caller sees an unknown outcome. */
  | { kind: "lose_response"; operation?: SimulatedOperation | undefined }
  /** A 5xx before acting: the caller cannot tell it from a lost response. */
  | { kind: "server_error"; operation?: SimulatedOperation | undefined }
  | { kind: "rate_limited"; operation?: SimulatedOperation | undefined }
  | { kind: "delay"; ms: number; operation?: SimulatedOperation | undefined }
  /**
   * The provider acts at once but its answer takes `ms`: past the gateway's `answerTimeoutMs` the gateway gives up
   * with `gateway_outcome_unknown` (it cannot know the provider acted), as a network client's timeout does.
   */
  | { kind: "answer_late"; ms: number; operation?: SimulatedOperation | undefined }
  /** The next charge is refused for the buyer's account (a decline that is not about the card). */
  | { kind: "buyer_refused"; operation?: "createPayment" | undefined }
  /** The next refund is refused outright (a disputed charge): a definite failed refund. */
  | { kind: "refuse_refund"; operation?: "refund" | undefined }
  /** The next refund is accepted as pending, then fails at the provider. */
  | { kind: "fail_refund_later"; operation?: "refund" | undefined };

export interface SimulatedGatewayOptions {
  /** Provider name (default "simulated"). */
  provider?: string | undefined;
  /** Keep state in this JSON file so several processes share one simulated provider. */
  stateFile?: string | undefined;
  clock?: Clock | undefined;
  /** How long idempotency keys are remembered (default 24 h, like Stripe). */
  keyRetentionMs?: number | undefined;
  /** Secrets accepted on incoming webhooks; the first signs outgoing ones. */
  webhookSecrets?: readonly string[] | undefined;
  /** Authorization validity for manual capture (default 7 days). */
  authorizationValidityMs?: number | undefined;
  /** How long the gateway waits for an answer before giving up with an unknown outcome (default 30 s). */
  answerTimeoutMs?: number | undefined;
  /**
   * Smallest chargeable amount per currency, in minor units (default none): below it a charge is refused with
   * `amount_too_small`, as Stripe refuses 49 cents. Declared in `capabilities.minimumAmounts`.
   */
  minimumAmounts?: Readonly<Record<string, number>> | undefined;
}

const DAY = 86_400_000;

/**
 * A payment provider in a box, for development, demos and tests. It accepts Stripe's test payment-method ids,
 * honours idempotency keys for a retention period like a real provider, keeps our payment id findable, can keep
 * its state in a file, injects faults, and signs webhooks — so the core's crash-safety can be exercised end to end.
 */
export class SimulatedGateway implements PaymentGateway {
  readonly provider: string;
  readonly capabilities: GatewayCapabilities;
  readonly #state: SimulatedStateStore;
  readonly #clock: Clock;
  readonly #secrets: readonly string[];
  readonly #authorizationValidityMs: number;
  readonly #answerTimeoutMs: number;
  readonly #faults: SimulatedFault[] = [];

  constructor(options: SimulatedGatewayOptions = {}) {
    this.provider = options.provider ?? "simulated";
    this.#state = new SimulatedStateStore(options.stateFile);
    this.#clock = options.clock ?? systemClock;
    this.#secrets = options.webhookSecrets?.length ? options.webhookSecrets : ["whsec_simulated_development"];
    this.#authorizationValidityMs = options.authorizationValidityMs ?? 7 * DAY;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 30_000;
    this.capabilities = {
      manualCapture: true,
      partialCapture: true,
      idempotencyKeyRetentionMs: options.keyRetentionMs ?? DAY,
      currencies: "any",
      minimumAmounts: Object.fromEntries(Object.entries(options.minimumAmounts ?? {}).map(([code, minimum]) => [code.toUpperCase(), minimum])),
      paymentMethodRequired: true,
      testPaymentMethods: Object.keys(TEST_PAYMENT_METHODS),
      savedPaymentMethods: true,
    };
  }

  /** Known test ids only, checked before the core moves the payment: an unknown one changes nothing. */
  checkPaymentMethod(paymentMethodId: string): PaymentError | null {
    if (isTestPaymentMethod(paymentMethodId)) return null;
    return new PaymentError("validation_error", "unknown payment method; use a test id such as pm_card_visa", {
      details: { field: "paymentMethodId", issues: [{ path: "paymentMethodId", message: "is not a payment method of this provider" }] },
    });
  }

  // ------------------------------------------------------------ test and demo controls

  /** Queues a fault for the next call (of `operation`, if given). */
  injectFault(fault: SimulatedFault): void {
    this.#faults.push(fault);
  }

  /** Drops faults that no call consumed. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** The customer completes (or fails) the 3-D Secure step of a payment in requires_action. */
  completeAction(providerPaymentId: string, succeed = true): void {
    this.#state.update((state) => {
      const object = this.#object(state, providerPaymentId);
      if (object.status !== "requires_action") {
        throw new PaymentError("invalid_state_transition", `${providerPaymentId} is not waiting for customer action`);
      }
      object.actionResult = succeed;
    });
  }

  /** How many provider objects were created for our payment id: the number of charges attempted. */
  chargesFor(paymentId: string): number {
    return this.#state.read((state) => state.createdPerPayment[paymentId] ?? 0);
  }

  /** Every provider object, for assertions. */
  listObjects(): SimulatedPaymentObject[] {
    return this.#state.read((state) => Object.values(state.payments));
  }

  reset(): void {
    this.#faults.length = 0;
    this.#state.reset();
  }

  /** A webhook as the provider would send it for the object's current state, signed with the first secret. */
  webhookFor(providerPaymentId: string, type?: string): { rawBody: string; headers: Record<string, string> } {
    const object = this.#state.read((state) => this.#object(state, providerPaymentId));
    return this.#signed(type ?? `payment.${object.status}`, object);
  }

  #signed(type: string, object: SimulatedPaymentObject | SimulatedDispute): { rawBody: string; headers: Record<string, string> } {
    const now = this.#clock.now();
    const body = { id: `evt_sim_${randomBytes(8).toString("hex")}`, type, created: now.toISOString(), data: { object } };
    const rawBody = JSON.stringify(body);
    const signature = signSimulatedPayload(rawBody, this.#secrets[0]!, Math.floor(now.getTime() / 1000));
    return { rawBody, headers: { "content-type": "application/json", [SIMULATED_SIGNATURE_HEADER]: signature } };
  }

  /**
   * The provider opens a dispute on a captured payment, as a cardholder's bank would: a chargeback in
   * `needs_response` (or an inquiry in `warning_needs_response`) for the whole captured amount unless `amount` says
   * less, with evidence due in 7 days. Returns the provider's dispute id; `disputeWebhookFor` makes its webhook.
   */
  openDispute(providerPaymentId: string, options: { reason?: DisputeReason; amount?: number; inquiry?: boolean } = {}): string {
    return this.#state.update((state) => {
      const object = this.#object(state, providerPaymentId);
      // A refunded charge can still be disputed (the merchant then wins it with the refund as evidence).
      const disputable = object.amountCaptured;
      if (disputable <= 0) throw new PaymentError("invalid_state_transition", `${providerPaymentId} has nothing captured to dispute`);
      const amount = options.amount ?? disputable;
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > disputable) {
        throw new PaymentError("invalid_amount", `a dispute of ${providerPaymentId} must be 1 to ${disputable} minor units`);
      }
      const now = this.#clock.now();
      state.sequence += 1;
      const dispute: SimulatedDispute = {
        id: `sim_dp_${String(state.sequence).padStart(8, "0")}`,
        providerPaymentId,
        paymentId: object.paymentId,
        amount,
        currency: object.currency,
        status: options.inquiry ? "warning_needs_response" : "needs_response",
        reason: options.reason ?? "fraudulent",
        evidenceDueBy: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      (state.disputes ??= {})[dispute.id] = dispute;
      return dispute.id;
    });
  }

  /** The provider moves a dispute (the merchant answered, the bank decided); a final one does not move again. */
  moveDispute(providerDisputeId: string, status: DisputeStatus): void {
    this.#state.update((state) => {
      const dispute = this.#dispute(state, providerDisputeId);
      if (isClosedDisputeStatus(dispute.status)) throw new PaymentError("invalid_state_transition", `${providerDisputeId} is already ${dispute.status}`);
      dispute.status = status;
      // The bank no longer takes evidence once it decided, or once it is reviewing what it was sent.
      if (status !== "needs_response" && status !== "warning_needs_response") dispute.evidenceDueBy = null;
      dispute.updatedAt = this.#clock.now().toISOString();
    });
  }

  /** A webhook for the dispute as it stands now (`dispute.created`, `dispute.updated`, `dispute.closed`), signed. */
  disputeWebhookFor(providerDisputeId: string, type?: string): { rawBody: string; headers: Record<string, string> } {
    const dispute = this.#state.read((state) => this.#dispute(state, providerDisputeId));
    return this.#signed(type ?? (isClosedDisputeStatus(dispute.status) ? "dispute.closed" : "dispute.updated"), dispute);
  }

  // ------------------------------------------------------------ the port

  async createPayment(request: CreateGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    return this.#mutate("createPayment", options.idempotencyKey, request, (state, fault) => {
      const token = request.paymentMethodId;
      if (!token) throw new PaymentError("validation_error", "a payment method is required to confirm a payment");
      // A saved method's token charges as the test id it was saved from; off-session, that id may say otherwise.
      const saved = state.savedMethods?.[token];
      if (saved && (saved.detached || saved.customerId !== request.providerCustomerId)) {
        throw new PaymentError("validation_error", "this saved payment method does not belong to the customer, or was detached");
      }
      const method = saved ? saved.source : token;
      if (!isTestPaymentMethod(method)) {
        throw new PaymentError("validation_error", "unknown payment method; use a test id such as pm_card_visa");
      }
      const minimum = this.capabilities.minimumAmounts[request.currency.toUpperCase()];
      if (minimum !== undefined && request.amount < minimum) {
        throw new PaymentError("amount_too_small", `the simulated provider's minimum charge in ${request.currency.toUpperCase()} is ${minimum} minor units`, {
          details: { currency: request.currency.toUpperCase(), minimum },
        });
      }
      const now = this.#clock.now().toISOString();
      state.sequence += 1;
      const object: SimulatedPaymentObject = {
        id: `sim_pi_${String(state.sequence).padStart(8, "0")}${randomBytes(3).toString("hex")}`,
        paymentId: request.paymentId,
        amount: request.amount,
        currency: request.currency,
        captureMethod: request.captureMethod,
        status: "processing",
        paymentMethodId: method,
        amountCapturable: 0,
        amountCaptured: 0,
        amountRefunded: 0,
        failure: null,
        actionResult: null,
        authorizationExpiresAt: null,
        refunds: [],
        createdAt: now,
      };
      const behaviour = TEST_PAYMENT_METHODS[method];
      const offSession = request.offSession === true && "offSession" in behaviour ? behaviour.offSession : undefined;
      if (offSession === "requires_action") {
        // The customer is not there to authenticate: the bank's demand comes back for the host to bring them.
        object.status = "requires_action";
        object.failure = { code: "authentication_required", declineCode: "authentication_required", message: "The bank requires the customer to authenticate this payment." };
      } else if (offSession === "declined") {
        object.status = "failed";
        object.failure = { code: "expired_card", declineCode: "expired_card", message: "Your card has expired." };
      } else if (fault?.kind === "buyer_refused") {
        object.status = "failed";
        object.failure = { code: "card_declined", declineCode: "transaction_not_allowed", message: "The buyer's account cannot make this payment." };
      } else if (behaviour.outcome === "declined") {
        object.status = "failed";
        object.failure = { code: behaviour.code, declineCode: behaviour.declineCode, message: `Your card was declined (${behaviour.declineCode}).` };
      } else if (behaviour.outcome === "requires_action") {
        object.status = "requires_action";
      } else {
        this.#authorizeOrCapture(object);
      }
      if (request.savePaymentMethod === true && !saved && object.status !== "failed") {
        const customerId = request.providerCustomerId ?? this.#newCustomer(state);
        object.customerId = customerId;
        object.savedMethodId = this.#saveMethod(state, customerId, method);
      }
      state.payments[object.id] = object;
      state.createdPerPayment[request.paymentId] = (state.createdPerPayment[request.paymentId] ?? 0) + 1;
      return this.#view(object);
    });
  }

  // ------------------------------------------------------------ saved payment methods

  async setupPaymentMethod(request: SetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    return this.#mutate("setup", options.idempotencyKey, request, (state) => {
      const method = request.paymentMethodId;
      if (!method || !isTestPaymentMethod(method)) throw new PaymentError("validation_error", "unknown payment method; use a test id such as pm_card_visa");
      const customerId = request.providerCustomerId ?? this.#newCustomer(state);
      state.sequence += 1;
      const setup: SimulatedSetup = {
        id: `sim_seti_${String(state.sequence).padStart(8, "0")}`,
        savedPaymentMethodId: request.savedPaymentMethodId,
        customerId,
        source: method,
        status: "succeeded",
        actionResult: null,
        methodId: null,
      };
      const behaviour = TEST_PAYMENT_METHODS[method];
      if (behaviour.outcome === "declined") setup.status = "failed";
      else if (behaviour.outcome === "requires_action") setup.status = "requires_action";
      else setup.methodId = this.#saveMethod(state, customerId, method);
      (state.setups ??= {})[setup.id] = setup;
      return this.#setupView(state, setup);
    });
  }

  async resumeSetup(request: ResumeSetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    return this.#mutate("resumeSetup", options.idempotencyKey, request, (state) => {
      const setup = state.setups?.[request.providerSetupId];
      if (!setup) throw new PaymentError("not_found", `no such setup at the simulated provider: ${request.providerSetupId}`);
      if (setup.status === "requires_action" && setup.actionResult === true) {
        setup.status = "succeeded";
        setup.methodId = this.#saveMethod(state, setup.customerId, setup.source);
      } else if (setup.status === "requires_action" && setup.actionResult === false) {
        setup.status = "failed";
      }
      return this.#setupView(state, setup);
    });
  }

  async findSetupBySavedMethodId(savedPaymentMethodId: string): Promise<GatewaySetup | null> {
    return this.#state.read((state) => {
      const setup = Object.values(state.setups ?? {}).find((s) => s.savedPaymentMethodId === savedPaymentMethodId);
      return setup ? this.#setupView(state, setup) : null;
    });
  }

  async detachPaymentMethod(request: DetachGatewayRequest, options: GatewayCallOptions): Promise<void> {
    await this.#mutate("detach", options.idempotencyKey, request, (state) => {
      const method = state.savedMethods?.[request.providerPaymentMethodId];
      // Already gone is what a detach wants: not an error.
      if (method) method.detached = true;
      return null;
    });
  }

  /** The customer completes (or fails) the authentication a bank asked for while saving a method. */
  completeSetupAction(providerSetupId: string, succeed = true): void {
    this.#state.update((state) => {
      const setup = state.setups?.[providerSetupId];
      if (!setup || setup.status !== "requires_action") {
        throw new PaymentError("invalid_state_transition", `${providerSetupId} is not waiting for customer action`);
      }
      setup.actionResult = succeed;
    });
  }

  /** Every saved method the simulated provider holds, for assertions (detached ones too). */
  listSavedMethods(): SimulatedSavedMethod[] {
    return this.#state.read((state) => Object.values(state.savedMethods ?? {}));
  }

  #newCustomer(state: SimulatedState): string {
    state.sequence += 1;
    return `sim_cus_${String(state.sequence).padStart(8, "0")}`;
  }

  #saveMethod(state: SimulatedState, customerId: string, source: string): string {
    state.sequence += 1;
    const id = `sim_pm_${String(state.sequence).padStart(8, "0")}`;
    (state.savedMethods ??= {})[id] = { id, customerId, source, detached: false };
    return id;
  }

  #savedView(state: SimulatedState, methodId: string): GatewaySavedMethod {
    const method = state.savedMethods?.[methodId];
    if (!method) throw new PaymentError("internal", `the simulated provider lost saved method ${methodId}`);
    return { providerPaymentMethodId: method.id, type: "card", brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 };
  }

  #setupView(state: SimulatedState, setup: SimulatedSetup): GatewaySetup {
    return {
      providerSetupId: setup.id,
      providerCustomerId: setup.customerId,
      status: setup.status,
      nextAction: setup.status === "requires_action" ? { type: "redirect", url: `https://simulated.invalid/3ds/${setup.id}` } : null,
      failure: setup.status === "failed" ? { code: "card_declined", declineCode: "generic_decline", message: "The bank refused to save this card." } : null,
      method: setup.methodId ? this.#savedView(state, setup.methodId) : null,
    };
  }

  async resumePayment(request: ResumeGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    return this.#mutate("resumePayment", options.idempotencyKey, request, (state) => {
      const object = this.#object(state, request.providerPaymentId);
      if (object.status === "requires_action" && object.actionResult === true) this.#authorizeOrCapture(object);
      else if (object.status === "requires_action" && object.actionResult === false) {
        object.status = "failed";
        object.failure = { code: "authentication_required", declineCode: "authentication_failed", message: "3-D Secure authentication failed." };
      }
      return this.#view(object);
    });
  }

  async capture(request: CaptureGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    return this.#mutate("capture", options.idempotencyKey, request, (state) => {
      const object = this.#object(state, request.providerPaymentId);
      if (object.status !== "authorized") {
        throw new PaymentError("invalid_state_transition", `cannot capture a ${object.status} payment`);
      }
      if (request.amount > object.amountCapturable) {
        throw new PaymentError("invalid_amount", `cannot capture ${request.amount}; ${object.amountCapturable} is capturable`);
      }
      object.status = "succeeded";
      object.amountCaptured = request.amount;
      object.amountCapturable = 0;
      return this.#view(object);
    });
  }

  async cancel(request: CancelGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    return this.#mutate("cancel", options.idempotencyKey, request, (state) => {
      const object = this.#object(state, request.providerPaymentId);
      if (!["authorized", "requires_action", "processing"].includes(object.status)) {
        throw new PaymentError("invalid_state_transition", `cannot cancel a ${object.status} payment`);
      }
      object.status = "canceled";
      object.amountCapturable = 0;
      return this.#view(object);
    });
  }

  async refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund> {
    return this.#mutate("refund", options.idempotencyKey, request, (state, fault) => {
      const object = this.#object(state, request.providerPaymentId);
      if (object.status !== "succeeded") throw new PaymentError("invalid_state_transition", `cannot refund a ${object.status} payment`);
      if (request.amount > object.amountCaptured - object.amountRefunded) {
        throw new PaymentError("refund_exceeds_captured", "refund exceeds the captured amount at the provider");
      }
      state.sequence += 1;
      const refund: SimulatedRefund = {
        id: `sim_re_${String(state.sequence).padStart(8, "0")}`,
        refundId: request.refundId,
        amount: request.amount,
        status: "succeeded",
        createdAt: this.#clock.now().toISOString(),
      };
      if (fault?.kind === "refuse_refund") {
        refund.status = "failed";
        refund.failureReason = "charge_disputed: the charge is disputed and cannot be refunded";
      } else if (fault?.kind === "fail_refund_later") {
        refund.status = "pending";
        refund.failsLater = true;
      } else {
        object.amountRefunded += request.amount;
      }
      object.refunds.push(refund);
      return this.#refundView(object, refund);
    });
  }

  async retrieve(providerPaymentId: string): Promise<GatewayPayment> {
    this.#failLateRefunds();
    return this.#state.read((state) => this.#view(this.#object(state, providerPaymentId)));
  }

  /** Refunds accepted as pending under a `fail_refund_later` fault fail now, as a provider's would after a while. */
  #failLateRefunds(): void {
    const due = this.#state.read((state) => Object.values(state.payments).some((p) => p.refunds.some((r) => r.failsLater)));
    if (!due) return;
    this.#state.update((state) => {
      for (const object of Object.values(state.payments)) {
        for (const refund of object.refunds) {
          if (!refund.failsLater) continue;
          refund.failsLater = false;
          refund.status = "failed";
          refund.failureReason = "insufficient_funds: the merchant balance could not cover the refund";
        }
      }
    });
  }

  async findByPaymentId(paymentId: string): Promise<GatewayPayment | null> {
    this.#failLateRefunds();
    return this.#state.read((state) => {
      const object = Object.values(state.payments).find((p) => p.paymentId === paymentId);
      return object ? this.#view(object) : null;
    });
  }

  async *listTransactions(window: { since: Date; until: Date }): AsyncIterable<GatewayPayment> {
    this.#failLateRefunds();
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const objects = this.#state.read((state) =>
      Object.values(state.payments).filter((p) => p.createdAt >= since && p.createdAt < until),
    );
    for (const object of objects) yield this.#view(object);
  }

  async *listDisputes(window: { since: Date; until: Date }): AsyncIterable<GatewayDispute> {
    const since = window.since.toISOString();
    const until = window.until.toISOString();
    const disputes = this.#state.read((state) => Object.values(state.disputes ?? {}).filter((d) => d.createdAt >= since && d.createdAt < until));
    for (const dispute of disputes) yield this.#disputeView(dispute);
  }

  async parseWebhook(rawBody: Uint8Array | string, headers: WebhookHeaders): Promise<GatewayWebhookEvent> {
    const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
    const header = headers[SIMULATED_SIGNATURE_HEADER];
    verifySimulatedSignature(text, typeof header === "string" ? header : header?.[0], this.#secrets, Math.floor(this.#clock.now().getTime() / 1000));
    const body = JSON.parse(text) as { id: string; type: string; created: string; data: { object: SimulatedPaymentObject } };
    const base = { provider: this.provider, eventId: body.id, type: body.type, occurredAt: body.created };
    if (body.type.startsWith("dispute.")) {
      const dispute = body.data.object as unknown as SimulatedDispute;
      return { ...base, kind: "dispute", paymentId: dispute.paymentId, providerPaymentId: dispute.providerPaymentId, dispute: this.#disputeView(dispute) };
    }
    if (body.type.startsWith("payment.")) return { ...base, kind: "payment", payment: this.#view(body.data.object) };
    if (body.type === "refund.updated") {
      const object = body.data.object;
      const refund = object.refunds[object.refunds.length - 1];
      if (refund) return { ...base, kind: "refund", paymentId: object.paymentId, refund: this.#refundView(object, refund) };
    }
    return { ...base, kind: "ignored" };
  }

  // ------------------------------------------------------------ internals

  #authorizeOrCapture(object: SimulatedPaymentObject): void {
    object.failure = null;
    if (object.captureMethod === "manual") {
      object.status = "authorized";
      object.amountCapturable = object.amount;
      object.authorizationExpiresAt = new Date(this.#clock.now().getTime() + this.#authorizationValidityMs).toISOString();
    } else {
      object.status = "succeeded";
      object.amountCaptured = object.amount;
    }
  }

  #object(state: SimulatedState, id: string): SimulatedPaymentObject {
    const object = state.payments[id];
    if (!object) throw new PaymentError("not_found", `no such payment at the simulated provider: ${id}`);
    return object;
  }

  #dispute(state: SimulatedState, id: string): SimulatedDispute {
    const dispute = state.disputes?.[id];
    if (!dispute) throw new PaymentError("not_found", `no such dispute at the simulated provider: ${id}`);
    return dispute;
  }

  #disputeView(dispute: SimulatedDispute): GatewayDispute {
    return {
      providerDisputeId: dispute.id,
      providerPaymentId: dispute.providerPaymentId,
      paymentId: dispute.paymentId,
      status: dispute.status,
      providerStatus: dispute.status,
      reason: dispute.reason,
      providerReason: dispute.reason,
      amount: dispute.amount,
      currency: dispute.currency,
      evidenceDueBy: dispute.evidenceDueBy,
      openedAt: dispute.createdAt,
      updatedAt: dispute.updatedAt,
    };
  }

  #view(object: SimulatedPaymentObject): GatewayPayment {
    return {
      provider: this.provider,
      providerPaymentId: object.id,
      paymentId: object.paymentId,
      status: object.status,
      amount: object.amount,
      currency: object.currency,
      amountCapturable: object.amountCapturable,
      amountCaptured: object.amountCaptured,
      amountRefunded: object.amountRefunded,
      nextAction:
        object.status === "requires_action"
          ? { type: "redirect", url: `https://simulated.invalid/3ds/${object.id}`, clientSecret: `${object.id}_secret` }
          : null,
      failure: object.failure,
      authorizationExpiresAt: object.authorizationExpiresAt,
      paymentMethodType: "card",
      refunds: object.refunds.map((r) => this.#refundView(object, r)),
      createdAt: object.createdAt,
      savedMethod: object.savedMethodId ? { providerPaymentMethodId: object.savedMethodId, type: "card", brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 } : null,
      providerCustomerId: object.customerId ?? null,
    };
  }

  #refundView(object: SimulatedPaymentObject, refund: SimulatedRefund): GatewayRefund {
    return {
      providerRefundId: refund.id,
      refundId: refund.refundId,
      providerPaymentId: object.id,
      amount: refund.amount,
      currency: object.currency,
      status: refund.status,
      failureReason: refund.failureReason ?? null,
      createdAt: refund.createdAt,
    };
  }

  #takeFault(operation: SimulatedOperation): SimulatedFault | undefined {
    const index = this.#faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    return index === -1 ? undefined : this.#faults.splice(index, 1)[0];
  }

  /**
   * Runs a mutating call like a provider's idempotency layer: a key seen within the retention with the same request
   * returns the stored response; with another request it is refused; an expired key is forgotten.
   */
  async #mutate<T>(
    operation: SimulatedOperation,
    key: string,
    request: unknown,
    work: (state: SimulatedState, fault: SimulatedFault | undefined) => T,
  ): Promise<T> {
    if (!key) throw new PaymentError("gateway_error", "the simulated provider requires an idempotency key");
    const fault = this.#takeFault(operation);
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "server_error") {
      throw new PaymentError("gateway_outcome_unknown", "simulated provider answered 500", { retryAfterSeconds: 1 });
    }
    if (fault?.kind === "rate_limited") {
      throw new PaymentError("gateway_rate_limited", "simulated provider rate limit", { retryAfterSeconds: 1 });
    }
    const fingerprint = `${operation}:${canonicalJson(request)}`;
    const response = this.#state.update((state) => {
      const now = this.#clock.now();
      const stored = state.keys[key];
      if (stored && now.getTime() - Date.parse(stored.at) <= this.capabilities.idempotencyKeyRetentionMs) {
        if (stored.fingerprint !== fingerprint) {
          return { ok: false as const, error: { code: "gateway_error", message: "idempotency key reused with different parameters" } };
        }
        return stored.response;
      }
      let result: SimulatedState["keys"][string]["response"];
      try {
        result = { ok: true, value: work(state, fault) };
      } catch (error) {
        if (!(error instanceof PaymentError)) throw error;
        result = { ok: false, error: { code: error.code, message: error.message } };
      }
      state.keys[key] = { fingerprint, response: result, at: now.toISOString() };
      return result;
    });
    if (fault?.kind === "lose_response") {
      throw new PaymentError("gateway_outcome_unknown", "connection to the simulated provider was lost", { retryAfterSeconds: 1 });
    }
    if (fault?.kind === "answer_late") {
      await new Promise((resolve) => setTimeout(resolve, Math.min(fault.ms, this.#answerTimeoutMs)));
      if (fault.ms > this.#answerTimeoutMs) {
        // A timeout says nothing about what the provider did: never gateway_error ("did not act").
        throw new PaymentError("gateway_outcome_unknown", `no answer from the simulated provider within ${this.#answerTimeoutMs} ms`, { retryAfterSeconds: 1 });
      }
    }
    if (!response.ok) throw new PaymentError(response.error.code as PaymentError["code"], response.error.message);
    return structuredClone(response.value) as T;
  }
}

export function createSimulatedGateway(options: SimulatedGatewayOptions = {}): SimulatedGateway {
  return new SimulatedGateway(options);
}
