/**
 * The smallest useful program on @org/payments-core: create a payment, confirm it with a test card, refund part of
 * it and print the receipt — on a SQLite file and the simulated provider (its state in a file too), so a second
 * process finds everything where the first left it.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { createPaymentService, formatMoney } from "@org/payments-core";
import { createSimulatedGateway, simulatedStateFileFor } from "@org/payments-core/simulated";
import { createSqliteStore, migrate } from "@org/payments-sqlite";

const databaseFile = resolve(process.env.PAYMENTS_DATABASE_URL ?? "./payments.db");
const store = await createSqliteStore({ filename: databaseFile });
// The store never migrates on its own: the program decides when the schema changes.
await migrate(store);
const gateway = createSimulatedGateway({ stateFile: process.env.PAYMENTS_SIMULATED_STATE ?? simulatedStateFileFor(databaseFile) });
const service = createPaymentService({ store, gateways: [gateway] });

const readBack = process.argv[2] === "--read-back" ? process.argv[3] : undefined;
if (readBack) {
  // Run in a fresh process by the first run: proof that nothing lived only in memory.
  const payment = await service.getPayment(readBack);
  console.log(`read back ${payment.id} in a new process: ${payment.status}, refunded ${formatMoney(payment.amountRefunded, payment.currency)}`);
  await store.close();
  process.exit(0);
}

// Every state-changing call carries the caller's identity (scope) and an idempotency key: retrying with the same
// key can never charge twice.
const run = Date.now().toString(36);
const customer = { scope: "user_42", actor: "user_42" };
const admin = { scope: "admin_1", actor: "admin_1" };

const { payment } = await service.createPayment(
  { owner: "user_42", amount: 4599, currency: "EUR", description: "Airport transfer", references: { booking: `BK-${run}` } },
  { ...customer, idempotencyKey: `create-${run}` },
);
console.log(`created   ${payment.id}  ${formatMoney(payment.amount, payment.currency)}  ${payment.status}`);

const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { ...customer, idempotencyKey: `confirm-${run}` });
console.log(`confirmed ${confirmed.payment.id}  ${confirmed.payment.status}  receipt ${confirmed.payment.receiptNumber}`);

const again = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { ...customer, idempotencyKey: `confirm-${run}` });
console.log(`retried   same key → replayed=${again.replayed}, charges at the provider: ${gateway.chargesFor(payment.id)}`);

const { refund, payment: refunded } = await service.refundPayment(
  payment.id,
  { amount: 1000, reason: "late pickup" },
  { ...admin, idempotencyKey: `refund-${run}` },
);
console.log(`refunded  ${formatMoney(refund.amount, refund.currency)} (${refund.status}); payment is ${refunded.status}`);

console.log(`\n${await service.renderReceipt(payment.id, "text")}`);
await store.close();

const child = spawnSync(process.execPath, ["--import", "tsx", process.argv[1]!, "--read-back", payment.id], { stdio: "inherit", env: process.env });
console.log(`database: ${databaseFile}`);
process.exit(child.status ?? 1);
