import type { GatewayScenario, PaymentGateway } from "@org/payments-core";
import type { GatewayFault, GatewayHarness, WebhookHarness } from "@org/payments-core/testing";
import {
  createPayPalWebhookSigner,
  startPayPalFake,
  type ApprovalOutcome,
  type PayPalFake,
  type PayPalFakeOptions,
  type PayPalWebhookSigner,
} from "@org/payments-test-support/paypal-fake";
import { createPayPalClient, createPayPalGateway, type PayPalGatewayOptions } from "../../src/index.js";
import { disputeViolations } from "./dispute-schema.js";
import { startDisputesFront, type DisputesFront } from "./disputes-front.js";
import { FakeDisputes } from "./fake-disputes.js";
import { checkResponse, type SchemaViolation } from "./paypal-schema.js";

/**
 * PayPal has no payment-method tokens in this flow: the "payment method" is a marker, and the scenario is played
 * when the buyer approves the order in the fake (the capture that follows then declines, or not). A plain decline
 * is TRANSACTION_REFUSED: INSTRUMENT_DECLINED is not final at PayPal (the buyer picks another funding source).
 * There is no payment method id to get wrong, so `invalid_payment_method` cannot be produced.
 */
const APPROVALS: Readonly<Record<Exclude<GatewayScenario, "invalid_payment_method">, ApprovalOutcome>> = {
  succeeds: { kind: "approve" },
  requires_action: { kind: "approve" },
  declined: { kind: "decline_422", issue: "TRANSACTION_REFUSED" },
  insufficient_funds: { kind: "decline_201", responseCode: "5120" },
  expired_card: { kind: "decline_201", responseCode: "5400" },
  incorrect_cvc: { kind: "decline_201", responseCode: "5110" },
  processing_error: { kind: "decline_201", responseCode: "9100" },
};

export interface PayPalTestRig {
  fake: PayPalFake;
  signer: PayPalWebhookSigner;
  gateway: PaymentGateway;
  /** Builds another gateway on the same fake (other verification mode, timeout, clock, credentials). */
  gatewayWith(overrides?: Partial<PayPalGatewayOptions> & { timeoutMs?: number; clientSecret?: string }): PaymentGateway;
  harness: GatewayHarness;
  /** Makes another certificate available to the offline fetcher (a "wrong certificate" at a PayPal URL). */
  addCertificate(url: string, pem: string): void;
  /**
   * PayPal's disputes (open, move, webhooks). The fake itself has no Disputes API: the rig's gateways talk through
   * the disputes front, which serves its list and show endpoints and passes everything else to the fake, so
   * reconcile (which lists disputes) works on every rig. `{ disputes: false }` talks to the fake directly.
   */
  disputes: FakeDisputes;
  /** Every response the fake sent so far that PayPal's OpenAPI documents do not allow. */
  schemaViolations(): SchemaViolation[];
  /** Closes the fake, failing when any response it sent broke PayPal's published schemas. */
  close(): Promise<void>;
}

/**
 * The SDK client timeout of the contract's gateway: short, so the timeout case waits little, and far above what the
 * local fake takes to answer anything else. (The SDK's own default is no timeout at all; the adapter's is 30 s.)
 */
export const CONTRACT_CLIENT_TIMEOUT_MS = 2_000;

/** How old a transmission the adapter accepts by default (`webhookToleranceMs`). */
const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/**
 * What each core fault is at PayPal. A lost or late answer is on a call that moves money (capture, authorize,
 * void, refund): an order nobody approved moved none and is invisible to transaction search, so "find what it made"
 * only has a meaning there (and creating an order again is harmless). `timeout`: PayPal acts at once and keeps its
 * answer for the PayPal-Request-Id, but sends it only well after the contract gateway's client timeout; the SDK
 * (axios) gives up first.
 */
async function injectPayPalFault(fake: PayPalFake, fault: GatewayFault): Promise<void> {
  const money = /^\/v2\/(checkout\/orders\/[^/]+\/(capture|authorize)|payments\/(authorizations\/[^/]+\/(capture|void)|captures\/[^/]+\/refund))$/;
  switch (fault) {
    case "answer_lost":
      return fake.injectFault({ method: "POST", path: money, fault: { kind: "answer_after_success", status: 500 } });
    case "timeout":
      return fake.injectFault({ method: "POST", path: money, fault: { kind: "answer_late", ms: CONTRACT_CLIENT_TIMEOUT_MS * 3 } });
    case "buyer_refused":
      return fake.injectFault({ method: "POST", path: /^\/v2\/checkout\/orders\/[^/]+\/(capture|authorize)$/, fault: { kind: "status", status: 422, issue: "PAYER_ACCOUNT_RESTRICTED" } });
    case "refund_refused":
      return fake.injectFault({ method: "POST", path: /\/refund$/, fault: { kind: "status", status: 422, issue: "REFUND_FAILED_INSUFFICIENT_FUNDS" } });
    case "refund_fails_later":
      return fake.planNextRefund({ status: "PENDING", then: "FAILED" });
  }
}

/** Every response the fake sent that PayPal's documents do not allow (the token endpoint is not in them). */
export function violationsIn(fake: PayPalFake): SchemaViolation[] {
  return fake.responses.flatMap((r) => {
    const found = checkResponse(r.method, r.path, r.status, r.body);
    return found === null || found === "unchecked" ? [] : [found];
  });
}

/**
 * Webhooks as PayPal sends them: the event for the order's latest capture (else authorization, else the order),
 * pretty-printed as PayPal delivers it, signed SHA256withRSA over `transmissionId|transmissionTime|webhookId|
 * crc32(body)` with PayPal's key, whose certificate sits at `paypal-cert-url`. A "secret the adapter does not
 * know" is the forger's own key: the signature names PayPal's certificate URL, and its key does not match. The
 * transmission time is inside the signed text, and the adapter refuses one older than its tolerance, so the stale
 * case applies (whichever way the signature itself is checked, offline or by PayPal's verify call).
 */
function paypalWebhooks(fake: PayPalFake, signer: PayPalWebhookSigner, forger: PayPalWebhookSigner): WebhookHarness {
  return {
    async eventBody(payment) {
      const order = fake.ledger.orders.get(payment.providerPaymentId);
      if (!order) throw new Error(`the PayPal fake holds no order ${payment.providerPaymentId}`);
      const captureId = order.captureIds.at(-1);
      const authorizationId = order.authorizationIds.at(-1);
      const event = captureId
        ? fake.webhookEvent("PAYMENT.CAPTURE.COMPLETED", fake.capture(captureId), "capture")
        : authorizationId
          ? fake.webhookEvent("PAYMENT.AUTHORIZATION.CREATED", fake.authorization(authorizationId), "authorization")
          : fake.webhookEvent("CHECKOUT.ORDER.APPROVED", fake.order(order.id), "checkout-order");
      return JSON.stringify(event, null, 1);
    },
    async sign(rawBody, options = {}) {
      const by = options.secret === undefined ? signer : forger;
      return by.sign(rawBody, {
        webhookId: fake.webhookId,
        certUrl: signer.certUrl,
        ...(options.timestamp ? { transmissionTime: options.timestamp } : {}),
      });
    },
    signatureHeaders: ["paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo"],
    toleranceMs: WEBHOOK_TOLERANCE_MS,
  };
}

export async function startPayPalRig(
  fakeOptions: PayPalFakeOptions = {},
  gatewayOptions: Partial<PayPalGatewayOptions> = {},
  rigOptions: { disputes?: false } = {},
): Promise<PayPalTestRig> {
  const fake = await startPayPalFake(fakeOptions);
  const signer = await createPayPalWebhookSigner();
  const disputes = new FakeDisputes(fake, signer, fakeOptions.clock ?? (() => new Date()));
  const front: DisputesFront | undefined = rigOptions.disputes !== false ? await startDisputesFront(fake, disputes) : undefined;
  // A key of the forger's own, with a valid certificate of its own that no PayPal URL serves.
  const forger = await createPayPalWebhookSigner();
  fake.registerCertificate(signer.certUrl, signer.certificatePem);
  const certificates = new Map([[signer.certUrl, signer.certificatePem]]);
  const addCertificate = (url: string, pem: string) => void certificates.set(url, pem);

  const gatewayWith: PayPalTestRig["gatewayWith"] = (overrides = {}) => {
    const { timeoutMs, clientSecret, ...rest } = overrides;
    const client = createPayPalClient({
      clientId: fake.clientId,
      clientSecret: clientSecret ?? fake.clientSecret,
      environment: "sandbox",
      timeoutMs: timeoutMs ?? 5_000,
      unstableHttpClientOptions: (front ?? fake).httpClientOptions(),
    });
    return createPayPalGateway({
      environment: "sandbox",
      webhookId: fake.webhookId,
      verification: "offline",
      client,
      // Nothing may reach the internet: certificates come from the signer, never from PayPal.
      certificateFetcher: async (url) => {
        const pem = certificates.get(url.href);
        if (!pem) throw new Error(`no test certificate at ${url.href}`);
        return pem;
      },
      ...gatewayOptions,
      ...rest,
    });
  };
  const gateway = gatewayWith();

  const allViolations = () => [...violationsIn(fake), ...(front ? disputeViolations(front.responses) : [])];
  const close = async () => {
    await front?.close();
    await fake.close();
    const violations = allViolations();
    if (violations.length > 0) {
      throw new Error(`the PayPal fake sent ${violations.length} responses PayPal's OpenAPI documents do not allow:\n${violations.slice(0, 8).map((v) => `${v.where}: ${v.errors.slice(0, 6).join("; ")}`).join("\n")}`);
    }
  };
  const harness: GatewayHarness = {
    gateway: gatewayWith({ timeoutMs: CONTRACT_CLIENT_TIMEOUT_MS }),
    currency: "USD",
    paymentMethodFor: (scenario) => (scenario === "invalid_payment_method" ? null : `paypal:${scenario}`),
    async completeAction(payment, scenario) {
      if (scenario === "invalid_payment_method") throw new Error("PayPal has no payment method ids to refuse");
      fake.approveOrder(payment.providerPaymentId, APPROVALS[scenario]);
    },
    supportedFaults: ["answer_lost", "timeout", "buyer_refused", "refund_refused", "refund_fails_later"],
    injectFault: (fault) => injectPayPalFault(fake, fault),
    webhooks: paypalWebhooks(fake, signer, forger),
    amountsAtProvider: async (providerPaymentId) => fake.heldAmounts(providerPaymentId),
    async reset() {
      fake.reset();
      disputes.reset();
    },
    dispose: close,
  };

  return { fake, signer, gateway, gatewayWith, harness, disputes, addCertificate, schemaViolations: allViolations, close };
}
