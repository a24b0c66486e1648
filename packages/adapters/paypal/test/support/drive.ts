import type { GatewayPayment, PaymentGateway } from "@org/payments-core";
import type { ApprovalOutcome, PayPalFake } from "@org/payments-test-support/paypal-fake";

let counter = 0;
export function paymentId(): string {
  counter += 1;
  return `pay_${Date.now().toString(36)}${String(counter).padStart(6, "0")}`;
}

/** Creates an order, lets the buyer approve it in the fake, and resumes (capture or authorize). */
export async function approvedPayment(
  gateway: PaymentGateway,
  fake: PayPalFake,
  options: { amount?: number; currency?: string; manual?: boolean; outcome?: ApprovalOutcome; id?: string } = {},
): Promise<GatewayPayment> {
  const id = options.id ?? paymentId();
  const captureMethod = options.manual ? "manual" : "automatic";
  const created = await gateway.createPayment(
    { paymentId: id, amount: options.amount ?? 2000, currency: options.currency ?? "USD", captureMethod },
    { idempotencyKey: `${id}:confirm` },
  );
  fake.approveOrder(created.providerPaymentId, options.outcome);
  return gateway.resumePayment(
    { paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod },
    { idempotencyKey: `${id}:resume:1` },
  );
}

/** The PaymentError a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code: string; declineCode?: string; retryAfterSeconds?: number; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string };
  }
  throw new Error("expected a rejection");
}
