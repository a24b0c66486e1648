import type { Payment, Refund } from "../domain/payment.js";
import type { HistoryEntry } from "../domain/payment.js";
import { PaymentError, configurationError } from "../errors/index.js";
import { type FareQuote, type FareRequest, quoteCancellation, quoteFare } from "../fares/quote-fare.js";
import { lookUpTariff } from "../fares/named-tariffs.js";
import { type Tariff, type TariffInput } from "../fares/tariff.js";
import { maskCardNumbers } from "../validation/card-data.js";
import { type Clock, systemClock } from "../ports/clock.js";
import { type IdGenerator, ulidIdGenerator } from "../ports/id-generator.js";
import type { PaymentGateway, WebhookHeaders } from "../ports/payment-gateway.js";
import type { CustomerFilter, DisputeFilter, Page, PageRequest, PaymentFilter, PaymentStore, StatsFilter } from "../ports/payment-store.js";
import type { Dispute } from "../domain/dispute.js";
import type { Customer, SavedPaymentMethod } from "../domain/customer.js";
import { type CreateCustomerInput, createCustomer } from "./customers/create-customer.js";
import { type UpdateCustomerInput, updateCustomer } from "./customers/update-customer.js";
import { deleteCustomer, detachPaymentMethod } from "./customers/detach-payment-method.js";
import {
  type SavePaymentMethodInput,
  type SavedPaymentMethodResult,
  confirmSavedPaymentMethod,
  savePaymentMethod,
} from "./customers/save-payment-method.js";
import { clampPageLimit } from "../queries/page-limit.js";
import { buildReceipt, type Receipt } from "../receipts/receipt.js";
import { type ReceiptFormat, renderReceipt } from "../receipts/render-receipt.js";
import type { ApplyContext } from "./apply-gateway-result.js";
import { DEFAULT_GATEWAY_RETRY_POLICY, type GatewayRetryPolicy } from "./gateway-answer.js";
import { type CancelContext, type CancelPaymentInput, cancelPayment } from "./operations/cancel-payment.js";
import { type CapturePaymentInput, capturePayment } from "./operations/capture-payment.js";
import { type ConfirmPaymentInput, confirmPayment } from "./operations/confirm-payment.js";
import { type CreatePaymentInput, createPayment } from "./operations/create-payment.js";
import { paymentNotFound } from "./operations/load-payment.js";
import { findPaymentByProviderId } from "./find-by-provider-id.js";
import type { OperationContext, OperationDeps, PaymentResult, RefundResult, Replayable } from "./operations/operation.js";
import { type RefundPaymentInput, refundPayment } from "./operations/refund-payment.js";
import { type UpdatePaymentInput, updatePayment } from "./operations/update-payment.js";
import { SETTLE_STEPS } from "./operations/settle-steps.js";
import { ThreePhaseRunner } from "./operations/three-phase-runner.js";
import { type RecoverStaleOptions, type RecoveryReport, recoverStale } from "./recover-stale.js";
import { type WebhookDeps, type WebhookResult, applyInboxEvent } from "./webhook-handler.js";
import { type HeldWebhooksReport, applyHeldFor, receiveWebhook, sweepInbox } from "./webhook-inbox.js";
import { summarizeStats, type PaymentStats } from "./stats.js";
import { reconcile } from "./reconcile/reconcile.js";
import type { ReconcileOptions, ReconcileReport } from "./reconcile/report.js";

/*
 * The service as its hosts see it: the wiring of ports, runner and operations, and one line per command, each an
 * operation of its own in operations/ (its input schema, claim step and settle step), plus the reads.
 */

export interface PaymentServiceOptions {
  store: PaymentStore;
  /** Every provider this service may use; a payment's `provider` picks its gateway. */
  gateways: readonly PaymentGateway[];
  /** Provider for new payments that name none; defaults to the first gateway. */
  defaultProvider?: string | undefined;
  clock?: Clock | undefined;
  ids?: IdGenerator | undefined;
  /** How long finished idempotency records are kept (default 24 h). */
  idempotencyTtlMs?: number | undefined;
  /**
   * A lock older than this is considered abandoned by a dead holder and may be taken over (default 60 s). Keep it
   * above the gateways' request timeouts, so a slow call is never mistaken for a dead one.
   */
  lockTimeoutMs?: number | undefined;
  /** Validity assumed for an authorization whose provider does not report an expiry (default 7 days). */
  authorizationValidityMs?: number | undefined;
  /** Named tariffs for `quoteFare`. */
  tariffs?: Readonly<Record<string, Tariff | TariffInput>> | undefined;
  maxConflictRetries?: number | undefined;
  /** A webhook held this long without its payment appearing is reported `orphaned` (default 1 h). */
  orphanAfterMs?: number | undefined;
  /** Attempts after which the sweep leaves a failed webhook to an operator's replay (default 10). */
  webhookMaxAttempts?: number | undefined;
  /**
   * How often and how long a gateway operation without a definite answer is tried again (default 8 attempts within
   * 24 h). When spent, an operation the provider never acted on resolves as refused; an unknown outcome is flagged.
   */
  gatewayRetryPolicy?: Partial<GatewayRetryPolicy> | undefined;
}

export interface PaymentDetails {
  payment: Payment;
  history: HistoryEntry[];
  refunds: Refund[];
}

const HOUR = 3_600_000;

/**
 * How long an idempotency lock may be held before it counts as abandoned, unless configured: above the gateways'
 * request timeouts, so a slow call is never mistaken for a dead holder (and a holder keeps it fresh meanwhile).
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

/**
 * The payment service: every state-changing call is idempotent under (scope, key), every gateway-touching call
 * follows the three phases, and every change commits with its history and outbox events.
 */
export class PaymentService {
  readonly store: PaymentStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly defaultProvider: string;
  /** After this, a held idempotency lock counts as abandoned; front ends that wait on a lock wait this long. */
  readonly lockTimeoutMs: number;
  private readonly gateways: ReadonlyMap<string, PaymentGateway>;
  private readonly tariffs: Readonly<Record<string, Tariff | TariffInput>>;
  private readonly authorizationValidityMs: number;
  private readonly runner: ThreePhaseRunner;
  private readonly operations: OperationDeps;
  private readonly webhooks: WebhookDeps;
  private readonly webhookMaxAttempts: number;

  constructor(options: PaymentServiceOptions) {
    if (options.gateways.length === 0) throw configurationError("at least one gateway is required");
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? ulidIdGenerator();
    this.gateways = new Map(options.gateways.map((g) => [g.provider, g]));
    this.defaultProvider = options.defaultProvider ?? options.gateways[0]!.provider;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (!this.gateways.has(this.defaultProvider)) {
      throw configurationError(`the default provider "${maskCardNumbers(this.defaultProvider)}" is not one of the gateways`, {
        configured: [...this.gateways.keys()],
      });
    }
    this.tariffs = options.tariffs ?? {};
    this.authorizationValidityMs = options.authorizationValidityMs ?? 7 * 24 * HOUR;
    const maxConflictRetries = options.maxConflictRetries ?? 8;
    this.runner = new ThreePhaseRunner({
      store: this.store,
      clock: this.clock,
      ids: this.ids,
      gatewayFor: (provider) => this.gatewayFor(provider),
      settleSteps: SETTLE_STEPS,
      applyContext: (actor, reason) => this.applyContext(actor, reason),
      ttlMs: options.idempotencyTtlMs ?? 24 * HOUR,
      lockTimeoutMs: this.lockTimeoutMs,
      maxConflictRetries,
      retryPolicy: { ...DEFAULT_GATEWAY_RETRY_POLICY, ...options.gatewayRetryPolicy },
    });
    this.operations = {
      run: (operation, params, ctx, claim) => this.runner.run(operation, params, ctx, claim),
      gatewayFor: (provider) => this.gatewayFor(provider),
      applyContext: (actor, reason) => this.applyContext(actor, reason),
      newId: (prefix) => this.ids.newId(prefix),
      now: () => this.clock.now(),
      defaultProvider: this.defaultProvider,
    };
    this.webhooks = {
      store: this.store,
      gatewayFor: (provider) => this.gatewayFor(provider),
      context: (event) => this.applyContext(`webhook:${event.provider}`, `webhook ${event.type}`),
      now: () => this.clock.now(),
      orphanAfterMs: options.orphanAfterMs ?? HOUR,
      maxConflictRetries,
    };
    this.webhookMaxAttempts = options.webhookMaxAttempts ?? 10;
  }

  get providers(): string[] {
    return [...this.gateways.keys()];
  }

  gatewayFor(provider: string): PaymentGateway {
    const gateway = this.gateways.get(provider);
    if (!gateway) {
      // The name is repeated only masked: a careless caller may have put anything there.
      throw new PaymentError("validation_error", `provider "${maskCardNumbers(provider)}" is not configured`, {
        details: { configured: [...this.gateways.keys()] },
      });
    }
    return gateway;
  }

  private applyContext(actor: string, reason: string): ApplyContext {
    return {
      at: this.clock.now().toISOString(),
      actor,
      reason,
      newId: (prefix) => this.ids.newId(prefix),
      authorizationValidityMs: this.authorizationValidityMs,
    };
  }

  // ---------------------------------------------------------------- commands (operations/)

  /** Creates a pending payment. No money moves until `confirmPayment`. */
  createPayment(input: CreatePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    return createPayment(this.operations, input, ctx);
  }

  /**
   * Charges (or, for manual capture, authorizes) a pending payment; on a payment in `requires_action` it resumes
   * after the customer completed the step. Declines answer with their card error code and leave it `failed`.
   */
  async confirmPayment(paymentId: string, input: ConfirmPaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    return this.afterSettle(await confirmPayment(this.operations, paymentId, input, ctx));
  }

  /** Captures an authorized payment, in full or in part (the rest of the authorization is released). */
  async capturePayment(paymentId: string, input: CapturePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    return this.afterSettle(await capturePayment(this.operations, paymentId, input, ctx));
  }

  /**
   * Cancels a payment before money moved: pending (locally), requires_action or authorized (at the provider).
   * `ctx.allowedStatuses` limits what this caller may cancel (an owner: only before authorization).
   */
  async cancelPayment(paymentId: string, input: CancelPaymentInput, ctx: CancelContext): Promise<PaymentResult> {
    return this.afterSettle(await cancelPayment(this.operations, paymentId, input, ctx));
  }

  /**
   * Refunds part or all of what remains refundable. The amount is reserved in the same transaction that checks
   * it, so concurrent refunds can never together exceed the captured amount.
   */
  async refundPayment(paymentId: string, input: RefundPaymentInput, ctx: OperationContext): Promise<RefundResult> {
    return this.afterSettle(await refundPayment(this.operations, paymentId, input, ctx));
  }

  /**
   * Changes a payment's editable fields (domain/payment-edits.ts): before confirmation amount, currency and lines
   * (checked as on create), description, metadata, references and customer; after it only description and
   * metadata, else `payment_not_editable`. Metadata and references are merge patches: a key set to null is removed.
   */
  updatePayment(paymentId: string, changes: UpdatePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    return updatePayment(this.operations, paymentId, changes, ctx);
  }

  // ---------------------------------------------------------------- customers and saved payment methods (customers/)

  /** Creates a customer (ours only: the provider's is made when a provider first needs one). */
  createCustomer(input: CreateCustomerInput, ctx: OperationContext): Promise<Replayable<Customer>> {
    return createCustomer(this.operations, input, ctx);
  }

  /** Changes a customer's email, name, metadata (a merge patch) or default saved method. */
  updateCustomer(customerId: string, input: UpdateCustomerInput, ctx: OperationContext): Promise<Replayable<Customer>> {
    return updateCustomer(this.operations, customerId, input, ctx);
  }

  /** Detaches every saved method at its provider, then marks the customer deleted (the record stays). */
  deleteCustomer(customerId: string, ctx: OperationContext): Promise<{ customer: Customer; replayed: boolean }> {
    return deleteCustomer(this.operations, customerId, ctx, (id) => this.store.listSavedPaymentMethods(id));
  }

  async getCustomer(customerId: string): Promise<Customer> {
    const customer = await this.store.getCustomer(customerId);
    if (!customer) throw new PaymentError("not_found", `customer ${customerId} not found`, { details: { customerId } });
    return customer;
  }

  /** Customers newest first (`owner`, `email`, `deleted`). Not owner-scoped: a front end passes the owner. */
  listCustomers(filter: CustomerFilter = {}, page: PageRequest = { limit: 50 }): Promise<Page<Customer>> {
    return this.store.listCustomers(filter, { ...page, limit: clampPageLimit(page.limit) });
  }

  /**
   * Saves a payment method for off-session charges without charging it (a SetupIntent, a PayPal setup token): the
   * method is `active`, or `requires_action` when the bank asks the customer to authenticate (then
   * `confirmSavedPaymentMethod`), or the answer is the decline.
   */
  savePaymentMethod(customerId: string, input: SavePaymentMethodInput, ctx: OperationContext): Promise<SavedPaymentMethodResult> {
    return savePaymentMethod(this.operations, customerId, input, ctx);
  }

  confirmSavedPaymentMethod(methodId: string, ctx: OperationContext): Promise<SavedPaymentMethodResult> {
    return confirmSavedPaymentMethod(this.operations, methodId, ctx);
  }

  /** Detaches a saved method: at once here (no charge can use it), then at the provider. */
  detachPaymentMethod(methodId: string, ctx: OperationContext): Promise<SavedPaymentMethodResult> {
    return detachPaymentMethod(this.operations, methodId, ctx);
  }

  async getSavedPaymentMethod(methodId: string): Promise<SavedPaymentMethod> {
    const method = await this.store.getSavedPaymentMethod(methodId);
    if (!method) throw new PaymentError("not_found", `payment method ${methodId} not found`, { details: { paymentMethodId: methodId } });
    return method;
  }

  /** The customer's saved methods, oldest first (detached ones too, for the record); `not_found` for no customer. */
  async listSavedPaymentMethods(customerId: string): Promise<SavedPaymentMethod[]> {
    await this.getCustomer(customerId);
    return this.store.listSavedPaymentMethods(customerId);
  }

  // ---------------------------------------------------------------- queries

  async getPayment(paymentId: string): Promise<Payment> {
    const payment = await this.store.getPayment(paymentId);
    if (!payment) throw paymentNotFound(paymentId);
    return payment;
  }

  async getPaymentDetails(paymentId: string): Promise<PaymentDetails> {
    const payment = await this.getPayment(paymentId);
    const [history, refunds] = await Promise.all([this.store.listHistory(paymentId), this.store.listRefunds(paymentId)]);
    return { payment, history, refunds };
  }

  /**
   * The payment that names this provider object (a Stripe `pi_…`, a PayPal order id), the oldest if several
   * attempts did, or else whose refund the provider knows by this id (a Stripe `re_…`); `not_found` when none does.
   * Not owner-scoped: a front end checks the owner, as for `getPayment`.
   */
  findPaymentByProviderId(provider: string, providerPaymentId: string): Promise<Payment> {
    return findPaymentByProviderId(this.store, provider, providerPaymentId);
  }

  listPayments(filter: PaymentFilter = {}, page: PageRequest = { limit: 50 }): Promise<Page<Payment>> {
    return this.store.listPayments(filter, { ...page, limit: clampPageLimit(page.limit) });
  }

  async listRefunds(paymentId: string): Promise<Refund[]> {
    await this.getPayment(paymentId);
    return this.store.listRefunds(paymentId);
  }

  async getReceipt(paymentId: string): Promise<Receipt> {
    const { payment, refunds, history } = await this.getPaymentDetails(paymentId);
    const issued = history.find((h) => h.to === "succeeded");
    return buildReceipt(payment, refunds, issued?.at);
  }

  async renderReceipt(paymentId: string, format: ReceiptFormat): Promise<string> {
    return renderReceipt(await this.getReceipt(paymentId), format);
  }

  get tariffNames(): string[] {
    return Object.keys(this.tariffs);
  }

  /** Quotes a fare with a named tariff (or one passed in); the lines can be attached to a new payment. */
  quoteFare(tariff: string | Tariff | TariffInput, request: FareRequest): FareQuote {
    return quoteFare(this.resolveTariff(tariff), request);
  }

  quoteCancellation(tariff: string | Tariff | TariffInput): FareQuote {
    return quoteCancellation(this.resolveTariff(tariff));
  }

  private resolveTariff(tariff: string | Tariff | TariffInput): Tariff | TariffInput {
    return typeof tariff === "string" ? lookUpTariff(this.tariffs, tariff) : tariff;
  }

  /** Payments created in the window, and disputes opened in it (a dispute comes weeks after its payment). */
  async stats(filter: StatsFilter = {}): Promise<PaymentStats> {
    const [rows, disputes] = await Promise.all([
      this.store.stats(filter),
      this.store.disputeStats({ openedFrom: filter.createdFrom, openedTo: filter.createdTo }),
    ]);
    return summarizeStats(rows, disputes);
  }

  // ---------------------------------------------------------------- disputes

  async getDispute(disputeId: string): Promise<Dispute> {
    const dispute = await this.store.getDispute(disputeId);
    if (!dispute) throw new PaymentError("not_found", `no dispute ${disputeId}`, { details: { disputeId } });
    return dispute;
  }

  /** Every dispute of the payment, oldest first; `not_found` for a payment that does not exist. */
  async listPaymentDisputes(paymentId: string): Promise<Dispute[]> {
    await this.getPayment(paymentId);
    return this.store.listPaymentDisputes(paymentId);
  }

  /** Disputes across payments, newest first (an operator's queue: `status`, `evidenceDueBefore`). Not owner-scoped. */
  listDisputes(filter: DisputeFilter = {}, page: PageRequest = { limit: 50 }): Promise<Page<Dispute>> {
    return this.store.listDisputes(filter, { ...page, limit: clampPageLimit(page.limit) });
  }

  // ---------------------------------------------------------------- recovery and webhooks

  /**
   * Finishes operations left at `gateway_pending` (a crash, a timeout) by re-sending the identical request with
   * the same gateway key — or, past the provider's key retention, by finding what the first attempt created.
   * Safe to run repeatedly and beside client retries: a record is resumed by one holder at a time.
   */
  recoverStale(options: RecoverStaleOptions): Promise<RecoveryReport> {
    return recoverStale({ store: this.store, clock: this.clock, runner: this.runner, afterSettle: (result) => this.afterSettle(result) }, options);
  }

  /** Runs recovery, then compares payments with the provider's records and, with `apply`, corrects drift (reconcile/). */
  reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
    const deps = { store: this.store, gateway: this.gatewayFor(options.provider), clock: this.clock, ids: this.ids };
    const recover = (o: { olderThanMs: number; actor: string }) => this.recoverStale(o);
    return reconcile({ ...deps, authorizationValidityMs: this.authorizationValidityMs, recover }, options);
  }

  /**
   * Verifies a provider webhook, stores it in the inbox (committed before this returns, so the caller may acknowledge
   * it whatever the result), and applies it exactly once. A duplicate is answered `duplicate`; an event for a payment
   * the store does not know yet is `held` and applied when the payment appears. Throws only when the event is not
   * genuine (`webhook_signature_invalid`) or could not be stored — then it must not be acknowledged.
   */
  async handleWebhook(provider: string, rawBody: Uint8Array | string, headers: WebhookHeaders): Promise<WebhookResult> {
    const event = await this.gatewayFor(provider).parseWebhook(rawBody, headers);
    if (event.provider !== provider) {
      throw new PaymentError("internal", `gateway ${provider} parsed an event for ${event.provider}`);
    }
    return receiveWebhook(this.webhooks, event);
  }

  /**
   * Retries held webhooks (applied if their payment exists now, orphaned after `orphanAfterMs`), failed ones, and
   * received ones whose applier died. Hosts run it on a timer; `payments-cli webhooks` runs it too.
   */
  processHeldWebhooks(options: { limit?: number | undefined } = {}): Promise<HeldWebhooksReport> {
    return sweepInbox(this.webhooks, { limit: options.limit ?? 500, maxAttempts: this.webhookMaxAttempts, staleAfterMs: 60_000 });
  }

  /**
   * An operator's replay of a stored webhook that was not processed (held, orphaned, failed, received): applies it
   * now, exactly once. A processed event is answered `duplicate` and changes nothing.
   */
  replayWebhook(provider: string, eventId: string): Promise<WebhookResult> {
    this.gatewayFor(provider);
    return applyInboxEvent(this.webhooks, provider, eventId);
  }

  /**
   * After an operation settled (phase 3), webhooks held for this payment can apply: the payment now exists with its
   * provider id. Best effort — the timer's sweep catches anything this misses — so it never fails the operation.
   */
  private async afterSettle<T extends { payment: Payment; replayed: boolean }>(result: T): Promise<T> {
    if (result.replayed) return result;
    try {
      await applyHeldFor(this.webhooks, result.payment);
    } catch {
      // The sweep retries held events; the operation itself succeeded and must report so.
    }
    return result;
  }
}

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  return new PaymentService(options);
}
