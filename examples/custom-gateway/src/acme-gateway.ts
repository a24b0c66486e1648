import {
  type GatewayCapabilities,
  type GatewayPayment,
  type GatewayRefund,
  type PaymentGateway,
  configurationError,
} from "@org/payments-core";
import { type AcmeAnswer, createAcmeClient } from "./acme-client.js";
import { asCharge, asEvent, asRefund } from "./acme-wire.js";
import { checkAcmeCardToken } from "./card-token.js";
import { mapAcmeError } from "./map-acme-error.js";
import { mapCharge } from "./map-charge.js";
import { mapRefund } from "./map-refund.js";
import { mapWebhookEvent } from "./map-webhook-event.js";
import { verifyAcmeSignature } from "./webhook-signature.js";

export interface AcmeGatewayOptions {
  /** Acme's secret API key. Only sent in the Authorization header; never stored on the gateway or put in errors. */
  apiKey: string;
  /** Webhook endpoint secrets; several while rotating. Without one, every webhook is refused. */
  webhookSecrets: readonly string[];
  /** Default `https://api.acme-pay.example`; tests point it at the local fake. */
  baseUrl?: string | undefined;
  /** Per call (default 10 s). A call past it is `gateway_outcome_unknown`: Acme may have acted. */
  timeoutMs?: number | undefined;
  /** How old a webhook signature may be (default 5 minutes, as Acme advises). */
  webhookToleranceMs?: number | undefined;
  /** Clock for the webhook age check (default the system clock). */
  now?: (() => Date) | undefined;
  /** The provider name payments carry (default "acme"). */
  provider?: string | undefined;
}

const HOUR_MS = 3_600_000;
const PAGE = 100;

/** What Acme can do, as its API.md says: the core and the contract kit decide from these, so they must be true. */
export const ACME_CAPABILITIES: GatewayCapabilities = {
  manualCapture: true,
  partialCapture: true,
  idempotencyKeyRetentionMs: 24 * HOUR_MS,
  currencies: ["USD", "JPY", "KWD"],
  // Minor units: 0.50 USD, 50 JPY, 0.100 KWD.
  minimumAmounts: { USD: 50, JPY: 50, KWD: 100 },
  paymentMethodRequired: true,
  // A search by reference reads what was written.
  lookupLagMs: 0,
};

/** A PaymentGateway on Acme Pay's REST API (test/acme-fake/API.md), over `fetch`. */
export function createAcmeGateway(options: AcmeGatewayOptions): PaymentGateway {
  if (!options.apiKey) throw configurationError("createAcmeGateway needs apiKey");
  const provider = options.provider ?? "acme";
  const now = options.now ?? (() => new Date());
  const toleranceMs = options.webhookToleranceMs ?? 5 * 60_000;
  const acme = createAcmeClient({
    baseUrl: options.baseUrl ?? "https://api.acme-pay.example",
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  const chargePath = (id: string) => `/v1/charges/${encodeURIComponent(id)}`;

  /** 200 is the charge; 402 is a decline, which carries the declined charge: a definite `failed` payment. */
  function chargeOf(answer: AcmeAnswer): GatewayPayment {
    if (answer.status === 200) return mapCharge(asCharge(answer.body), provider);
    if (answer.status === 402) return mapCharge(asCharge((answer.body as { charge?: unknown } | null)?.charge), provider);
    throw mapAcmeError(answer);
  }

  return {
    provider,
    capabilities: ACME_CAPABILITIES,
    checkPaymentMethod: checkAcmeCardToken,

    async createPayment(request, call) {
      const body = {
        amount: request.amount,
        currency: request.currency,
        card: request.paymentMethodId,
        capture: request.captureMethod,
        reference: request.paymentId,
        description: request.description ?? undefined,
      };
      return chargeOf(await acme.post("/v1/charges", body, call.idempotencyKey));
    },

    async resumePayment(request, call) {
      return chargeOf(await acme.post(`${chargePath(request.providerPaymentId)}/confirm`, {}, call.idempotencyKey));
    },

    async capture(request, call) {
      return chargeOf(await acme.post(`${chargePath(request.providerPaymentId)}/capture`, { amount: request.amount }, call.idempotencyKey));
    },

    async cancel(request, call) {
      return chargeOf(await acme.post(`${chargePath(request.providerPaymentId)}/cancel`, {}, call.idempotencyKey));
    },

    async refund(request, call): Promise<GatewayRefund> {
      const body = { amount: request.amount, reference: request.refundId, reason: request.reason };
      const answer = await acme.post(`${chargePath(request.providerPaymentId)}/refunds`, body, call.idempotencyKey);
      if (answer.status === 200) return mapRefund(asRefund(answer.body));
      if (answer.status === 402) {
        // Acme refused the refund outright (a disputed charge): definite, kept for the key, and no refund exists.
        const code = (answer.body as { error?: { code?: string } } | null)?.error?.code ?? "refund_declined";
        const { refundId, providerPaymentId, amount, currency } = request;
        return { providerRefundId: "", refundId, providerPaymentId, amount, currency, status: "failed", failureReason: code };
      }
      throw mapAcmeError(answer);
    },

    async retrieve(providerPaymentId) {
      return chargeOf(await acme.get(chargePath(providerPaymentId)));
    },

    async findByPaymentId(paymentId) {
      const answer = await acme.get(`/v1/charges?reference=${encodeURIComponent(paymentId)}`);
      if (answer.status !== 200) throw mapAcmeError(answer);
      // Newest first: after a decline and a second try, the latest charge is the payment's.
      const [newest] = (answer.body as { data?: unknown[] } | null)?.data ?? [];
      return newest === undefined ? null : mapCharge(asCharge(newest), provider);
    },

    listTransactions(window) {
      return {
        async *[Symbol.asyncIterator]() {
          let startingAfter: string | undefined;
          while (true) {
            const query = new URLSearchParams({ created_from: window.since.toISOString(), created_to: window.until.toISOString(), limit: String(PAGE) });
            if (startingAfter !== undefined) query.set("starting_after", startingAfter);
            const answer = await acme.get(`/v1/charges?${query}`);
            if (answer.status !== 200) throw mapAcmeError(answer);
            const page = answer.body as { data?: unknown[]; has_more?: boolean } | null;
            const charges = (page?.data ?? []).map(asCharge);
            for (const charge of charges) yield mapCharge(charge, provider);
            if (!page?.has_more || charges.length === 0) return;
            startingAfter = charges[charges.length - 1]!.id;
          }
        },
      };
    },

    async parseWebhook(rawBody, headers) {
      verifyAcmeSignature(rawBody, headers, { secrets: options.webhookSecrets, toleranceMs, now: now() });
      const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      return mapWebhookEvent(asEvent(body), provider);
    },
  };
}
