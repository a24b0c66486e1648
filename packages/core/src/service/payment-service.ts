import { buildEvent, createdRecords, refuseConfirmation, transitionPayment } from "../domain/state-machine.js";
import { snapshotRefund } from "../domain/events.js";
import { type Payment, type Refund, newPendingPayment } from "../domain/payment.js";
import { refundableAmount } from "../domain/refunds.js";
import { PaymentError, type PaymentErrorBody, isDeclineCode } from "../errors/index.js";
import { type FareQuote, type FareRequest, quoteCancellation, quoteFare } from "../fares/quote-fare.js";
import { type Tariff, type TariffInput } from "../fares/tariff.js";
import { gatewayKeyFor } from "../idempotency/keys.js";
import { normalizeCurrency } from "../money/money.js";
import { maskCardNumbers } from "../validation/card-data.js";
import { type Clock, systemClock } from "../ports/clock.js";
import { type IdGenerator, ulidIdGenerator } from "../ports/id-generator.js";
import type { PaymentGateway, WebhookHeaders } from "../ports/payment-gateway.js";
import type { HistoryEntry } from "../domain/payment.js";
import type { Page, PageRequest, PaymentFilter, PaymentStore, PaymentStoreTx, StatsFilter, StoredOutcome } from "../ports/payment-store.js";
import { buildReceipt, type Receipt } from "../receipts/receipt.js";
import { type ReceiptFormat, renderReceipt } from "../receipts/render-receipt.js";
import { type ApplyContext, advancePayment, persistTransition, persistUpdate, settleRefund } from "./apply-gateway-result.js";
import type { GatewayCall, GatewayCallResult } from "./gateway-call.js";
import { DEFAULT_GATEWAY_RETRY_POLICY, type GatewayRetryPolicy } from "./gateway-answer.js";
import { IdempotentExecutor, type OperationContext, type PhaseOneResult } from "./idempotent-executor.js";
import {
  type CancelPaymentInput,
  type CapturePaymentInput,
  type ConfirmPaymentInput,
  type CreatePaymentInput,
  type RefundPaymentInput,
  cancelPaymentSchema,
  capturePaymentSchema,
  confirmPaymentSchema,
  createPaymentSchema,
  parseInput,
  refundPaymentSchema,
} from "./inputs.js";
import { type WebhookDeps, type WebhookResult, applyInboxEvent } from "./webhook-handler.js";
import { type HeldWebhooksReport, applyHeldFor, receiveWebhook, sweepInbox } from "./webhook-inbox.js";
import { summarizeStats, type PaymentStats } from "./stats.js";
import { reconcile, type ReconcileOptions, type ReconcileReport } from "./reconcile.js";

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

/** Limits a caller's cancel (an owner may cancel only before authorization), decided inside the operation. */
export interface CancelPolicy {
  allowedStatuses?: readonly Payment["status"][] | undefined;
}

export interface PaymentResult {
  payment: Payment;
  replayed: boolean;
}

export interface RefundResult {
  refund: Refund;
  payment: Payment;
  replayed: boolean;
}

export interface PaymentDetails {
  payment: Payment;
  history: HistoryEntry[];
  refunds: Refund[];
}

export interface RecoveryReport {
  examined: number;
  settled: Array<{ scope: string; key: string; paymentId: string | null; ok: boolean; code?: string | undefined }>;
  stillPending: Array<{ scope: string; key: string; paymentId: string | null; code: string }>;
  skipped: number;
  /**
   * Operations whose attempt policy is spent with the outcome still unknown: left to an operator, who settles them
   * with `recoverStale({ includeFlagged: true })` (`payments-cli recover --flagged`) once the provider can answer.
   */
  flagged: FlaggedOperation[];
}

/** An operation the attempt policy gave up on, as operators see it. */
export interface FlaggedOperation {
  scope: string;
  key: string;
  operation: string;
  paymentId: string | null;
  attempts: number;
  lastError: string | null;
  firstSentAt: string | null;
  flaggedAt: string;
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
  private readonly executor: IdempotentExecutor;
  private readonly webhooks: WebhookDeps;
  private readonly webhookMaxAttempts: number;

  constructor(options: PaymentServiceOptions) {
    if (options.gateways.length === 0) throw new PaymentError("validation_error", "at least one gateway is required");
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? ulidIdGenerator();
    this.gateways = new Map(options.gateways.map((g) => [g.provider, g]));
    this.defaultProvider = options.defaultProvider ?? options.gateways[0]!.provider;
    this.lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.gatewayFor(this.defaultProvider);
    this.tariffs = options.tariffs ?? {};
    this.authorizationValidityMs = options.authorizationValidityMs ?? 7 * 24 * HOUR;
    this.executor = new IdempotentExecutor({
      store: this.store,
      clock: this.clock,
      ids: this.ids,
      gatewayFor: (provider) => this.gatewayFor(provider),
      settle: (tx, call, result, actor) => this.settle(tx, call, result, actor),
      ttlMs: options.idempotencyTtlMs ?? 24 * HOUR,
      lockTimeoutMs: this.lockTimeoutMs,
      maxConflictRetries: options.maxConflictRetries ?? 8,
      retryPolicy: { ...DEFAULT_GATEWAY_RETRY_POLICY, ...options.gatewayRetryPolicy },
    });
    this.webhooks = {
      store: this.store,
      gatewayFor: (provider) => this.gatewayFor(provider),
      context: (event) => this.applyContext(`webhook:${event.provider}`, `webhook ${event.type}`),
      now: () => this.clock.now(),
      orphanAfterMs: options.orphanAfterMs ?? HOUR,
      maxConflictRetries: options.maxConflictRetries ?? 8,
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

  private async loadForUpdate(tx: PaymentStoreTx, paymentId: string): Promise<Payment> {
    const payment = await tx.getPayment(paymentId);
    if (!payment) throw new PaymentError("not_found", `payment ${paymentId} not found`, { details: { paymentId } });
    return payment;
  }

  // ---------------------------------------------------------------- commands

  /** Creates a pending payment. No money moves until `confirmPayment`. */
  async createPayment(input: CreatePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    const parsed = parseInput(createPaymentSchema, input, [{ field: "amount", optional: false }]);
    const currency = normalizeCurrency(parsed.currency);
    const provider = parsed.provider ?? this.defaultProvider;
    const gateway = this.gatewayFor(provider);
    const captureMethod = parsed.captureMethod ?? "automatic";
    const { currencies, minimumAmounts, manualCapture } = gateway.capabilities;
    if (currencies !== "any" && !currencies.includes(currency)) {
      throw new PaymentError("currency_not_supported", `${provider} does not accept ${currency}`, { details: { currency, provider } });
    }
    const minimum = minimumAmounts[currency] ?? 1;
    if (parsed.amount < minimum) {
      throw new PaymentError("amount_too_small", `${provider} requires at least ${minimum} minor units of ${currency}`, {
        details: { minimum, currency, provider },
      });
    }
    if (captureMethod === "manual" && !manualCapture) {
      throw new PaymentError("validation_error", `${provider} does not support manual capture`, { details: { provider } });
    }
    const lineItems = parsed.lineItems ?? [];
    if (lineItems.length > 0) {
      const sum = lineItems.reduce((s, l) => s + (l.kind === "discount" ? -l.amount : l.amount), 0);
      if (sum !== parsed.amount) {
        throw new PaymentError("invalid_amount", `line items add up to ${sum}, not the amount ${parsed.amount}`, {
          details: { field: "lineItems", sum, amount: parsed.amount },
        });
      }
    }
    const params = { ...parsed, currency, provider, captureMethod };
    const result = await this.executor.execute<{ payment: Payment }>("payment.create", params, ctx, async (tx, actor) => {
      const at = this.clock.now().toISOString();
      const payment = newPendingPayment({
        ...parsed,
        id: this.ids.newId("pay"),
        currency,
        provider,
        captureMethod,
        lineItems,
        createdAt: at,
      });
      const records = createdRecords(payment, { ...this.applyContext(actor, "created"), at });
      await tx.insertPayment(payment);
      await tx.appendHistory([records.history]);
      await tx.appendOutbox(records.events);
      return { kind: "done", paymentId: payment.id, value: { payment } };
    });
    return { payment: result.value.payment, replayed: result.replayed };
  }

  /**
   * Charges (or, for manual capture, authorizes) a pending payment; on a payment in `requires_action` it resumes
   * after the customer completed the step. Declines answer with their card error code and leave it `failed`.
   */
  async confirmPayment(paymentId: string, input: ConfirmPaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    const parsed = parseInput(confirmPaymentSchema, input);
    const result = await this.executor.execute<{ payment: Payment }>(
      "payment.confirm",
      { paymentId, ...parsed },
      ctx,
      async (tx, actor): Promise<PhaseOneResult> => {
        const payment = await this.loadForUpdate(tx, paymentId);
        const applyCtx = this.applyContext(actor, payment.status === "requires_action" ? "resumed" : "confirmed");
        const paymentMethodId = parsed.paymentMethodId ?? payment.paymentMethodId;
        if (payment.status === "pending") this.assertConfirmable(payment, paymentMethodId);
        if (payment.status === "requires_action" && payment.providerPaymentId) {
          const moved = await persistTransition(
            tx,
            payment,
            transitionPayment(payment, "processing", applyCtx, { paymentMethodId, nextAction: null }),
          );
          return {
            kind: "gateway",
            paymentId,
            gatewayKey: gatewayKeyFor(paymentId, "resume", String(moved.version)),
            call: {
              op: "resume",
              paymentId,
              provider: payment.provider,
              providerPaymentId: payment.providerPaymentId,
              paymentMethodId,
              returnUrl: parsed.returnUrl ?? null,
              captureMethod: payment.captureMethod,
              previousNextAction: payment.nextAction,
            },
          };
        }
        const moved = await persistTransition(tx, payment, transitionPayment(payment, "processing", applyCtx, { paymentMethodId }));
        return {
          kind: "gateway",
          paymentId,
          // A payment confirmed before (and refused as an invalid request) gets a key of its own per attempt: the
          // provider remembers the refused request under the old key.
          gatewayKey: payment.version === 1 ? gatewayKeyFor(paymentId, "confirm") : gatewayKeyFor(paymentId, "confirm", `v${moved.version}`),
          call: {
            op: "create",
            paymentId,
            provider: moved.provider,
            amount: moved.amount,
            currency: moved.currency,
            captureMethod: moved.captureMethod,
            paymentMethodId,
            returnUrl: parsed.returnUrl ?? null,
            cancelUrl: parsed.cancelUrl ?? null,
            description: moved.description,
            customerId: moved.customerId,
            customerEmail: moved.customerEmail,
          },
        };
      },
    );
    return this.afterSettle({ payment: result.value.payment, replayed: result.replayed });
  }

  /**
   * Everything a first confirm needs that can be known without the provider, checked before the payment moves: a
   * refused request (validation_error, not stored under the key) leaves the payment exactly as it was.
   */
  private assertConfirmable(payment: Payment, paymentMethodId: string | null): void {
    const gateway = this.gatewayFor(payment.provider);
    if (paymentMethodId === null) {
      if (!gateway.capabilities.paymentMethodRequired) return;
      throw new PaymentError("validation_error", `${payment.provider} needs a payment method to confirm: pass paymentMethodId`, {
        details: { paymentId: payment.id, issues: [{ path: "paymentMethodId", message: "is required by this provider" }] },
      });
    }
    const refused = gateway.checkPaymentMethod?.(paymentMethodId) ?? null;
    if (refused) throw refused;
  }

  /** Captures an authorized payment, in full or in part (the rest of the authorization is released). */
  async capturePayment(paymentId: string, input: CapturePaymentInput, ctx: OperationContext): Promise<PaymentResult> {
    const parsed = parseInput(capturePaymentSchema, input, [{ field: "amount", optional: true }]);
    const result = await this.executor.execute<{ payment: Payment }>(
      "payment.capture",
      { paymentId, ...parsed },
      ctx,
      async (tx): Promise<PhaseOneResult> => {
        const payment = await this.loadForUpdate(tx, paymentId);
        if (payment.status !== "authorized" || !payment.providerPaymentId) {
          throw new PaymentError("invalid_state_transition", `a ${payment.status} payment cannot be captured`, {
            details: { paymentId, from: payment.status, to: "succeeded" },
          });
        }
        const amount = parsed.amount ?? payment.amount;
        if (amount > payment.amount) {
          throw new PaymentError("invalid_amount", `cannot capture ${amount}: only ${payment.amount} was authorized`, {
            details: { field: "amount", authorized: payment.amount },
          });
        }
        if (amount < payment.amount && !this.gatewayFor(payment.provider).capabilities.partialCapture) {
          throw new PaymentError("validation_error", `${payment.provider} does not support partial capture`);
        }
        return {
          kind: "gateway",
          paymentId,
          gatewayKey: gatewayKeyFor(paymentId, "capture"),
          call: {
            op: "capture",
            paymentId,
            provider: payment.provider,
            providerPaymentId: payment.providerPaymentId,
            amount,
            currency: payment.currency,
          },
        };
      },
    );
    return this.afterSettle({ payment: result.value.payment, replayed: result.replayed });
  }

  /** Cancels a payment before money moved: pending (locally), requires_action or authorized (at the provider). */
  async cancelPayment(
    paymentId: string,
    input: CancelPaymentInput,
    ctx: OperationContext,
    policy: CancelPolicy = {},
  ): Promise<PaymentResult> {
    const parsed = parseInput(cancelPaymentSchema, input);
    const result = await this.executor.execute<{ payment: Payment }>(
      "payment.cancel",
      { paymentId, ...parsed },
      ctx,
      async (tx, actor): Promise<PhaseOneResult> => {
        const payment = await this.loadForUpdate(tx, paymentId);
        const reason = parsed.reason ?? "canceled";
        // Checked here, under the key, so the refusal is stored and a retry replays it rather than re-deciding.
        if (policy.allowedStatuses && !policy.allowedStatuses.includes(payment.status)) {
          throw new PaymentError("forbidden", `you may cancel only a payment that is ${policy.allowedStatuses.join(" or ")}; this one is ${payment.status}`, {
            details: { paymentId, status: payment.status },
          });
        }
        if (payment.status === "pending" || (payment.status === "requires_action" && !payment.providerPaymentId)) {
          const canceled = await persistTransition(tx, payment, transitionPayment(payment, "canceled", this.applyContext(actor, reason)));
          return { kind: "done", paymentId, value: { payment: canceled } };
        }
        if ((payment.status !== "authorized" && payment.status !== "requires_action") || !payment.providerPaymentId) {
          throw new PaymentError("invalid_state_transition", `a ${payment.status} payment cannot be canceled`, {
            details: { paymentId, from: payment.status, to: "canceled" },
          });
        }
        return {
          kind: "gateway",
          paymentId,
          gatewayKey: gatewayKeyFor(paymentId, "cancel"),
          call: { op: "cancel", paymentId, provider: payment.provider, providerPaymentId: payment.providerPaymentId },
        };
      },
    );
    return this.afterSettle({ payment: result.value.payment, replayed: result.replayed });
  }

  /**
   * Refunds part or all of what remains refundable. The amount is reserved in the same transaction that checks
   * it, so concurrent refunds can never together exceed the captured amount.
   */
  async refundPayment(paymentId: string, input: RefundPaymentInput, ctx: OperationContext): Promise<RefundResult> {
    const parsed = parseInput(refundPaymentSchema, input, [{ field: "amount", optional: true }]);
    const result = await this.executor.execute<{ refund: Refund; payment: Payment }>(
      "payment.refund",
      { paymentId, ...parsed },
      ctx,
      async (tx, actor): Promise<PhaseOneResult> => {
        const payment = await this.loadForUpdate(tx, paymentId);
        // A fully refunded payment falls through to "nothing is left to refund", which says more than a state error.
        if (payment.status !== "succeeded" && payment.status !== "partially_refunded" && payment.status !== "refunded") {
          throw new PaymentError("invalid_state_transition", `a ${payment.status} payment cannot be refunded`, {
            details: { paymentId, from: payment.status },
          });
        }
        const refundable = refundableAmount(payment);
        const amount = parsed.amount ?? refundable;
        if (amount <= 0 || amount > refundable) {
          throw new PaymentError(
            "refund_exceeds_captured",
            refundable === 0
              ? `nothing is left to refund on ${paymentId}`
              : `refund of ${amount} exceeds the ${refundable} still refundable on ${paymentId}`,
            { details: { paymentId, requested: amount, refundable } },
          );
        }
        const at = this.clock.now().toISOString();
        const refund: Refund = {
          id: this.ids.newId("rf"),
          paymentId,
          amount,
          currency: payment.currency,
          status: "pending",
          reason: parsed.reason,
          actor,
          providerRefundId: null,
          failure: null,
          createdAt: at,
          updatedAt: at,
        };
        const reserved = await persistUpdate(tx, payment, { amountRefundReserved: payment.amountRefundReserved + amount }, at);
        await tx.insertRefund(refund);
        await tx.appendOutbox([
          buildEvent("refund.created", reserved, this.applyContext(actor, "refund"), { refund: snapshotRefund(refund) }),
        ]);
        return {
          kind: "gateway",
          paymentId,
          gatewayKey: gatewayKeyFor(paymentId, "refund", refund.id),
          call: {
            op: "refund",
            paymentId,
            provider: payment.provider,
            providerPaymentId: payment.providerPaymentId ?? "",
            refundId: refund.id,
            amount,
            currency: payment.currency,
            reason: parsed.reason,
          },
        };
      },
    );
    return this.afterSettle({ ...result.value, replayed: result.replayed });
  }

  /** Phase 3 for every operation: apply the gateway's definite answer through the state machine. */
  private async settle(tx: PaymentStoreTx, call: GatewayCall, result: GatewayCallResult, actor: string): Promise<StoredOutcome> {
    const ctx = this.applyContext(actor, `gateway ${call.op}`);
    const payment = await this.loadForUpdate(tx, call.paymentId);
    if (call.op === "refund") {
      const refund = await tx.getRefund(call.refundId);
      if (!refund) throw new PaymentError("internal", `refund ${call.refundId} vanished before settling`);
      // A refusal (or our own giving up) says nothing about a refund a webhook has settled meanwhile, nor about one
      // the provider already holds under its own id (a webhook saw it pending): keep it; that id settles it.
      if (result.kind === "rejected" && (refund.status !== "pending" || refund.providerRefundId !== null)) {
        return { ok: true, value: { refund, payment } };
      }
      const reported =
        result.kind === "refund"
          ? result.refund
          : {
              providerRefundId: refund.providerRefundId ?? "",
              refundId: refund.id,
              providerPaymentId: call.providerPaymentId,
              amount: refund.amount,
              currency: refund.currency,
              status: "failed" as const,
              failureReason: result.kind === "rejected" ? result.error.message : "unexpected gateway answer",
            };
      const settled = await settleRefund(tx, refund, payment, reported, ctx);
      return { ok: true, value: settled };
    }
    if (result.kind === "rejected") {
      if ((call.op === "create" || call.op === "resume") && payment.status === "processing") {
        const lastError = { code: result.error.code, message: result.error.message, declineCode: result.error.declineCode };
        if (result.answer === "declined") {
          const failed = await persistTransition(tx, payment, transitionPayment(payment, "failed", ctx, { lastError }));
          return { ok: false, error: { ...result.error, details: { ...result.error.details, paymentId: failed.id } } };
        }
        // The provider refused the request itself: no money moved, so the payment goes back to where the confirm
        // found it, and the customer can confirm again with a corrected request (under a new key).
        const back = call.op === "create" ? "pending" : "requires_action";
        const nextAction = call.op === "resume" ? (call.previousNextAction ?? null) : null;
        await persistTransition(tx, payment, refuseConfirmation(payment, back, { ...ctx, reason: `refused by ${call.provider}: ${result.error.code}` }, { lastError, nextAction }));
      }
      return { ok: false, error: { ...result.error, details: { ...result.error.details, paymentId: payment.id } } };
    }
    if (result.kind !== "payment") throw new PaymentError("internal", "gateway answered a payment call with a refund");
    const next = await advancePayment(tx, payment, result.payment, ctx);
    if ((call.op === "create" || call.op === "resume") && next.status === "failed") {
      return { ok: false, error: declineError(next) };
    }
    return { ok: true, value: { payment: next } };
  }

  // ---------------------------------------------------------------- queries

  async getPayment(paymentId: string): Promise<Payment> {
    const payment = await this.store.getPayment(paymentId);
    if (!payment) throw new PaymentError("not_found", `payment ${paymentId} not found`, { details: { paymentId } });
    return payment;
  }

  async getPaymentDetails(paymentId: string): Promise<PaymentDetails> {
    const payment = await this.getPayment(paymentId);
    const [history, refunds] = await Promise.all([this.store.listHistory(paymentId), this.store.listRefunds(paymentId)]);
    return { payment, history, refunds };
  }

  listPayments(filter: PaymentFilter = {}, page: PageRequest = { limit: 50 }): Promise<Page<Payment>> {
    return this.store.listPayments(filter, { ...page, limit: Math.min(Math.max(page.limit, 1), 500) });
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
    if (typeof tariff !== "string") return tariff;
    // Own names only: "constructor" or "__proto__" must be "no such tariff", not an inherited object.
    const named = Object.hasOwn(this.tariffs, tariff) ? this.tariffs[tariff] : undefined;
    if (!named) throw new PaymentError("not_found", `no tariff named "${tariff}"`, { details: { tariffs: this.tariffNames } });
    return named;
  }

  async stats(filter: StatsFilter = {}): Promise<PaymentStats> {
    return summarizeStats(await this.store.stats(filter));
  }

  // ---------------------------------------------------------------- recovery and webhooks

  /**
   * Finishes operations left at `gateway_pending` (a crash, a timeout) by re-sending the identical request with
   * the same gateway key — or, past the provider's key retention, by finding what the first attempt created.
   * Safe to run repeatedly and beside client retries: a record is resumed by one holder at a time.
   */
  async recoverStale(options: { olderThanMs: number; limit?: number; actor?: string; includeFlagged?: boolean }): Promise<RecoveryReport> {
    const before = new Date(this.clock.now().getTime() - options.olderThanMs).toISOString();
    const records = await this.store.listPendingIdempotencyRecords(before, options.limit ?? 500);
    const report: RecoveryReport = { examined: records.length, settled: [], stillPending: [], skipped: 0, flagged: [] };
    for (const record of records) {
      if (record.flaggedAt !== null && !options.includeFlagged) {
        report.flagged.push({
          scope: record.scope,
          key: record.key,
          operation: record.operation,
          paymentId: record.paymentId,
          attempts: record.gatewayAttempts,
          lastError: record.lastGatewayError?.code ?? null,
          firstSentAt: record.gatewaySentAt,
          flaggedAt: record.flaggedAt,
        });
        continue;
      }
      try {
        const outcome = await this.executor.resume(record.scope, record.key, options.actor ?? "system:recovery", {
          includeFlagged: options.includeFlagged === true,
        });
        if (outcome === null) report.skipped++;
        else {
          report.settled.push({ scope: record.scope, key: record.key, paymentId: record.paymentId, ok: outcome.ok, code: outcome.ok ? undefined : outcome.error.code });
          const payment = record.paymentId ? await this.store.getPayment(record.paymentId) : null;
          if (payment) await this.afterSettle({ payment, replayed: false });
        }
      } catch (error) {
        const code = error instanceof PaymentError ? error.code : "internal";
        report.stillPending.push({ scope: record.scope, key: record.key, paymentId: record.paymentId, code });
      }
    }
    return report;
  }

  /** Runs recovery, then compares payments with the provider's records and, with `apply`, corrects drift (reconcile.ts). */
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

function declineError(payment: Payment): PaymentErrorBody {
  const failure = payment.lastError;
  const code = failure && isDeclineCode(failure.code) ? failure.code : "card_declined";
  const body: PaymentErrorBody = {
    code,
    message: failure?.message ?? "the payment was declined",
    details: { paymentId: payment.id },
  };
  if (failure?.declineCode !== undefined) body.declineCode = failure.declineCode;
  return body;
}

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  return new PaymentService(options);
}
