import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { GatewayPayment, WebhookHeaders } from "../../ports/payment-gateway.js";
import type { WebhookHarness } from "../harness.js";
import { type DefineCase, type GatewayUnderTest } from "./contract-case.js";
import { describeThrown } from "../echo-check.js";
import { expectCode, failUnless, rejectionOf } from "./definite-answer.js";
import { drivePayment } from "./drive-payment.js";
import { eventNamesPayment, tamperings, withoutHeaders } from "./webhook-forgeries.js";

export const WEBHOOKS_REQUIRED =
  "every gateway must verify webhook signatures: this harness has no `webhooks` (a WebhookHarness that signs deliveries as " +
  "the provider does), so the kit cannot forge one to prove parseWebhook refuses it. Add harness.webhooks, or skip this " +
  "case in options.skip with the reason";

interface SignedDelivery {
  paid: GatewayPayment;
  webhooks: WebhookHarness;
  rawBody: string;
  headers: WebhookHeaders;
}

/**
 * parseWebhook is the only door through which a stranger on the internet can move a payment's state: a delivery is
 * acted on only when the provider signed exactly these bytes, recently. The kit takes a genuine delivery from the
 * harness and forges it the ways an attacker can.
 */
export function defineWebhookSignatureCases(define: DefineCase, subject: GatewayUnderTest): void {
  const webhooksOf = (): WebhookHarness => {
    const webhooks = subject.harness.webhooks;
    if (!webhooks) throw new Error(WEBHOOKS_REQUIRED);
    return webhooks;
  };

  const expectAccepted = async (delivery: SignedDelivery, rawBody: string | Uint8Array, headers: WebhookHeaders, what: string) => {
    const event = await subject.gateway.parseWebhook(rawBody, headers).catch((error: unknown) => {
      throw new Error(`${what}: a genuine delivery was refused (${describeThrown(error)}); the refusals below would prove nothing`, { cause: error });
    });
    expect(event.provider, what).toBe(subject.gateway.provider);
    failUnless(eventNamesPayment(event, delivery.paid), `${what}: the ${event.kind} event must name the payment it is about`);
  };

  /** A payment and a genuine, correctly signed delivery about it, checked to be accepted before it is forged. */
  const signedDelivery = async (): Promise<SignedDelivery> => {
    const webhooks = webhooksOf();
    const paid = await drivePayment(subject.harness, "succeeds", { amount: subject.amount });
    const rawBody = await webhooks.eventBody(paid);
    const headers = await webhooks.sign(rawBody);
    const delivery = { paid, webhooks, rawBody, headers };
    await expectAccepted(delivery, rawBody, headers, "the genuine delivery");
    return delivery;
  };

  const expectRefused = async (rawBody: string, headers: WebhookHeaders, what: string) => {
    const error = await rejectionOf(subject.gateway.parseWebhook(rawBody, headers), (event) => `accepted a forged webhook (${what}) as a ${(event as { kind?: string }).kind} event`);
    expectCode(error, "webhook_signature_invalid", what);
  };

  define("webhookSignedAccepted", async () => {
    const delivery = await signedDelivery();
    // The router hands over the raw bytes it received; a string is accepted too.
    await expectAccepted(delivery, new TextEncoder().encode(delivery.rawBody), delivery.headers, "the genuine delivery as bytes");
  });

  define("webhookUnsignedRefused", async () => {
    const { webhooks, rawBody, headers } = await signedDelivery();
    expect(webhooks.signatureHeaders.length, "the harness must name the headers that carry the signature").toBeGreaterThan(0);
    await expectRefused(rawBody, withoutHeaders(headers, webhooks.signatureHeaders), "every signature header removed");
    if (webhooks.signatureHeaders.length > 1) {
      for (const name of webhooks.signatureHeaders) await expectRefused(rawBody, withoutHeaders(headers, [name]), `${name} removed`);
    }
  });

  define("webhookForeignSecretRefused", async () => {
    const { webhooks, rawBody } = await signedDelivery();
    const secret = `whsec_contract_forger_${randomBytes(12).toString("hex")}`;
    await expectRefused(rawBody, await webhooks.sign(rawBody, { secret }), "signed with a secret the adapter does not know");
  });

  define("webhookTamperedBodyRefused", async () => {
    const { paid, rawBody, headers } = await signedDelivery();
    const forged = tamperings(rawBody, paid);
    expect(forged.length, "eventBody must name the payment (its id or amount) for a forger to change it").toBeGreaterThan(0);
    for (const { what, rawBody: changed } of forged) await expectRefused(changed, headers, `body changed after signing: ${what}`);
  });

  define("webhookStaleRefused", async (context) => {
    const webhooks = webhooksOf();
    const tolerance = webhooks.toleranceMs;
    if (tolerance === null) context.skip("the provider's signature scheme signs no time (webhooks.toleranceMs: null)");
    const delivery = await signedDelivery();
    const { rawBody } = delivery;
    const stale = await webhooks.sign(rawBody, { timestamp: new Date(Date.now() - tolerance! - 60_000) });
    await expectRefused(rawBody, stale, `signed ${Math.round((tolerance! + 60_000) / 1000)} s ago, past the ${tolerance! / 1000} s tolerance`);
    // A replay window is a tolerance, not "now only": a delivery that took a while is still the provider's.
    const late = await webhooks.sign(rawBody, { timestamp: new Date(Date.now() - tolerance! / 2) });
    await expectAccepted(delivery, rawBody, late, `signed ${tolerance! / 2000} s ago, within the tolerance`);
  });
}
