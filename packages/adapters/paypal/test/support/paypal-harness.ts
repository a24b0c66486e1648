import type { GatewayScenario, PaymentGateway } from "@org/payments-core";
import type { GatewayHarness } from "@org/payments-core/testing";
import {
  createPayPalWebhookSigner,
  startPayPalFake,
  type ApprovalOutcome,
  type PayPalFake,
  type PayPalFakeOptions,
  type PayPalWebhookSigner,
} from "@org/payments-test-support/paypal-fake";
import { createPayPalClient, createPayPalGateway, type PayPalGatewayOptions } from "../../src/index.js";

/**
 * PayPal has no payment-method tokens in this flow: the "payment method" is a marker, and the scenario is played
 * when the buyer approves the order in the fake (the capture that follows then declines, or not).
 */
const APPROVALS: Readonly<Record<GatewayScenario, ApprovalOutcome>> = {
  succeeds: { kind: "approve" },
  requires_action: { kind: "approve" },
  declined: { kind: "decline_422", issue: "INSTRUMENT_DECLINED" },
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
  close(): Promise<void>;
}

export async function startPayPalRig(
  fakeOptions: PayPalFakeOptions = {},
  gatewayOptions: Partial<PayPalGatewayOptions> = {},
): Promise<PayPalTestRig> {
  const fake = await startPayPalFake(fakeOptions);
  const signer = await createPayPalWebhookSigner();
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
      unstableHttpClientOptions: fake.httpClientOptions(),
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

  const harness: GatewayHarness = {
    gateway,
    currency: "USD",
    paymentMethodFor: (scenario) => `paypal:${scenario}`,
    async completeAction(payment, scenario) {
      fake.approveOrder(payment.providerPaymentId, APPROVALS[scenario]);
    },
    async reset() {
      fake.reset();
    },
    async dispose() {
      await fake.close();
    },
  };

  return { fake, signer, gateway, gatewayWith, harness, addCertificate, close: () => fake.close() };
}
