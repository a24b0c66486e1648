import type { CaptureMethod } from "../../domain/payment.js";
import type { GatewayPayment, GatewayScenario, PaymentGateway } from "../../ports/payment-gateway.js";
import { testId } from "../fixtures.js";
import type { GatewayHarness } from "../harness.js";

/**
 * Drives a payment to its first definite state as a customer would: create and confirm; if the provider asks for a
 * customer step (3-D Secure, PayPal approval) the harness completes it and the payment is resumed.
 */
export async function drivePayment(
  harness: GatewayHarness,
  scenario: GatewayScenario,
  options: { captureMethod?: CaptureMethod; amount?: number; currency?: string; paymentId?: string; key?: string } = {},
): Promise<GatewayPayment> {
  const gateway = harness.gateway;
  const paymentMethodId = harness.paymentMethodFor(scenario);
  // A null method would reach the adapter as "no payment method" and fail far from the cause: say what is missing.
  if (paymentMethodId === null) {
    throw new Error(
      `drivePayment: the harness has no payment method for "${scenario}" (paymentMethodFor returned null), so no payment can be driven to it; a provider without payment method ids may return any marker string`,
    );
  }
  const paymentId = options.paymentId ?? testId("pay");
  const created = await gateway.createPayment(
    {
      paymentId,
      amount: options.amount ?? 2000,
      currency: options.currency ?? harness.currency,
      captureMethod: options.captureMethod ?? "automatic",
      paymentMethodId,
      returnUrl: "https://shop.example.test/return",
      cancelUrl: "https://shop.example.test/cancel",
      description: "contract test",
    },
    { idempotencyKey: options.key ?? `${paymentId}:confirm` },
  );
  if (created.status !== "requires_action" || scenario === "requires_action") return created;
  await harness.completeAction(created, scenario);
  return gateway.resumePayment(
    {
      paymentId,
      providerPaymentId: created.providerPaymentId,
      paymentMethodId,
      captureMethod: options.captureMethod ?? "automatic",
    },
    { idempotencyKey: `${paymentId}:resume:1` },
  );
}

/** Every payment `listTransactions` yields for the window. */
export async function collectTransactions(gateway: PaymentGateway, since: Date, until: Date): Promise<GatewayPayment[]> {
  const all: GatewayPayment[] = [];
  for await (const payment of gateway.listTransactions({ since, until })) all.push(payment);
  return all;
}

/** A refund of `amount` of a paid payment under our `refundId`, in the currency the case charged (not the one reported). */
export function refundRequest(paid: GatewayPayment, refundId: string, amount: number, currency: string, reason = "contract") {
  return { paymentId: paid.paymentId!, refundId, providerPaymentId: paid.providerPaymentId, amount, currency, reason };
}
