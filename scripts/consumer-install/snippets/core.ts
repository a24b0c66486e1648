// @org/payments-core alone: a payment created and confirmed on the memory store and the simulated provider.
import { createMemoryStore, createPaymentService, formatMoney } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";

const service = createPaymentService({ store: createMemoryStore(), gateways: [createSimulatedGateway()] });
const caller = { scope: "user_1", actor: "user_1" };
const { payment } = await service.createPayment({ owner: "user_1", amount: 1250, currency: "EUR" }, { ...caller, idempotencyKey: "create-1" });
const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { ...caller, idempotencyKey: "confirm-1" });
if (confirmed.payment.status !== "succeeded") throw new Error(`expected succeeded, got ${confirmed.payment.status}`);
console.log(`core: ${confirmed.payment.id} ${formatMoney(confirmed.payment.amount, confirmed.payment.currency)} ${confirmed.payment.status}`);
