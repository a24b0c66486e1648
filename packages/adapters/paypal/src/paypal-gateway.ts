import {
  PaymentError,
  type DeclineCode,
  type CancelGatewayRequest,
  type CaptureGatewayRequest,
  type CreateGatewayPaymentRequest,
  type DetachGatewayRequest,
  type GatewayCallOptions,
  type GatewayCapabilities,
  type GatewayDispute,
  type GatewayPayment,
  type GatewayRefund,
  type GatewaySetup,
  type GatewayWebhookEvent,
  type PaymentGateway,
  type RefundGatewayRequest,
  type ResumeGatewayPaymentRequest,
  type ResumeSetupGatewayRequest,
  type SetupGatewayRequest,
  type WebhookHeaders,
} from "@org/payments-core";
import {
  ApiError,
  CheckoutPaymentIntent,
  OrdersController,
  PaymentsController,
  PaypalExperienceUserAction,
  PaypalWalletContextShippingPreference,
  TransactionSearchController,
  type Client,
  type Order,
  type PaymentSource,
} from "@paypal/paypal-server-sdk";
import { type CaptureLookup, captureLookupOn } from "./capture-lookup.js";
import { PayPalDisputes } from "./disputes/disputes-api.js";
import { type IssueRule, answerRuleFor } from "./issue-answer-kinds.js";
import { readPayPalError, rejectedAccessToken, toPaymentError, type PayPalErrorInfo } from "./map-paypal-error.js";
import { buyerActionUrl, mapOrder, mapRefund, minor, refundCaptureId, type OrderLinks } from "./map-order.js";
import { createPayPalClient, dropAccessToken, lastTokenFailure } from "./paypal-client.js";
import { PAYPAL_CURRENCIES, PAYPAL_MINIMUM_AMOUNTS, assertPayPalCurrency, assertPayPalMinimum, toPayPalValue } from "./paypal-currencies.js";
import type { PayPalGatewayOptions } from "./paypal-gateway-options.js";
import { paypalRequestId } from "./request-id.js";
import { MAX_SEARCH_WINDOW_MS, PayPalTransactionSearch } from "./transaction-search.js";
import { storeInVaultAttributes, vaultedByOrder, vaultedOrderSource } from "./vault/order-vault.js";
import { PayPalVault } from "./vault/paypal-vault.js";
import { CertificateCache, assertPayPalCertificateUrl, fetchCertificate } from "./webhook/certificate-fetcher.js";
import { mapWebhookEvent } from "./webhook/map-webhook-event.js";
import { verifyWithApi } from "./webhook/verify-api.js";
import { verifyOffline } from "./webhook/verify-offline.js";
import { assertFresh, readTransmission } from "./webhook/webhook-headers.js";

/**
 * How long PayPal remembers a PayPal-Request-Id, for every call this adapter makes: Orders v2 keeps one 6 hours ("The
 * server stores keys for 6 hours"), the Vault only 3. The core has one retention per gateway, and trusting a key
 * PayPal has forgotten could save a card twice (a setup token cannot be looked up by anything of ours), so it is the
 * shorter: past it, the core looks an order up before sending again, which is safe for orders too.
 */
const KEY_RETENTION_MS = 3 * 3600 * 1000;
const PREFER = "return=representation";
/** PayPal's web checkout, where a buyer approves an order or acts on it again. */
const CHECKOUT_ORIGINS = { sandbox: "https://www.sandbox.paypal.com", production: "https://www.paypal.com" } as const;

/** A PayPal error answer read from a failed call, with its rule; null for anything that is not an answer. */
function answerOf(error: unknown): (PayPalErrorInfo & { rule: ReturnType<typeof answerRuleFor> }) | null {
  const info = readPayPalError(error);
  return info ? { ...info, rule: answerRuleFor(info.status, info.issue) } : null;
}

/**
 * True for the unknown-outcome answers that say the action already happened (not a 5xx, which says nothing, and not
 * a 409, which says the first request is still running: reading the order now would see it half done).
 */
function saysAlreadyDone(answer: { status: number; rule: IssueRule }): boolean {
  if (answer.rule.kind !== "unknown_outcome" || answer.rule.readBack === false) return false;
  return answer.status !== 408 && answer.status !== 409 && answer.status < 500;
}

export function createPayPalGateway(options: PayPalGatewayOptions): PaymentGateway {
  return new PayPalGateway(options);
}

/**
 * PaymentGateway on PayPal Orders v2 + Payments v2. The flow is redirect-based: `createPayment` creates an order
 * (intent CAPTURE for automatic capture, AUTHORIZE for manual) and returns `requires_action` with the approve link;
 * after the buyer approves, `resumePayment` captures or authorizes it. Our payment id is the purchase unit's
 * custom_id (and invoice_id, so an account that blocks duplicate invoice ids also refuses a second charge for the
 * same payment); our refund id is the refund's custom_id. Every mutating call sends the core's gateway key as
 * PayPal-Request-Id.
 */
class PayPalGateway implements PaymentGateway {
  readonly provider: string;
  readonly capabilities: GatewayCapabilities = {
    manualCapture: true,
    partialCapture: true,
    idempotencyKeyRetentionMs: KEY_RETENTION_MS,
    currencies: PAYPAL_CURRENCIES,
    minimumAmounts: PAYPAL_MINIMUM_AMOUNTS,
    // findByPaymentId reads transaction search, which PayPal documents may take up to three hours to show a
    // transaction: a send the provider takes as new (past the key's retention) waits that long after the last one.
    lookupLagMs: 3 * 3_600_000,
    // Vault v3: setup tokens, payment tokens, orders charging a saved token (vault/paypal-vault.ts).
    savedPaymentMethods: true,
  };

  readonly #client: Client;
  readonly #orders: OrdersController;
  readonly #payments: PaymentsController;
  readonly #search: PayPalTransactionSearch;
  readonly #lookupCapture: CaptureLookup;
  readonly #disputes: PayPalDisputes;
  readonly #vault: PayPalVault;
  readonly #options: PayPalGatewayOptions;
  readonly #certificates: CertificateCache;
  readonly #now: () => Date;
  readonly #links: OrderLinks;

  constructor(options: PayPalGatewayOptions) {
    this.#options = options;
    this.provider = options.provider ?? "paypal";
    this.#now = options.now ?? (() => new Date());
    this.#links = { checkoutOrigin: CHECKOUT_ORIGINS[options.environment] };
    if (options.client) {
      this.#client = options.client;
    } else {
      if (!options.clientId || !options.clientSecret) {
        throw new PaymentError("validation_error", "PayPal gateway needs clientId and clientSecret, or a client");
      }
      this.#client = createPayPalClient({
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        environment: options.environment,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
    }
    this.#orders = new OrdersController(this.#client);
    this.#payments = new PaymentsController(this.#client);
    this.#search = new PayPalTransactionSearch(new TransactionSearchController(this.#client), this.#payments, (op, run) =>
      this.#call(op, run),
    );
    this.#lookupCapture = captureLookupOn(this.#payments, (op, run) => this.#call(op, run));
    this.#disputes = new PayPalDisputes(this.#client, (op, run) => this.#call(op, run), this.#lookupCapture, this.#now);
    this.#vault = new PayPalVault(this.#client, (op, run) => this.#call(op, run));
    this.#certificates = new CertificateCache(options.certificateFetcher ?? fetchCertificate);
  }

  /**
   * One SDK call. A 401 means PayPal did not act, and usually that it no longer accepts our cached access token
   * (revoked, or expired before the SDK thinks): the token is dropped and the call sent once more with a fresh one,
   * under the same PayPal-Request-Id. A second 401 is the answer.
   */
  async #raw<T>(run: () => Promise<{ result: T }>): Promise<T> {
    try {
      return (await run()).result;
    } catch (error) {
      if (readPayPalError(error)?.status !== 401 || !dropAccessToken(this.#client, rejectedAccessToken(error))) throw error;
      return (await run()).result;
    }
  }

  /** A failed call as a PaymentError; a token failure the SDK hid behind "not authorized" is reported as itself. */
  #toError(error: unknown, operation: string): PaymentError {
    const tokenFailure =
      !(error instanceof ApiError) && error instanceof Error && /not authorized|OAuth token/i.test(error.message)
        ? lastTokenFailure(this.#client)
        : undefined;
    return toPaymentError(error, operation, tokenFailure);
  }

  /** One SDK call with errors mapped. */
  async #call<T>(operation: string, run: () => Promise<{ result: T }>): Promise<T> {
    try {
      return await this.#raw(run);
    } catch (error) {
      throw this.#toError(error, operation);
    }
  }

  async #getOrder(id: string): Promise<Order> {
    return this.#call("get order", () => this.#orders.getOrder({ id }));
  }

  /** The order in the core's words, with the source it saved (store_in_vault) and its vault customer. */
  #map(order: Order): GatewayPayment {
    const payment = mapOrder(order, this.provider, this.#links);
    const vaulted = vaultedByOrder(order);
    return {
      ...payment,
      paymentMethodType: order.paymentSource?.card ? "card" : payment.paymentMethodType,
      ...(vaulted ? { savedMethod: vaulted.savedMethod, providerCustomerId: vaulted.providerCustomerId } : {}),
    };
  }

  /**
   * The saved token a create charges, or null. The core sends a saved method's token as `paymentMethodId` with its
   * vault customer (and `offSession` when the customer is absent); otherwise `paymentMethodId` is no PayPal token
   * (this flow's buyer picks the funding at PayPal) and is not sent.
   */
  #vaultIdOf(request: CreateGatewayPaymentRequest): string | null {
    if (request.savePaymentMethod) return null;
    if (request.offSession && !request.paymentMethodId) {
      throw new PaymentError("validation_error", "an off-session PayPal charge needs the saved payment token", { details: { field: "paymentMethodId" } });
    }
    return request.offSession || request.providerCustomerId ? (request.paymentMethodId ?? null) : null;
  }

  /** The order's payment_source: a saved token, a checkout that saves the wallet, or a plain checkout. */
  async #orderSource(request: CreateGatewayPaymentRequest, automatic: boolean): Promise<PaymentSource | undefined> {
    const vaultId = this.#vaultIdOf(request);
    // Which source the token is, from the vault: an order must name a card token under card, a wallet's under paypal.
    if (vaultId) return vaultedOrderSource(await this.#vault.tokenSource(vaultId), vaultId, request.offSession === true);
    const pages = {
      ...(request.returnUrl ? { returnUrl: request.returnUrl } : {}),
      ...(request.cancelUrl ? { cancelUrl: request.cancelUrl } : {}),
    };
    if (!request.savePaymentMethod && !request.returnUrl && !request.cancelUrl) return undefined;
    return {
      paypal: {
        experienceContext: {
          ...pages,
          userAction: automatic ? PaypalExperienceUserAction.PayNow : PaypalExperienceUserAction.Continue,
          shippingPreference: PaypalWalletContextShippingPreference.NoShipping,
        },
        ...(request.savePaymentMethod ? { attributes: storeInVaultAttributes(request.providerCustomerId) } : {}),
      },
    };
  }

  /** The order as a decline: PayPal refused to move the money (the order itself may still say APPROVED). */
  #declined(order: Order, code: DeclineCode, answer: PayPalErrorInfo): GatewayPayment {
    const issue = answer.issue ?? answer.name ?? `HTTP ${answer.status}`;
    return {
      ...this.#map(order),
      status: "failed",
      nextAction: null,
      amountCapturable: 0,
      failure: { code, declineCode: issue, message: `PayPal declined the payment (${issue})` },
    };
  }

  /**
   * The order as waiting for the buyer: the payer-action link (from the answer or the order) or the order's
   * checkout page, where the buyer approves again or picks another funding source for the same order.
   */
  #needsBuyer(order: Order, answer: PayPalErrorInfo): GatewayPayment {
    const payment = this.#map(order);
    // The order moved on meanwhile (captured by another attempt, voided): what it is now is the answer.
    if (payment.status !== "requires_action") return payment;
    const url = buyerActionUrl(order, this.#links, answer.links.filter((l) => l.rel === "payer-action"));
    return { ...payment, status: "requires_action", failure: null, nextAction: url ? { type: "redirect", url } : null };
  }

  async createPayment(request: CreateGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const currency = assertPayPalCurrency(request.currency);
    assertPayPalMinimum(request.amount, currency);
    const value = toPayPalValue(request.amount, currency);
    const automatic = request.captureMethod === "automatic";
    const paymentSource = await this.#orderSource(request, automatic);
    const order = await this.#call("create order", () =>
      this.#orders.createOrder({
        paypalRequestId: paypalRequestId(options.idempotencyKey),
        prefer: PREFER,
        body: {
          intent: automatic ? CheckoutPaymentIntent.Capture : CheckoutPaymentIntent.Authorize,
          purchaseUnits: [
            {
              amount: { currencyCode: currency, value },
              customId: request.paymentId,
              invoiceId: request.paymentId,
              ...(request.description ? { description: request.description.slice(0, 127) } : {}),
            },
          ],
          ...(paymentSource ? { paymentSource } : {}),
        },
      }),
    );
    const payment = this.#map(order);
    // The bank wants the payer (3-D Secure) for a charge made without them: waiting for the customer, and why.
    if (request.offSession && payment.status === "requires_action") {
      return {
        ...payment,
        failure: {
          code: "authentication_required",
          declineCode: "PAYER_ACTION_REQUIRED",
          message: "PayPal needs the payer to act on this charge (PAYER_ACTION_REQUIRED), and the customer is not present",
        },
      };
    }
    return payment;
  }

  async resumePayment(request: ResumeGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const id = request.providerPaymentId;
    const requestId = paypalRequestId(options.idempotencyKey);
    try {
      const order =
        request.captureMethod === "automatic"
          ? await this.#raw(() => this.#orders.captureOrder({ id, paypalRequestId: requestId, prefer: PREFER }))
          : await this.#raw(() => this.#orders.authorizeOrder({ id, paypalRequestId: requestId, prefer: PREFER }));
      // A 201 can still be a decline (capture DECLINED, authorization DENIED): the mapper reads the status.
      return this.#map(order as Order);
    } catch (error) {
      const answer = answerOf(error);
      if (answer?.rule.kind === "declined") return this.#declined(await this.#getOrder(id), answer.rule.declineCode, answer);
      if (answer?.rule.kind === "needs_customer") return this.#needsBuyer(await this.#getOrder(id), answer);
      // Already captured or authorized (a retry past the key's retention), or completing: the order is the answer.
      if (answer && saysAlreadyDone(answer)) return this.#map(await this.#getOrder(id));
      throw this.#toError(error, "resume order");
    }
  }

  async capture(request: CaptureGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const currency = assertPayPalCurrency(request.currency);
    const value = toPayPalValue(request.amount, currency);
    const before = await this.#getOrder(request.providerPaymentId);
    const authorization = before.purchaseUnits?.[0]?.payments?.authorizations?.find(
      (a) => a.status === "CREATED" || a.status === "PARTIALLY_CAPTURED",
    );
    if (!authorization?.id) {
      const current = this.#map(before);
      // A retry after the capture went through finds nothing open: the order already tells the outcome.
      if (current.status === "succeeded") return current;
      throw new PaymentError("invalid_state_transition", `PayPal order is ${current.status}; there is nothing to capture`);
    }
    try {
      await this.#raw(() =>
        this.#payments.captureAuthorizedPayment({
          authorizationId: authorization.id!,
          paypalRequestId: paypalRequestId(options.idempotencyKey),
          prefer: PREFER,
          // One capture per payment: final_capture releases whatever part of the authorization was not taken.
          body: { amount: { currencyCode: currency, value }, finalCapture: true },
        }),
      );
    } catch (error) {
      const answer = answerOf(error);
      // No buyer is present for a capture: a refusal that would send the buyer back is a decline here.
      if (answer?.rule.kind === "declined" || answer?.rule.kind === "needs_customer") {
        return this.#declined(await this.#getOrder(request.providerPaymentId), answer.rule.declineCode, answer);
      }
      if (!(answer && saysAlreadyDone(answer))) throw this.#toError(error, "capture authorization");
    }
    return this.#map(await this.#getOrder(request.providerPaymentId));
  }

  /**
   * Voids an open authorization. An order that was never captured or authorized holds no money, and PayPal has no
   * call to cancel it (it expires on its own): we answer `canceled` without calling PayPal and will never capture it.
   * A later retrieve still shows it as waiting for the buyer (`requires_action`) until PayPal expires it.
   */
  async cancel(request: CancelGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const before = await this.#getOrder(request.providerPaymentId);
    const current = this.#map(before);
    if (current.status === "requires_action") return { ...current, status: "canceled", nextAction: null };
    if (current.status === "canceled") return current;
    const authorization = before.purchaseUnits?.[0]?.payments?.authorizations?.find((a) => a.status === "CREATED");
    if (!authorization?.id || current.amountCaptured > 0) {
      throw new PaymentError("invalid_state_transition", `PayPal order is ${current.status}; it cannot be canceled`);
    }
    try {
      await this.#raw(() =>
        this.#payments.voidPayment({
          authorizationId: authorization.id!,
          paypalRequestId: paypalRequestId(options.idempotencyKey),
        }),
      );
    } catch (error) {
      const answer = answerOf(error);
      // Already voided, or captured meanwhile: the order says which.
      if (!(answer && saysAlreadyDone(answer))) throw this.#toError(error, "void authorization");
    }
    return this.#map(await this.#getOrder(request.providerPaymentId));
  }

  async refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund> {
    const currency = assertPayPalCurrency(request.currency);
    const value = toPayPalValue(request.amount, currency);
    const order = await this.#getOrder(request.providerPaymentId);
    const payments = order.purchaseUnits?.[0]?.payments;
    const refunds = payments?.refunds ?? [];
    // Our refund already exists (a retry past the key's retention): report it instead of refunding twice.
    const existing = refunds.find((r) => r.customId === request.refundId);
    if (existing) return mapRefund(existing, request.providerPaymentId, currency);
    const capture = (payments?.captures ?? []).find((c) => {
      if (c.status !== "COMPLETED" && c.status !== "PARTIALLY_REFUNDED") return false;
      const refunded = refunds
        .filter((r) => refundCaptureId(r) === c.id && r.status !== "FAILED" && r.status !== "CANCELLED")
        .reduce((sum, r) => sum + minor(r.amount, currency), 0);
      return minor(c.amount, currency) - refunded >= request.amount;
    });
    if (!capture?.id) {
      throw new PaymentError("refund_exceeds_captured", "no PayPal capture of this order has that much left to refund", {
        details: { providerPaymentId: request.providerPaymentId, amount: request.amount },
      });
    }
    try {
      const refund = await this.#raw(() =>
        this.#payments.refundCapturedPayment({
          captureId: capture.id!,
          paypalRequestId: paypalRequestId(options.idempotencyKey),
          prefer: PREFER,
          body: { amount: { currencyCode: currency, value }, customId: request.refundId },
        }),
      );
      return mapRefund(refund, request.providerPaymentId, currency);
    } catch (error) {
      const answer = answerOf(error);
      if (answer?.rule.kind === "declined" || answer?.rule.kind === "needs_customer") {
        // A refusal is the refund's outcome: failed, with PayPal's reason; PayPal made no refund object.
        return {
          providerRefundId: "",
          refundId: request.refundId,
          providerPaymentId: request.providerPaymentId,
          amount: request.amount,
          currency,
          status: "failed",
          failureReason: answer.issue ?? answer.name ?? `HTTP ${answer.status}`,
        };
      }
      throw this.#toError(error, "refund capture");
    }
  }

  async retrieve(providerPaymentId: string): Promise<GatewayPayment> {
    return this.#map(await this.#getOrder(providerPaymentId));
  }

  async findByPaymentId(paymentId: string): Promise<GatewayPayment | null> {
    const until = this.#now();
    const since = new Date(until.getTime() - (this.#options.searchLookbackMs ?? MAX_SEARCH_WINDOW_MS));
    for await (const row of this.#search.paymentRows(since, until)) {
      if (row.customField !== paymentId) continue;
      const orderId = await this.#search.orderIdOf(row);
      if (orderId) return this.retrieve(orderId);
    }
    return null;
  }

  async *listTransactions(window: { since: Date; until: Date }): AsyncIterable<GatewayPayment> {
    const seen = new Set<string>();
    for await (const row of this.#search.paymentRows(window.since, window.until)) {
      const orderId = await this.#search.orderIdOf(row);
      if (!orderId || seen.has(orderId)) continue;
      seen.add(orderId);
      yield await this.retrieve(orderId);
    }
  }

  /** Saves a PayPal wallet or a card in the Vault (a setup token, then its payment token): see vault/paypal-vault.ts. */
  setupPaymentMethod(request: SetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    return this.#vault.setup(request, options);
  }

  resumeSetup(request: ResumeSetupGatewayRequest, options: GatewayCallOptions): Promise<GatewaySetup> {
    return this.#vault.resume(request, options);
  }

  findSetupBySavedMethodId(savedPaymentMethodId: string): Promise<GatewaySetup | null> {
    return this.#vault.findSetup(savedPaymentMethodId);
  }

  detachPaymentMethod(request: DetachGatewayRequest, _options: GatewayCallOptions): Promise<void> {
    return this.#vault.detach(request);
  }

  /** Disputes opened in the window, from PayPal's Disputes API (see disputes-api.ts for the calls it costs). */
  listDisputes(window: { since: Date; until: Date }): AsyncIterable<GatewayDispute> {
    return this.#disputes.list(window);
  }

  async parseWebhook(rawBody: Uint8Array | string, headers: WebhookHeaders): Promise<GatewayWebhookEvent> {
    const bytes = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const transmission = readTransmission(headers);
    const now = this.#now();
    assertFresh(transmission.transmissionTime, now, this.#options.webhookToleranceMs ?? 5 * 60_000);
    const certUrl = assertPayPalCertificateUrl(transmission.certUrl, this.#options.environment);
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(text) as Record<string, unknown>;
      if (typeof event !== "object" || event === null || Array.isArray(event)) throw new Error("not an object");
    } catch (error) {
      throw new PaymentError("webhook_signature_invalid", "PayPal webhook body is not a JSON object", { cause: error });
    }
    if (this.#options.verification === "api") {
      try {
        await this.#raw(async () => ({ result: await verifyWithApi(this.#client, text, transmission, this.#options.webhookId) }));
      } catch (error) {
        if (error instanceof PaymentError) throw error;
        throw this.#toError(error, "verify webhook signature");
      }
    } else {
      await verifyOffline(bytes, transmission, certUrl, this.#options.webhookId, this.#certificates, now);
    }
    return mapWebhookEvent(event, this.provider, this.#lookupCapture, this.#links);
  }
}
