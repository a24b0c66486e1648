import type { GatewayScenario, PaymentGateway } from "@org/payments-core";
import { PAYMENT_METHOD_FOR_SCENARIO } from "@org/payments-core/simulated";
import type { GatewayFault, GatewayHarness, WebhookHarness } from "@org/payments-core/testing";
import {
  signWebhookPayload,
  startStripeFake,
  stripeAmountText,
  type FaultSpec,
  type RequestLogEntry,
  type StripeFake,
  type StripeFakeOptions,
} from "@org/payments-test-support/stripe-fake";
import Stripe from "stripe";
import { createStripeGateway, type StripeGatewayOptions } from "../../src/index.js";
import { recordEvent, recordResponse } from "./stripe-wire-schema.js";

export const WEBHOOK_SECRET = "whsec_test_primary";
export const ROTATED_WEBHOOK_SECRET = "whsec_test_rotated";

/** Stripe's test payment methods for each contract scenario: the same ids the simulated gateway takes (GATEWAYS.md). */
export const PAYMENT_METHODS: Record<GatewayScenario, string> = PAYMENT_METHOD_FOR_SCENARIO;

export interface StripeTestRig {
  /** The fake, disputes included: `openDispute`, `moveDispute`, `disputeFunds`, and `webhook` signing with WEBHOOK_SECRET. */
  fake: StripeFake;
  stripe: Stripe;
  gateway: PaymentGateway;
  close(): Promise<void>;
}

/** The local fake on an ephemeral port, the real SDK pointed at it, and the adapter on top. */
export async function startStripeRig(
  options: { fake?: StripeFakeOptions; gateway?: Partial<StripeGatewayOptions>; timeoutMs?: number } = {},
): Promise<StripeTestRig> {
  // Every answer and event the fake sends is checked against Stripe's definition (asserted after each test file).
  // A test's own hooks run beside the check, never instead of it.
  const own = options.fake ?? {};
  const fake = await startStripeFake({
    // Signs as Stripe does, with the SDK's own signer (never used for a request) and the rig's endpoint secret.
    webhooks: { signer: new Stripe("sk_test_signer_only").webhooks, secret: WEBHOOK_SECRET },
    ...own,
    onResponse: (...args: Parameters<NonNullable<StripeFakeOptions["onResponse"]>>) => {
      recordResponse(...args);
      own.onResponse?.(...args);
    },
    onEvent: (...args: Parameters<NonNullable<StripeFakeOptions["onEvent"]>>) => {
      recordEvent(...args);
      own.onEvent?.(...args);
    },
  });
  const stripe = new Stripe(fake.apiKey, fake.clientConfig(options.timeoutMs ?? 5000));
  const gateway = createStripeGateway({
    stripe,
    webhookSecrets: [WEBHOOK_SECRET],
    ...options.gateway,
  });
  return {
    fake,
    stripe,
    gateway,
    close: () => fake.close(),
  };
}

/**
 * The SDK client timeout of the contract's rig: short, so the timeout case waits little, and far above what the
 * local fake takes to answer anything else.
 */
export const CONTRACT_CLIENT_TIMEOUT_MS = 2_000;

/**
 * The core's contract faults as the Stripe fake gives them, each the answer real Stripe gives in that case:
 * - answer_lost: the next mutating call takes effect and is answered 500, saved for its key (Stripe replays it).
 * - timeout: the next PaymentIntent create (with confirm) takes effect at once, its answer saved for the key, and is
 *   sent only long after the rig's client timeout (`CONTRACT_CLIENT_TIMEOUT_MS`): stripe-node gives up with a
 *   StripeConnectionError, as it does when Stripe is slow to answer a request it already executed.
 * - buyer_refused: the next confirmation is a 402 card error `card_declined` / `transaction_not_allowed` (Stripe's
 *   decline code for a card the issuer does not allow this purchase on).
 * - refund_refused: the charge is disputed just before the next refund, which Stripe answers 400 `charge_disputed`.
 * - refund_fails_later: the next refund is created `pending` and has failed (`expired_or_canceled_card`) by the
 *   next read, as a refund to a closed card does.
 */
export const STRIPE_FAULTS: Readonly<Record<GatewayFault, FaultSpec>> = {
  answer_lost: { kind: "answer_lost", method: "POST", path: "/v1/" },
  timeout: { kind: "delay", ms: CONTRACT_CLIENT_TIMEOUT_MS * 3, method: "POST", path: /^\/v1\/payment_intents$/ },
  buyer_refused: {
    kind: "decline",
    declineCode: "transaction_not_allowed",
    message: "Your card does not support this type of purchase.",
    method: "POST",
    path: /^\/v1\/payment_intents(\/[^/]+\/confirm)?$/,
  },
  refund_refused: { kind: "dispute_charge", method: "POST", path: "/v1/refunds" },
  refund_fails_later: { kind: "refund_fails_later", method: "POST", path: "/v1/refunds" },
};

export async function stripeGatewayHarness(): Promise<GatewayHarness> {
  const rig = await startStripeRig({ timeoutMs: CONTRACT_CLIENT_TIMEOUT_MS });
  return {
    gateway: rig.gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => PAYMENT_METHODS[scenario] ?? null,
    completeAction: async (payment) => {
      rig.fake.completeAction(payment.providerPaymentId, "succeed");
    },
    supportedFaults: Object.keys(STRIPE_FAULTS) as GatewayFault[],
    injectFault: async (fault) => rig.fake.injectFault(STRIPE_FAULTS[fault]),
    webhooks: stripeWebhooks(rig),
    amountsAtProvider: async (providerPaymentId) => {
      const pi = rig.fake.paymentIntents().find((p) => p.id === providerPaymentId);
      if (!pi) throw new Error(`the Stripe fake holds no PaymentIntent ${providerPaymentId}`);
      const refunded = rig.fake
        .refunds()
        .filter((r) => r.payment_intent === providerPaymentId && r.status !== "failed" && r.status !== "canceled")
        .reduce((sum, r) => sum + r.amount, 0);
      return { currency: pi.currency, amount: stripeAmountText(pi.amount, pi.currency), refunded: stripeAmountText(refunded, pi.currency) };
    },
    reset: async () => rig.fake.reset(),
    dispose: () => rig.close(),
  };
}

/**
 * Webhooks as Stripe sends them: the event the fake emitted for the PaymentIntent's current state, signed with the
 * SDK's own test signer (`Stripe-Signature: t=…,v1=HMAC-SHA256(t.body)`), which the adapter checks against a 300 s
 * tolerance (its default, and Stripe's).
 */
function stripeWebhooks(rig: StripeTestRig): WebhookHarness {
  return {
    async eventBody(payment) {
      const events = rig.fake.events().filter((e) => e.type.startsWith("payment_intent.") && e.data.object["id"] === payment.providerPaymentId);
      const latest = events.at(-1);
      if (!latest) throw new Error(`the Stripe fake emitted no event for ${payment.providerPaymentId}`);
      return JSON.stringify(latest, null, 2);
    },
    async sign(rawBody, options = {}) {
      return signWebhookPayload({
        signer: rig.stripe.webhooks,
        payload: rawBody,
        secret: options.secret ?? WEBHOOK_SECRET,
        timestamp: Math.floor((options.timestamp ?? new Date()).getTime() / 1000),
      }).headers;
    },
    signatureHeaders: ["stripe-signature"],
    toleranceMs: 300_000,
  };
}

/** The dispute reads (GET /v1/disputes and /v1/disputes/{id}) the fake answered, oldest first, with their decoded query. */
export function disputeReads(fake: StripeFake): Array<{ path: string; params: NonNullable<RequestLogEntry["query"]> }> {
  return fake.requests
    .filter((r) => r.method === "GET" && /^\/v1\/disputes(\/[^/]+)?$/.test(r.path))
    .map((r) => ({ path: r.path, params: r.query ?? {} }));
}

let counter = 0;
/** A `pay_<ULID>`-shaped id whose time part is now, like the core's ids. */
export function newPaymentId(at: number = Date.now()): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let time = "";
  let ms = at;
  for (let i = 0; i < 10; i++) {
    time = alphabet[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  const random = (++counter).toString(32).toUpperCase().replace(/[ILOU]/g, "X").padStart(16, "0");
  return `pay_${time}${random}`;
}

export function key(label: string): string {
  return `test-${label}-${Math.random().toString(36).slice(2)}`;
}
