import { randomUUID } from "node:crypto";
import { decorateGateway } from "../src/decorate/index.js";
import { PaymentError, isPaymentError } from "../src/errors/index.js";
import type { GatewayCallOptions, GatewayPayment, GatewayRefund, PaymentGateway } from "../src/ports/payment-gateway.js";
import { SIMULATED_SIGNATURE_HEADER, signSimulatedPayload, verifySimulatedSignature } from "../src/simulated/index.js";
import type { GatewayMutant } from "./mutant.js";

/**
 * Overrides that pass every payment the gateway reports (answers, lookups, lists, webhooks) through `view`, and
 * every refund through `refundView`: an adapter that maps the provider's objects wrongly.
 */
function reporting(
  inner: PaymentGateway,
  view: (payment: GatewayPayment) => GatewayPayment,
  refundView: (refund: GatewayRefund) => GatewayRefund = (refund) => refund,
): Partial<PaymentGateway> {
  const seen = (payment: GatewayPayment) => {
    const viewed = view(payment);
    return viewed.refunds ? { ...viewed, refunds: viewed.refunds.map(refundView) } : viewed;
  };
  return {
    createPayment: async (request, options) => seen(await inner.createPayment(request, options)),
    resumePayment: async (request, options) => seen(await inner.resumePayment(request, options)),
    capture: async (request, options) => seen(await inner.capture(request, options)),
    cancel: async (request, options) => seen(await inner.cancel(request, options)),
    refund: async (request, options) => refundView(await inner.refund(request, options)),
    retrieve: async (providerPaymentId) => seen(await inner.retrieve(providerPaymentId)),
    findByPaymentId: async (paymentId) => {
      const found = await inner.findByPaymentId(paymentId);
      return found && seen(found);
    },
    listTransactions: async function* (window) {
      for await (const payment of inner.listTransactions(window)) yield seen(payment);
    },
    parseWebhook: async (rawBody, headers) => {
      const event = await inner.parseWebhook(rawBody, headers);
      if (event.kind === "payment") return { ...event, payment: seen(event.payment) };
      if (event.kind === "refund") return { ...event, refund: refundView(event.refund) };
      return event;
    },
  };
}

/** Overrides that send every mutating call under the key `keyFor` makes of the core's key. */
/** `createPayment` whose thrown errors pass through `translate` first: one answer misclassified, the rest honest. */
function translatingCreateErrors(gateway: PaymentGateway, translate: (error: unknown) => unknown): Partial<PaymentGateway> {
  return {
    createPayment: async (request, options) => {
      try {
        return await gateway.createPayment(request, options);
      } catch (error) {
        throw translate(error);
      }
    },
  };
}

function rekeying(inner: PaymentGateway, keyFor: (key: string) => string): Partial<PaymentGateway> {
  const rekeyed = (options: GatewayCallOptions) => ({ ...options, idempotencyKey: keyFor(options.idempotencyKey) });
  return {
    createPayment: (request, options) => inner.createPayment(request, rekeyed(options)),
    resumePayment: (request, options) => inner.resumePayment(request, rekeyed(options)),
    capture: (request, options) => inner.capture(request, rekeyed(options)),
    cancel: (request, options) => inner.cancel(request, rekeyed(options)),
    refund: (request, options) => inner.refund(request, rekeyed(options)),
  };
}

/** Amounts of a payment in `currency` reported through `scale` (an adapter that gets the currency's exponent wrong). */
function scalingAmounts(currency: string, scale: (amount: number) => number) {
  const ours = (c: string) => c.toUpperCase() === currency;
  return {
    view: (p: GatewayPayment): GatewayPayment =>
      ours(p.currency)
        ? { ...p, amount: scale(p.amount), amountCapturable: scale(p.amountCapturable), amountCaptured: scale(p.amountCaptured), amountRefunded: scale(p.amountRefunded) }
        : p,
    refundView: (r: GatewayRefund): GatewayRefund => (ours(r.currency) ? { ...r, amount: scale(r.amount) } : r),
  };
}

const secondsOf = (header: string | readonly string[] | undefined) => {
  const text = typeof header === "string" ? header : header?.[0];
  return Number(/(?:^|,)t=(\d+)/.exec(text ?? "")?.[1]);
};

/** The gateway mutants: each is the simulated gateway with exactly one rule of the port broken. */
export const GATEWAY_MUTANTS: readonly GatewayMutant[] = [
  // ------------------------------------------------------------ webhooks
  {
    id: "webhook-signature-unchecked",
    breaks: "parseWebhook skips signature verification (any body is accepted as the provider's)",
    mustFail: ["webhookUnsignedRefused", "webhookForeignSecretRefused", "webhookTamperedBodyRefused"],
    mutate: (inner, { webhookSecret }) =>
      decorateGateway(inner, (gateway) => ({
        parseWebhook: (rawBody, headers) => {
          const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
          const signed = signSimulatedPayload(text, webhookSecret, Math.floor(Date.now() / 1000));
          return gateway.parseWebhook(rawBody, { ...headers, [SIMULATED_SIGNATURE_HEADER]: signed });
        },
      })),
  },
  {
    id: "webhook-timestamp-unchecked",
    breaks: "parseWebhook checks the signature but not its age (a captured delivery can be replayed for ever)",
    mustFail: ["webhookStaleRefused"],
    mutate: (inner, { webhookSecret }) =>
      decorateGateway(inner, (gateway) => ({
        parseWebhook: (rawBody, headers) => {
          const text = typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8");
          const header = headers[SIMULATED_SIGNATURE_HEADER];
          const signedAt = secondsOf(header);
          try {
            // Verified as of the moment it was signed, so any age passes; then re-dated for the inner check.
            verifySimulatedSignature(text, typeof header === "string" ? header : header?.[0], [webhookSecret], signedAt);
          } catch {
            return gateway.parseWebhook(rawBody, headers);
          }
          return gateway.parseWebhook(rawBody, { ...headers, [SIMULATED_SIGNATURE_HEADER]: signSimulatedPayload(text, webhookSecret, Math.floor(Date.now() / 1000)) });
        },
      })),
  },

  {
    id: "webhook-tolerance-too-strict",
    breaks: "parseWebhook refuses a genuine delivery signed a few minutes ago, within the tolerance (a slow delivery is lost)",
    mustFail: ["webhookStaleRefused"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        parseWebhook: async (rawBody, headers) => {
          if (Date.now() / 1000 - secondsOf(headers[SIMULATED_SIGNATURE_HEADER]) > 10) throw new PaymentError("webhook_signature_invalid", "webhook signature verification failed");
          return gateway.parseWebhook(rawBody, headers);
        },
      })),
  },
  {
    id: "webhook-bytes-misread",
    breaks: "parseWebhook reads a body given as bytes with String() (\"123,34,...\"), so the router's raw bytes never verify",
    mustFail: ["webhookSignedAccepted"],
    mutate: (inner) => decorateGateway(inner, (gateway) => ({ parseWebhook: (rawBody, headers) => gateway.parseWebhook(String(rawBody), headers) })),
  },
  {
    id: "webhook-event-loses-payment",
    breaks: "parseWebhook maps a payment event without the payment's ids (it cannot be applied to the payment it is about)",
    mustFail: ["webhookSignedAccepted"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        parseWebhook: async (rawBody, headers) => {
          const event = await gateway.parseWebhook(rawBody, headers);
          return event.kind === "payment" ? { ...event, payment: { ...event.payment, paymentId: null, providerPaymentId: "" } } : event;
        },
      })),
  },

  // ------------------------------------------------------------ idempotency keys
  {
    id: "idempotency-key-fresh-per-call",
    breaks: "every call is sent under a fresh key of its own (the core's key is ignored): a retry charges again",
    mustFail: ["createIdempotency", "refundIdempotency"],
    mutate: (inner) => decorateGateway(inner, (gateway) => rekeying(gateway, (key) => `${key}:${randomUUID()}`)),
  },
  {
    id: "one-key-for-every-call",
    breaks: "every call is sent under one and the same key (a capture replays the charge's answer or is refused)",
    mustFail: ["manualCapture", "partialCapture", "partialRefunds"],
    mutate: (inner) => decorateGateway(inner, (gateway) => rekeying(gateway, () => "the-one-key")),
  },

  // ------------------------------------------------------------ the answers' kinds
  {
    id: "decline-mapping-wrong",
    breaks: "an insufficient_funds decline is reported as card_declined",
    mustFail: ["declines"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) =>
        reporting(gateway, (p) => (p.failure?.code === "insufficient_funds" ? { ...p, failure: { ...p.failure, code: "card_declined" } } : p)),
      ),
  },
  {
    id: "decline-code-dropped",
    breaks: "a decline loses the provider's own decline code",
    mustFail: ["declines"],
    mutate: (inner) => decorateGateway(inner, (gateway) => reporting(gateway, (p) => (p.failure ? { ...p, failure: { code: p.failure.code, message: p.failure.message } } : p))),
  },
  {
    id: "buyer-refusal-retryable",
    breaks: "a buyer's refusal (not about the card) is thrown as gateway_error, left to retry",
    mustFail: ["buyerRefusalIsDefinite"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        createPayment: async (request, options) => {
          const payment = await gateway.createPayment(request, options);
          if (payment.failure?.declineCode === "transaction_not_allowed") throw new PaymentError("gateway_error", "the provider could not take the payment");
          return payment;
        },
      })),
  },
  {
    id: "invalid-method-as-decline",
    breaks: "an unknown payment method is reported as a declined payment instead of an invalid request",
    mustFail: ["invalidPaymentMethod"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        createPayment: async (request, options) => {
          try {
            return await gateway.createPayment(request, options);
          } catch (error) {
            if (!isPaymentError(error, "validation_error")) throw error;
            return {
              provider: gateway.provider,
              providerPaymentId: `declined_${request.paymentId}`,
              paymentId: request.paymentId,
              status: "failed",
              amount: request.amount,
              currency: request.currency,
              amountCapturable: 0,
              amountCaptured: 0,
              amountRefunded: 0,
              failure: { code: "card_declined", declineCode: "invalid_payment_method", message: "declined" },
            };
          }
        },
      })),
  },
  {
    id: "lost-answer-as-gateway-error",
    breaks: "an answer lost after the provider acted is thrown as gateway_error (\"did not act\"): the core sends again",
    mustFail: ["lostAnswerIsUnknownAndFound"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) =>
        translatingCreateErrors(gateway, (error) =>
          isPaymentError(error, "gateway_outcome_unknown") ? new PaymentError("gateway_error", "the provider did not answer") : error,
        ),
      ),
  },
  {
    id: "timeout-as-gateway-error",
    breaks: "a call that times out is thrown as gateway_error (\"did not act\") instead of gateway_outcome_unknown",
    mustFail: ["timeoutIsUnknownAndFound"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) =>
        translatingCreateErrors(gateway, (error) =>
          isPaymentError(error, "gateway_outcome_unknown") && /no answer|timed? ?out/i.test(error.message)
            ? new PaymentError("gateway_error", "the provider did not answer in time")
            : error,
        ),
      ),
  },
  {
    id: "amount-too-small-retryable",
    breaks: "an amount below the provider's minimum is thrown as gateway_error, left to retry, instead of amount_too_small",
    mustFail: ["amountTooSmall"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) =>
        translatingCreateErrors(gateway, (error) =>
          isPaymentError(error, "amount_too_small") ? new PaymentError("gateway_error", "the provider refused the request") : error,
        ),
      ),
  },
  {
    id: "declared-minimum-refused",
    breaks: "the declared minimum itself is refused with amount_too_small (the check is <= where the provider's is <)",
    mustFail: ["amountTooSmall"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        createPayment: (request, options) => {
          if (request.amount === gateway.capabilities.minimumAmounts[request.currency.toUpperCase()]) {
            return Promise.reject(new PaymentError("amount_too_small", "below the provider's minimum"));
          }
          return gateway.createPayment(request, options);
        },
      })),
  },
  {
    id: "next-action-dropped",
    breaks: "requires_action is reported without the next action (the customer has nowhere to go)",
    mustFail: ["requiresAction"],
    mutate: (inner) => decorateGateway(inner, (gateway) => reporting(gateway, (p) => ({ ...p, nextAction: null }))),
  },

  // ------------------------------------------------------------ money
  {
    id: "automatic-capture-reported-uncaptured",
    breaks: "a charge captured at once is reported with nothing captured (the adapter reads the captured amount from the capture call alone)",
    mustFail: ["automaticCapture"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        createPayment: async (request, options) => {
          const payment = await gateway.createPayment(request, options);
          return payment.status === "succeeded" ? { ...payment, amountCaptured: 0 } : payment;
        },
      })),
  },
  {
    id: "manual-capture-charges-at-once",
    breaks: "a manual-capture payment is charged at once (captured in full) while the gateway declares manualCapture",
    mustFail: ["manualCapture", "partialCapture", "cancelAuthorization"],
    mutate: (inner) => decorateGateway(inner, (gateway) => ({ createPayment: (request, options) => gateway.createPayment({ ...request, captureMethod: "automatic" }, options) })),
  },
  {
    id: "partial-capture-captures-all",
    breaks: "a partial capture captures the whole authorization while the gateway declares partialCapture",
    mustFail: ["partialCapture"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        capture: async (request, options) => {
          const authorized = await gateway.retrieve(request.providerPaymentId);
          return gateway.capture({ ...request, amount: authorized.amountCapturable }, options);
        },
      })),
  },
  {
    id: "capturable-reported-zero",
    breaks: "an authorization reports nothing capturable",
    mustFail: ["manualCapture"],
    mutate: (inner) => decorateGateway(inner, (gateway) => reporting(gateway, (p) => ({ ...p, amountCapturable: 0 }))),
  },
  {
    id: "full-refund-reported-unrefunded",
    breaks: "a payment refunded in full is reported with nothing refunded (the adapter reads the refunded amount only while part of it is left)",
    mustFail: ["fullRefund"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => reporting(gateway, (p) => (p.amountRefunded > 0 && p.amountRefunded === p.amountCaptured ? { ...p, amountRefunded: 0 } : p))),
  },
  {
    id: "refund-refunds-all-remaining",
    breaks: "a refund refunds everything still captured, whatever amount was asked",
    mustFail: ["partialRefunds"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        refund: async (request, options) => {
          const paid = await gateway.retrieve(request.providerPaymentId);
          return gateway.refund({ ...request, amount: paid.amountCaptured - paid.amountRefunded }, options);
        },
      })),
  },
  {
    id: "refused-refund-retryable",
    breaks: "a refund the provider refuses is thrown as gateway_error, left to retry",
    mustFail: ["refusedRefundIsDefinite"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        refund: async (request, options) => {
          const refund = await gateway.refund(request, options);
          if (refund.status === "failed") throw new PaymentError("gateway_error", "the provider did not take the refund");
          return refund;
        },
      })),
  },
  {
    id: "failed-refund-reported-succeeded",
    breaks: "a refund that failed at the provider is reported as succeeded",
    mustFail: ["failedRefundIsVisible"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => reporting(gateway, (p) => p, (r) => (r.status === "failed" ? { ...r, status: "succeeded", failureReason: null } : r))),
  },
  {
    id: "amount-refunded-counts-unsettled",
    breaks: "amountRefunded counts every refund, pending and failed ones too",
    mustFail: ["failedRefundIsVisible"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => reporting(gateway, (p) => (p.refunds ? { ...p, amountRefunded: p.refunds.reduce((sum, r) => sum + r.amount, 0) } : p))),
  },
  {
    id: "refund-id-dropped",
    breaks: "refunds are reported without our refund id",
    mustFail: ["partialRefunds"],
    mutate: (inner) => decorateGateway(inner, (gateway) => reporting(gateway, (p) => p, (r) => ({ ...r, refundId: null }))),
  },
  {
    id: "jpy-wrong-exponent",
    breaks: "JPY amounts are reported as if JPY had two decimals (¥1234 reported as 123400)",
    mustFail: ["zeroDecimalAmounts"],
    mutate: (inner) => {
      const { view, refundView } = scalingAmounts("JPY", (amount) => amount * 100);
      return decorateGateway(inner, (gateway) => reporting(gateway, view, refundView));
    },
  },
  {
    id: "jpy-sent-times-100",
    breaks: "JPY amounts are sent as if JPY had two decimals (¥1234 charged as ¥123400) and read back the same way, so the adapter agrees with itself",
    mustFail: ["zeroDecimalAmounts"],
    mutate: (inner) => {
      const jpy = (currency: string) => currency.toUpperCase() === "JPY";
      const sent = (currency: string, amount: number) => (jpy(currency) ? amount * 100 : amount);
      const { view, refundView } = scalingAmounts("JPY", (amount) => Math.round(amount / 100));
      return decorateGateway(inner, (gateway) => {
        const reported = reporting(gateway, view, refundView);
        return {
          ...reported,
          createPayment: async (request, options) => view(await gateway.createPayment({ ...request, amount: sent(request.currency, request.amount) }, options)),
          capture: async (request, options) => view(await gateway.capture({ ...request, amount: sent(request.currency, request.amount) }, options)),
          refund: async (request, options) => refundView(await gateway.refund({ ...request, amount: sent(request.currency, request.amount) }, options)),
        };
      });
    },
  },
  {
    id: "currency-ignored",
    breaks: "a charge is made in the account's default currency (USD) whatever currency was asked, and reported back as asked",
    mustFail: ["zeroDecimalAmounts", "threeDecimalAmounts"],
    mutate: (inner) => {
      const asked = new Map<string, string>();
      return decorateGateway(inner, (gateway) => {
        const reported = reporting(gateway, (p) => ({ ...p, currency: asked.get(p.providerPaymentId) ?? p.currency }), (r) => ({ ...r, currency: asked.get(r.providerPaymentId) ?? r.currency }));
        return {
          ...reported,
          createPayment: async (request, options) => {
            const made = await gateway.createPayment({ ...request, currency: "USD" }, options);
            asked.set(made.providerPaymentId, request.currency);
            return { ...made, currency: request.currency };
          },
        };
      });
    },
  },
  {
    id: "refund-currency-wrong",
    breaks: "a refund is reported in USD whatever the payment's currency",
    mustFail: ["zeroDecimalAmounts", "threeDecimalAmounts"],
    mutate: (inner) => decorateGateway(inner, (gateway) => reporting(gateway, (p) => p, (r) => ({ ...r, currency: "USD" }))),
  },
  {
    id: "kwd-wrong-exponent",
    breaks: "KWD amounts are reported as if KWD had two decimals (1.230 KWD reported as 123)",
    mustFail: ["threeDecimalAmounts"],
    mutate: (inner) => {
      const { view, refundView } = scalingAmounts("KWD", (amount) => Math.round(amount / 10));
      return decorateGateway(inner, (gateway) => reporting(gateway, view, refundView));
    },
  },

  // ------------------------------------------------------------ lookups and lists
  {
    id: "retrieve-loses-payment-id",
    breaks: "retrieve reports the provider's object without our payment id (the adapter reads the metadata only from the create answer)",
    mustFail: ["retrieve"],
    mutate: (inner) => decorateGateway(inner, (gateway) => ({ retrieve: async (providerPaymentId) => ({ ...(await gateway.retrieve(providerPaymentId)), paymentId: null }) })),
  },
  {
    id: "find-by-payment-id-finds-nothing",
    breaks: "findByPaymentId finds nothing (recovery past the key retention then charges again)",
    mustFail: ["findByPaymentId"],
    mutate: (inner) => decorateGateway(inner, () => ({ findByPaymentId: async () => null })),
  },
  {
    id: "list-transactions-ignores-window",
    breaks: "listTransactions lists every payment, whatever the window",
    mustFail: ["listTransactions"],
    mutate: (inner) => decorateGateway(inner, (gateway) => ({ listTransactions: () => gateway.listTransactions({ since: new Date(0), until: new Date(8.64e15) }) })),
  },
  {
    id: "list-transactions-drops-refunds",
    breaks: "listTransactions lists payments without their refunds",
    mustFail: ["listTransactions"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) => ({
        listTransactions: async function* (window) {
          for await (const payment of gateway.listTransactions(window)) yield { ...payment, refunds: [] };
        },
      })),
  },
  {
    id: "authorization-expiry-later-than-provider",
    breaks: "an authorization is reported as valid 30 days longer than the provider holds it (the core captures after it lapsed)",
    mustFail: ["manualCapture"],
    mutate: (inner) =>
      decorateGateway(inner, (gateway) =>
        reporting(gateway, (p) => (p.authorizationExpiresAt ? { ...p, authorizationExpiresAt: new Date(Date.parse(p.authorizationExpiresAt) + 30 * 86_400_000).toISOString() } : p)),
      ),
  },

];
