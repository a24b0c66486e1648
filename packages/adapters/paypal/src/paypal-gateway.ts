import {
  PaymentError,
  type CancelGatewayRequest,
  type CaptureGatewayRequest,
  type CreateGatewayPaymentRequest,
  type GatewayCallOptions,
  type GatewayCapabilities,
  type GatewayPayment,
  type GatewayRefund,
  type GatewayWebhookEvent,
  type PaymentGateway,
  type RefundGatewayRequest,
  type ResumeGatewayPaymentRequest,
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
} from "@paypal/paypal-server-sdk";
import { declineCodeForIssue } from "./decline-codes.js";
import { toPaymentError, readPayPalError } from "./map-paypal-error.js";
import { mapOrder, mapRefund, minor, refundCaptureId } from "./map-order.js";
import { createPayPalClient, lastTokenFailure } from "./paypal-client.js";
import { PAYPAL_CURRENCIES, PAYPAL_MINIMUM_AMOUNTS, assertPayPalCurrency, toPayPalValue } from "./paypal-currencies.js";
import type { PayPalGatewayOptions } from "./paypal-gateway-options.js";
import { paypalRequestId } from "./request-id.js";
import { MAX_SEARCH_WINDOW_MS, PayPalTransactionSearch } from "./transaction-search.js";
import { CertificateCache, assertPayPalCertificateUrl, fetchCertificate } from "./webhook/certificate-fetcher.js";
import { mapWebhookEvent } from "./webhook/map-webhook-event.js";
import { verifyWithApi } from "./webhook/verify-api.js";
import { verifyOffline } from "./webhook/verify-offline.js";
import { assertFresh, readTransmission } from "./webhook/webhook-headers.js";

/** Orders v2 keeps a PayPal-Request-Id for 6 hours ("The server stores keys for 6 hours"). */
const ORDERS_KEY_RETENTION_MS = 6 * 3600 * 1000;
const PREFER = "return=representation";
/** Orders v2 answers these when the action already happened; the order itself then says what the outcome was. */
const ALREADY_DONE = new Set([
  "ORDER_ALREADY_CAPTURED",
  "ORDER_ALREADY_AUTHORIZED",
  "ORDER_COMPLETED_OR_VOIDED",
  "AUTHORIZATION_ALREADY_CAPTURED",
  "PREVIOUSLY_CAPTURED",
  "PREVIOUSLY_VOIDED",
  "ORDER_NOT_APPROVED",
]);

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
    idempotencyKeyRetentionMs: ORDERS_KEY_RETENTION_MS,
    currencies: PAYPAL_CURRENCIES,
    minimumAmounts: PAYPAL_MINIMUM_AMOUNTS,
  };

  readonly #client: Client;
  readonly #orders: OrdersController;
  readonly #payments: PaymentsController;
  readonly #search: PayPalTransactionSearch;
  readonly #options: PayPalGatewayOptions;
  readonly #certificates: CertificateCache;
  readonly #now: () => Date;

  constructor(options: PayPalGatewayOptions) {
    this.#options = options;
    this.provider = options.provider ?? "paypal";
    this.#now = options.now ?? (() => new Date());
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
    this.#certificates = new CertificateCache(options.certificateFetcher ?? fetchCertificate);
  }

  /** One SDK call with errors mapped; a token failure the SDK hid behind "not authorized" is reported as itself. */
  async #call<T>(operation: string, run: () => Promise<{ result: T }>): Promise<T> {
    try {
      return (await run()).result;
    } catch (error) {
      const tokenFailure =
        !(error instanceof ApiError) && error instanceof Error && /not authorized|OAuth token/i.test(error.message)
          ? lastTokenFailure(this.#client)
          : undefined;
      throw toPaymentError(error, operation, tokenFailure);
    }
  }

  async #getOrder(id: string): Promise<Order> {
    return this.#call("get order", () => this.#orders.getOrder({ id }));
  }

  async createPayment(request: CreateGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const currency = assertPayPalCurrency(request.currency);
    const value = toPayPalValue(request.amount, currency);
    const automatic = request.captureMethod === "automatic";
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
          ...(request.returnUrl || request.cancelUrl
            ? {
                paymentSource: {
                  paypal: {
                    experienceContext: {
                      ...(request.returnUrl ? { returnUrl: request.returnUrl } : {}),
                      ...(request.cancelUrl ? { cancelUrl: request.cancelUrl } : {}),
                      userAction: automatic ? PaypalExperienceUserAction.PayNow : PaypalExperienceUserAction.Continue,
                      shippingPreference: PaypalWalletContextShippingPreference.NoShipping,
                    },
                  },
                },
              }
            : {}),
        },
      }),
    );
    return mapOrder(order, this.provider);
  }

  async resumePayment(request: ResumeGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const id = request.providerPaymentId;
    const requestId = paypalRequestId(options.idempotencyKey);
    try {
      const order =
        request.captureMethod === "automatic"
          ? await this.#orders.captureOrder({ id, paypalRequestId: requestId, prefer: PREFER })
          : await this.#orders.authorizeOrder({ id, paypalRequestId: requestId, prefer: PREFER });
      // A 201 can still be a decline (capture DECLINED, authorization DENIED): the mapper reads the status.
      return mapOrder(order.result as Order, this.provider);
    } catch (error) {
      const info = readPayPalError(error);
      const issue = info?.status === 422 ? info.issue : undefined;
      const decline = issue ? declineCodeForIssue(issue) : undefined;
      if (issue && decline) {
        const payment = mapOrder(await this.#getOrder(id), this.provider);
        return {
          ...payment,
          status: "failed",
          nextAction: null,
          failure: { code: decline, declineCode: issue, message: `PayPal: ${info?.description ?? issue}` },
        };
      }
      // Already captured/authorized (a retry past key retention), or not yet approved: the order is the answer.
      if (issue && ALREADY_DONE.has(issue)) return mapOrder(await this.#getOrder(id), this.provider);
      return this.#call("resume order", () => Promise.reject(error));
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
      const current = mapOrder(before, this.provider);
      // A retry after the capture went through finds nothing open: the order already tells the outcome.
      if (current.status === "succeeded") return current;
      throw new PaymentError("invalid_state_transition", `PayPal order is ${current.status}; there is nothing to capture`);
    }
    try {
      await this.#payments.captureAuthorizedPayment({
        authorizationId: authorization.id,
        paypalRequestId: paypalRequestId(options.idempotencyKey),
        prefer: PREFER,
        // One capture per payment: final_capture releases whatever part of the authorization was not taken.
        body: { amount: { currencyCode: currency, value }, finalCapture: true },
      });
    } catch (error) {
      const issue = readPayPalError(error)?.issue;
      if (!(issue && ALREADY_DONE.has(issue))) return this.#call("capture authorization", () => Promise.reject(error));
    }
    return mapOrder(await this.#getOrder(request.providerPaymentId), this.provider);
  }

  /**
   * Voids an open authorization. An order that was never captured or authorized holds no money, and PayPal has no
   * call to cancel it (it expires on its own): we answer `canceled` without calling PayPal and will never capture it.
   * A later retrieve still shows it as waiting for the buyer (`requires_action`) until PayPal expires it.
   */
  async cancel(request: CancelGatewayRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    const before = await this.#getOrder(request.providerPaymentId);
    const current = mapOrder(before, this.provider);
    if (current.status === "requires_action") return { ...current, status: "canceled", nextAction: null };
    if (current.status === "canceled") return current;
    const authorization = before.purchaseUnits?.[0]?.payments?.authorizations?.find((a) => a.status === "CREATED");
    if (!authorization?.id || current.amountCaptured > 0) {
      throw new PaymentError("invalid_state_transition", `PayPal order is ${current.status}; it cannot be canceled`);
    }
    try {
      await this.#payments.voidPayment({
        authorizationId: authorization.id,
        paypalRequestId: paypalRequestId(options.idempotencyKey),
      });
    } catch (error) {
      const issue = readPayPalError(error)?.issue;
      if (issue !== "PREVIOUSLY_VOIDED") return this.#call("void authorization", () => Promise.reject(error));
    }
    return mapOrder(await this.#getOrder(request.providerPaymentId), this.provider);
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
    const refund = await this.#call("refund capture", () =>
      this.#payments.refundCapturedPayment({
        captureId: capture.id!,
        paypalRequestId: paypalRequestId(options.idempotencyKey),
        prefer: PREFER,
        body: { amount: { currencyCode: currency, value }, customId: request.refundId },
      }),
    );
    return mapRefund(refund, request.providerPaymentId, currency);
  }

  async retrieve(providerPaymentId: string): Promise<GatewayPayment> {
    return mapOrder(await this.#getOrder(providerPaymentId), this.provider);
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
        await verifyWithApi(this.#client, text, transmission, this.#options.webhookId);
      } catch (error) {
        if (error instanceof PaymentError) throw error;
        throw toPaymentError(error, "verify webhook signature");
      }
    } else {
      await verifyOffline(bytes, transmission, certUrl, this.#options.webhookId, this.#certificates, now);
    }
    return mapWebhookEvent(event, this.provider, async (captureId) => {
      const capture = await this.#call("get capture", () => this.#payments.getCapturedPayment({ captureId }));
      return { orderId: capture.supplementaryData?.relatedIds?.orderId ?? null, paymentId: capture.customId ?? null };
    });
  }
}
