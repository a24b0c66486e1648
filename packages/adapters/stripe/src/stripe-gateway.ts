import {
  PaymentError,
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
import { checkStripePaymentMethod } from "./payment-method-id.js";
import Stripe from "stripe";
import { STRIPE_API_VERSION } from "./api-version.js";
import { disputeSubject, mapDispute } from "./map-dispute.js";
import { mapPaymentIntent } from "./map-payment-intent.js";
import { mapRefund } from "./map-refund.js";
import { mapSetupIntent } from "./map-setup-intent.js";
import { isStripeError, mapStripeError, refundRefusalOf, type StripeOperation } from "./map-stripe-error.js";
import { mapWebhookEvent, type WebhookLookups } from "./map-webhook-event.js";
import { idTime, paymentIdTime } from "./payment-id-time.js";
import {
  STRIPE_MINIMUM_AMOUNTS,
  assertStripeCurrency,
  assertStripeMinimum,
  toStripeAmount,
} from "./stripe-currencies.js";
import { DECLINE_LIKE_CODES, isOneOf } from "./stripe-error-codes.js";
import { assertPinnedApiVersion } from "./webhook-api-version.js";
import { parseWebhookSecrets, verifyStripeWebhook } from "./webhook-verification.js";

const HOUR_MS = 60 * 60 * 1000;

export interface StripeGatewayOptions {
  /** `sk_live_…` / `sk_test_…`. Required unless `stripe` is given. Used only to build the client; never stored. */
  secretKey?: string | undefined;
  /** Endpoint signing secrets (`whsec_…`), a list or comma-separated; several during a rotation. */
  webhookSecrets?: string | readonly string[] | undefined;
  /** A preconfigured client (tests point one at the local fake). Every request still pins STRIPE_API_VERSION. */
  stripe?: Stripe | undefined;
  /** The provider name payments carry (default "stripe"). */
  provider?: string | undefined;
  /** Maximum age of a webhook signature (default 300 s, Stripe's own default). */
  webhookToleranceSeconds?: number | undefined;
  /** Clock for webhook timestamp checks (default `new Date()`). */
  now?: (() => Date) | undefined;
  /** For a client built here: SDK retries of network failures, with the same idempotency key (default 1). */
  maxNetworkRetries?: number | undefined;
  /** For a client built here: per-request timeout (default 30 s). A timeout is `gateway_outcome_unknown`. */
  timeoutMs?: number | undefined;
  /**
   * How `findByPaymentId` looks: "list" (default) pages PaymentIntents created since the payment (its ULID time)
   * and matches `metadata.payment_id`; "search" uses the Search API, which lags about a minute behind writes and is
   * not offered in every region, so recovery right after a lost response could miss the object.
   */
  findStrategy?: "list" | "search" | undefined;
  /** For ids that carry no time (not `pay_<ULID>`): how far back "list" looks (default 30 days). */
  findLookbackMs?: number | undefined;
}

/** Skew allowed between our clock (the payment id's time) and Stripe's `created`. */
const CLOCK_SKEW_S = 10 * 60;

function reasonForStripe(reason: string): Stripe.RefundCreateParams.Reason | undefined {
  return reason === "duplicate" || reason === "fraudulent" || reason === "requested_by_customer" ? reason : undefined;
}

/**
 * A PaymentGateway on Stripe PaymentIntents (automatic and manual capture, partial capture, 3-D Secure, refunds).
 * Amounts cross the boundary in ISO minor units and are converted to Stripe's units where they differ.
 */
export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  const provider = options.provider ?? "stripe";
  if (!options.stripe && !options.secretKey) {
    throw new PaymentError("validation_error", "createStripeGateway needs secretKey or a stripe client");
  }
  // The key lives only inside the SDK client, which is held in this closure: never on the returned object.
  const stripe =
    options.stripe ??
    new Stripe(options.secretKey as string, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: options.maxNetworkRetries ?? 1,
      timeout: options.timeoutMs ?? 30_000,
      appInfo: { name: "@org/payments-stripe" },
    });
  const webhookSecrets = parseWebhookSecrets(options.webhookSecrets);
  const tolerance = options.webhookToleranceSeconds ?? 300;
  const now = options.now ?? (() => new Date());
  const findStrategy = options.findStrategy ?? "list";
  const findLookbackMs = options.findLookbackMs ?? 30 * 24 * HOUR_MS;

  const mutating = (call: GatewayCallOptions): Stripe.RequestOptions => ({
    idempotencyKey: call.idempotencyKey,
    apiVersion: STRIPE_API_VERSION,
  });
  const reading: Stripe.RequestOptions = { apiVersion: STRIPE_API_VERSION };

  async function guarded<T>(operation: StripeOperation, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw mapStripeError(error, operation);
    }
  }

  async function refundsOf(paymentIntentId: string): Promise<Stripe.Refund[]> {
    const refunds: Stripe.Refund[] = [];
    for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }, reading)) {
      refunds.push(refund);
    }
    return refunds;
  }

  async function withRefunds(pi: Stripe.PaymentIntent): Promise<GatewayPayment> {
    // Refunds are listed whenever money was received, whatever the charge's amount_refunded says: a refund that
    // failed (the only one, or after a partial one) leaves amount_refunded at what succeeded, and must still be seen
    // by retrieve and reconcile. Only an intent that never received money cannot have any.
    const refunds = pi.amount_received > 0 ? await refundsOf(pi.id) : [];
    return mapPaymentIntent(pi, { provider, refunds });
  }

  async function retrieveIntent(id: string): Promise<Stripe.PaymentIntent> {
    // The payment method too: a payment that saved its method answers what was saved (mapPaymentIntent).
    return stripe.paymentIntents.retrieve(id, { expand: ["latest_charge", "payment_method"] }, reading);
  }

  /**
   * The key of a call the operation makes before its own (a Customer created for it), derived from the operation's
   * key: a retry of the operation under its key replays that call too, so it never makes a second customer.
   */
  const derived = (call: GatewayCallOptions, step: string): GatewayCallOptions => ({ idempotencyKey: `${call.idempotencyKey}:${step}` });

  /** A Stripe Customer for our customer; its metadata names ours, so an operator (or a later lookup) can tell whose. */
  async function createCustomer(
    who: { customerId: string | null; email: string | null; name: string | null },
    call: GatewayCallOptions,
    operation: StripeOperation,
  ): Promise<string> {
    const params: Stripe.CustomerCreateParams = {};
    if (who.email) params.email = who.email;
    if (who.name) params.name = who.name;
    if (who.customerId) params.metadata = { customer_id: who.customerId };
    const customer = await guarded(operation, () => stripe.customers.create(params, mutating(derived(call, "customer"))));
    return customer.id;
  }

  /**
   * A refusal of a SetupIntent's confirmation (a 402 card error, or a decline in all but type) carries the
   * SetupIntent, now `requires_payment_method` with its `last_setup_error`: that is the answer, a failed setup.
   */
  function setupDeclineOrThrow(error: unknown, operation: StripeOperation, providerCustomerId: string): GatewaySetup {
    const declined = isStripeError(error) && (error.type === "StripeCardError" || isOneOf(DECLINE_LIKE_CODES, error.code));
    const si = isStripeError(error) ? (error as unknown as { setup_intent?: Stripe.SetupIntent }).setup_intent : undefined;
    if (declined && si && typeof si === "object" && si.object === "setup_intent") return mapSetupIntent(si, providerCustomerId);
    throw mapStripeError(error, operation);
  }

  async function retrieveSetup(id: string): Promise<Stripe.SetupIntent> {
    return guarded("read", () => stripe.setupIntents.retrieve(id, { expand: ["payment_method"] }, reading));
  }

  /**
   * A decline on confirm is a definite answer: the PaymentIntent in the error (now `requires_payment_method` with
   * its `last_payment_error`, or `requires_action` when the customer must authenticate) becomes the payment — a
   * 402 card error, or one of the 400s that are declines in all but type. Everything else is mapped to a PaymentError.
   */
  function declineOrThrow(error: unknown, operation: StripeOperation): GatewayPayment {
    const declined = isStripeError(error) && (error.type === "StripeCardError" || isOneOf(DECLINE_LIKE_CODES, error.code));
    const pi = isStripeError(error) ? (error as unknown as { payment_intent?: Stripe.PaymentIntent }).payment_intent : undefined;
    if (pi && typeof pi === "object" && pi.object === "payment_intent") {
      if (declined || pi.status === "requires_action") return mapPaymentIntent(pi, { provider, refunds: [] });
    }
    throw mapStripeError(error, operation);
  }

  /** When a capture/cancel is refused for the state, the state may already be the goal (an earlier lost reply). */
  async function alreadyDone(
    error: unknown,
    operation: StripeOperation,
    id: string,
    done: (pi: Stripe.PaymentIntent) => boolean,
  ): Promise<GatewayPayment> {
    const mapped = mapStripeError(error, operation);
    if (mapped.code !== "invalid_state_transition") throw mapped;
    const pi = await guarded("read", () => retrieveIntent(id));
    if (done(pi)) return withRefunds(pi);
    throw mapped;
  }

  const webhookLookups: WebhookLookups = {
    charge: (id) => guarded("read", () => stripe.charges.retrieve(id, {}, reading)),
    paymentIntent: (id) => guarded("read", () => stripe.paymentIntents.retrieve(id, {}, reading)),
  };

  const capabilities: GatewayCapabilities = {
    manualCapture: true,
    partialCapture: true,
    idempotencyKeyRetentionMs: 24 * HOUR_MS,
    currencies: "any",
    minimumAmounts: STRIPE_MINIMUM_AMOUNTS,
    paymentMethodRequired: true,
    // The Search API lags about a minute behind writes; the list strategy reads what was written.
    lookupLagMs: findStrategy === "search" ? 90_000 : 0,
    savedPaymentMethods: true,
  };

  return {
    provider,
    capabilities,
    checkPaymentMethod: checkStripePaymentMethod,

    async createPayment(request: CreateGatewayPaymentRequest, call: GatewayCallOptions): Promise<GatewayPayment> {
      const currency = assertStripeCurrency(request.currency);
      const amount = toStripeAmount(request.amount, currency);
      assertStripeMinimum(request.amount, currency);
      if (!request.paymentMethodId) {
        throw new PaymentError("validation_error", "Stripe payments need a payment method id (pm_…)", {
          details: { field: "paymentMethodId" },
        });
      }
      const metadata: Record<string, string> = { payment_id: request.paymentId };
      const saving = request.savePaymentMethod === true;
      const params: Stripe.PaymentIntentCreateParams = {
        amount,
        currency: currency.toLowerCase(),
        capture_method: request.captureMethod === "manual" ? "manual" : "automatic",
        payment_method: request.paymentMethodId,
        confirm: true,
        // Without a return URL there is nowhere to send a customer back to, so redirect-only methods are excluded;
        // card 3-D Secure still works through the client SDK (next_action use_stripe_sdk).
        automatic_payment_methods: request.returnUrl ? { enabled: true } : { enabled: true, allow_redirects: "never" },
        metadata,
        // The payment method too when saving it: the answer's savedMethod is read from it.
        expand: saving ? ["latest_charge", "payment_method"] : ["latest_charge"],
      };
      if (request.returnUrl) params.return_url = request.returnUrl;
      if (request.description) params.description = request.description;
      if (request.customerEmail) params.receipt_email = request.customerEmail;
      // `customer` is only ever Stripe's customer (the saved method's, or the one it is saved for); our own customer
      // id (`cus_…` too, so never told apart by its prefix) travels in metadata.
      if (request.customerId) metadata.customer_id = request.customerId;
      let providerCustomerId = request.providerCustomerId ?? null;
      if (saving && providerCustomerId === null) {
        // Saving needs a customer to attach the method to: one is made first, under a key derived from this call's.
        providerCustomerId = await createCustomer(
          { customerId: request.customerId ?? null, email: request.customerEmail ?? null, name: null },
          call,
          "create",
        );
      }
      if (providerCustomerId !== null) params.customer = providerCustomerId;
      // The customer is absent: Stripe must not wait for them; a bank that insists declines authentication_required.
      if (request.offSession === true) params.off_session = true;
      if (saving) params.setup_future_usage = "off_session";
      try {
        const pi = await stripe.paymentIntents.create(params, mutating(call));
        return mapPaymentIntent(pi, { provider, refunds: [] });
      } catch (error) {
        return declineOrThrow(error, "create");
      }
    },

    async setupPaymentMethod(request: SetupGatewayRequest, call: GatewayCallOptions): Promise<GatewaySetup> {
      if (!request.paymentMethodId) {
        throw new PaymentError("validation_error", "Stripe saves a payment method by its id (pm_…)", { details: { field: "paymentMethodId" } });
      }
      // No Stripe customer yet: one is made first under a key derived from this call's, so a retry of the setup
      // under its key (the core's after an unknown outcome) gets the same customer back rather than a second one.
      const providerCustomerId =
        request.providerCustomerId ??
        (await createCustomer({ customerId: request.customerId, email: request.customerEmail, name: request.customerName }, call, "setup"));
      const params: Stripe.SetupIntentCreateParams = {
        customer: providerCustomerId,
        payment_method: request.paymentMethodId,
        confirm: true,
        usage: "off_session",
        // As for payments: without a return URL only methods that need no redirect (cards, with 3-D Secure in Stripe.js).
        automatic_payment_methods: request.returnUrl ? { enabled: true } : { enabled: true, allow_redirects: "never" },
        // Our method id is what recovery looks the SetupIntent up by (findSetupBySavedMethodId).
        metadata: { saved_payment_method_id: request.savedPaymentMethodId, customer_id: request.customerId },
        expand: ["payment_method"],
      };
      if (request.returnUrl) params.return_url = request.returnUrl;
      try {
        return mapSetupIntent(await stripe.setupIntents.create(params, mutating(call)), providerCustomerId);
      } catch (error) {
        return setupDeclineOrThrow(error, "setup", providerCustomerId);
      }
    },

    async resumeSetup(request: ResumeSetupGatewayRequest, call: GatewayCallOptions): Promise<GatewaySetup> {
      const si = await retrieveSetup(request.providerSetupId);
      // Stripe.js usually finishes the SetupIntent itself after 3-D Secure; one left `requires_confirmation` waits
      // for the server's confirm, sent under this call's key. Otherwise report where it moved.
      if (si.status !== "requires_confirmation") return mapSetupIntent(si, request.providerCustomerId);
      try {
        const confirmed = await stripe.setupIntents.confirm(si.id, { expand: ["payment_method"] }, mutating(call));
        return mapSetupIntent(confirmed, request.providerCustomerId);
      } catch (error) {
        return setupDeclineOrThrow(error, "resume_setup", request.providerCustomerId);
      }
    },

    /**
     * Recovery after a setup's outcome was lost. Stripe has no search for SetupIntents, and the core gives only our
     * method id (not the customer: a setup whose customer create was lost has none to filter by), so this lists
     * every SetupIntent created since the method id's time (less the clock skew), newest first, and matches
     * `metadata.saved_payment_method_id`, as findByPaymentId does for PaymentIntents. A customer created before a
     * lost SetupIntent create is not looked for: re-sending under the same key replays that customer's create, and
     * only under a fresh key (after a saved 5xx) can a second, empty Stripe customer be made, holding no method.
     */
    async findSetupBySavedMethodId(savedPaymentMethodId: string): Promise<GatewaySetup | null> {
      const born = idTime(savedPaymentMethodId);
      const since = born ? Math.floor(born.getTime() / 1000) - CLOCK_SKEW_S : Math.floor((now().getTime() - findLookbackMs) / 1000);
      return guarded("read", async () => {
        for await (const si of stripe.setupIntents.list({ created: { gte: since }, limit: 100, expand: ["data.payment_method"] }, reading)) {
          if (si.metadata?.saved_payment_method_id === savedPaymentMethodId) return mapSetupIntent(si, typeof si.customer === "string" ? si.customer : "");
        }
        return null;
      });
    },

    async detachPaymentMethod(request: DetachGatewayRequest, call: GatewayCallOptions): Promise<void> {
      try {
        await stripe.paymentMethods.detach(request.providerPaymentMethodId, {}, mutating(call));
      } catch (error) {
        // Gone is what a detach wants: a PaymentMethod Stripe does not have, or one attached to no customer (an
        // earlier detach whose answer was lost; Stripe refuses to detach it again, with no code of its own).
        if (isStripeError(error) && (error.code === "resource_missing" || error.statusCode === 404)) return;
        if (!isStripeError(error) || error.type !== "StripeInvalidRequestError") throw mapStripeError(error, "detach");
        const method = await guarded("read", () => stripe.paymentMethods.retrieve(request.providerPaymentMethodId, {}, reading)).catch((read: unknown) => {
          if (read instanceof PaymentError && read.code === "not_found") return null;
          throw read;
        });
        if (method === null || method.customer === null) return;
        throw mapStripeError(error, "detach");
      }
    },

    async resumePayment(request: ResumeGatewayPaymentRequest, call: GatewayCallOptions): Promise<GatewayPayment> {
      const pi = await guarded("read", () => retrieveIntent(request.providerPaymentId));
      // Stripe.js usually finishes the confirmation itself after 3-D Secure; only an intent waiting for the server
      // needs confirming again. Otherwise report where it moved (succeeded, authorized, failed, still in action).
      if (pi.status !== "requires_confirmation") return mapPaymentIntent(pi, { provider, refunds: [] });
      const params: Stripe.PaymentIntentConfirmParams = { expand: ["latest_charge"] };
      if (request.returnUrl) params.return_url = request.returnUrl;
      try {
        const confirmed = await stripe.paymentIntents.confirm(pi.id, params, mutating(call));
        return mapPaymentIntent(confirmed, { provider, refunds: [] });
      } catch (error) {
        return declineOrThrow(error, "resume");
      }
    },

    async capture(request: CaptureGatewayRequest, call: GatewayCallOptions): Promise<GatewayPayment> {
      const amount = toStripeAmount(request.amount, request.currency);
      try {
        const pi = await stripe.paymentIntents.capture(
          request.providerPaymentId,
          { amount_to_capture: amount, expand: ["latest_charge"] },
          mutating(call),
        );
        return mapPaymentIntent(pi, { provider, refunds: [] });
      } catch (error) {
        return alreadyDone(error, "capture", request.providerPaymentId, (pi) => pi.status === "succeeded");
      }
    },

    async cancel(request: CancelGatewayRequest, call: GatewayCallOptions): Promise<GatewayPayment> {
      try {
        const pi = await stripe.paymentIntents.cancel(request.providerPaymentId, { expand: ["latest_charge"] }, mutating(call));
        return mapPaymentIntent(pi, { provider, refunds: [] });
      } catch (error) {
        return alreadyDone(error, "cancel", request.providerPaymentId, (pi) => pi.status === "canceled");
      }
    },

    async refund(request: RefundGatewayRequest, call: GatewayCallOptions): Promise<GatewayRefund> {
      const amount = toStripeAmount(request.amount, request.currency);
      const params: Stripe.RefundCreateParams = {
        payment_intent: request.providerPaymentId,
        amount,
        // Stripe takes only its three reasons; ours is kept verbatim in metadata.
        metadata: { payment_id: request.paymentId, refund_id: request.refundId, reason: request.reason.slice(0, 500) },
      };
      const reason = reasonForStripe(request.reason);
      if (reason) params.reason = reason;
      try {
        return mapRefund(await stripe.refunds.create(params, mutating(call)));
      } catch (error) {
        // Stripe refusing this refund outright (a disputed charge, nothing left to refund, not refundable) is a
        // definite answer, saved for the key: a failed refund with Stripe's code as the reason, never a retry.
        const refusal = refundRefusalOf(error);
        if (refusal === null) throw mapStripeError(error, "refund");
        return {
          providerRefundId: "",
          refundId: request.refundId,
          providerPaymentId: request.providerPaymentId,
          amount: request.amount,
          currency: request.currency,
          status: "failed",
          failureReason: refusal,
        };
      }
    },

    async retrieve(providerPaymentId: string): Promise<GatewayPayment> {
      return guarded("read", async () => withRefunds(await retrieveIntent(providerPaymentId)));
    },

    async findByPaymentId(paymentId: string): Promise<GatewayPayment | null> {
      return guarded("read", async () => {
        if (findStrategy === "search") {
          const query = `metadata['payment_id']:'${paymentId.replaceAll("'", "\\'")}'`;
          const found = await stripe.paymentIntents.search({ query, limit: 10, expand: ["data.latest_charge"] }, reading);
          const pi = found.data[0];
          return pi ? withRefunds(pi) : null;
        }
        const born = paymentIdTime(paymentId);
        const since = born ? Math.floor(born.getTime() / 1000) - CLOCK_SKEW_S : Math.floor((now().getTime() - findLookbackMs) / 1000);
        // Newest first: the first match is the latest PaymentIntent made for this payment.
        for await (const pi of stripe.paymentIntents.list(
          { created: { gte: since }, limit: 100, expand: ["data.latest_charge"] },
          reading,
        )) {
          if (pi.metadata?.payment_id === paymentId) return withRefunds(pi);
        }
        return null;
      });
    },

    listTransactions(window: { since: Date; until: Date }): AsyncIterable<GatewayPayment> {
      // Stripe's `created` is in whole seconds: the window is widened to whole seconds, so a boundary object may
      // appear in two adjacent windows (reconciliation matches by id, so a repeat is harmless; a miss would not be).
      const gte = Math.floor(window.since.getTime() / 1000);
      const lt = Math.ceil(window.until.getTime() / 1000);
      return {
        async *[Symbol.asyncIterator]() {
          const pages = stripe.paymentIntents.list(
            { created: { gte, lt }, limit: 100, expand: ["data.latest_charge"] },
            reading,
          );
          const iterator = pages[Symbol.asyncIterator]();
          while (true) {
            let step: IteratorResult<Stripe.PaymentIntent>;
            try {
              step = await iterator.next();
            } catch (error) {
              throw mapStripeError(error, "read");
            }
            if (step.done) return;
            yield await guarded("read", () => withRefunds(step.value));
          }
        },
      };
    },

    listDisputes(window: { since: Date; until: Date }): AsyncIterable<GatewayDispute> {
      // The window in whole seconds, widened as listTransactions widens it (reconcile matches disputes by id).
      const gte = Math.floor(window.since.getTime() / 1000);
      const lt = Math.ceil(window.until.getTime() / 1000);
      return {
        async *[Symbol.asyncIterator]() {
          // The PaymentIntent expanded in the list carries our payment id, so a page costs one call; only a dispute
          // naming no intent (charge only) costs a read of its charge, and of that charge's intent.
          const pages = stripe.disputes.list({ created: { gte, lt }, limit: 100, expand: ["data.payment_intent"] }, reading);
          const iterator = pages[Symbol.asyncIterator]();
          while (true) {
            let step: IteratorResult<Stripe.Dispute>;
            try {
              step = await iterator.next();
            } catch (error) {
              throw mapStripeError(error, "read");
            }
            if (step.done) return;
            const dispute = step.value;
            yield mapDispute(dispute, await disputeSubject(dispute, webhookLookups));
          }
        },
      };
    },

    async parseWebhook(rawBody: Uint8Array | string, headers: WebhookHeaders): Promise<GatewayWebhookEvent> {
      const event = verifyStripeWebhook(rawBody, headers, {
        webhooks: stripe.webhooks,
        secrets: webhookSecrets,
        toleranceSeconds: tolerance,
        nowMs: now().getTime(),
      });
      assertPinnedApiVersion(event);
      return mapWebhookEvent(event, provider, webhookLookups);
    },
  };
}
