/**
 * The smallest useful program on @org/payments-core: create a payment, confirm it with a test card, refund part of
 * it and print the receipt. Everything a host service does goes through the same calls.
 */
import { createMemoryStore, createPaymentService, formatMoney } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";

const store = createMemoryStore();
const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });

// Every state-changing call carries the caller's identity (scope) and an idempotency key: retrying with the same
// key can never charge twice.
const customer = { scope: "user_42", actor: "user_42" };
const admin = { scope: "admin_1", actor: "admin_1" };

const { payment } = await service.createPayment(
  { owner: "user_42", amount: 4599, currency: "EUR", description: "Airport transfer", references: { booking: "BK-1001" } },
  { ...customer, idempotencyKey: "create-BK-1001" },
);
console.log(`created   ${payment.id}  ${formatMoney(payment.amount, payment.currency)}  ${payment.status}`);

const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { ...customer, idempotencyKey: "confirm-BK-1001" });
console.log(`confirmed ${confirmed.payment.id}  ${confirmed.payment.status}  receipt ${confirmed.payment.receiptNumber}`);

const again = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { ...customer, idempotencyKey: "confirm-BK-1001" });
console.log(`retried   same key → replayed=${again.replayed}, still one charge`);

const { refund, payment: refunded } = await service.refundPayment(
  payment.id,
  { amount: 1000, reason: "late pickup" },
  { ...admin, idempotencyKey: "refund-BK-1001-late" },
);
console.log(`refunded  ${formatMoney(refund.amount, refund.currency)} (${refund.status}); payment is ${refunded.status}`);

console.log(`\n${await service.renderReceipt(payment.id, "text")}`);
await store.close();
