import { ManualClock } from "../src/ports/clock.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { PaymentService } from "../src/service/payment-service.js";
import { SimulatedGateway } from "../src/simulated/index.js";
import type { PaymentStore } from "../src/ports/payment-store.js";
import type { PaymentGateway } from "../src/ports/payment-gateway.js";

export function setup(
  options: {
    store?: PaymentStore;
    keyRetentionMs?: number;
    lockTimeoutMs?: number;
    orphanAfterMs?: number;
    gatewayRetryPolicy?: { maxAttempts?: number; maxAgeMs?: number };
    /** Wraps the simulated gateway the service uses (the returned `gateway` stays the simulated one). */
    wrapGateway?: (gateway: SimulatedGateway) => PaymentGateway;
  } = {},
) {
  const clock = new ManualClock("2026-03-01T10:00:00.000Z");
  const store = options.store ?? new MemoryPaymentStore();
  const gateway = new SimulatedGateway({ clock, keyRetentionMs: options.keyRetentionMs });
  const service = new PaymentService({
    store,
    gateways: [options.wrapGateway ? options.wrapGateway(gateway) : gateway],
    clock,
    lockTimeoutMs: options.lockTimeoutMs,
    orphanAfterMs: options.orphanAfterMs,
    gatewayRetryPolicy: options.gatewayRetryPolicy,
  });
  return { clock, store, gateway, service };
}

export const owner = { scope: "user_1", actor: "user_1" };

export function ctx(key: string, scope = "user_1") {
  return { scope, idempotencyKey: key };
}

export async function paidPayment(service: PaymentService, amount = 10_000, captureMethod: "automatic" | "manual" = "automatic") {
  const { payment } = await service.createPayment({ owner: "user_1", amount, currency: "USD", captureMethod }, ctx(`create-${Math.random()}`));
  const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx(`confirm-${payment.id}`));
  return confirmed.payment;
}
