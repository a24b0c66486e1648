// @org/payments-sqlite: migrate an in-memory database and create a payment on it (the native addon loads).
import { createPaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createSqliteStore, migrate } from "@org/payments-sqlite";

const store = await createSqliteStore({ filename: ":memory:" });
const { applied } = await migrate(store);
const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
const { payment } = await service.createPayment(
  { owner: "user_1", amount: 990, currency: "USD" },
  { scope: "user_1", actor: "user_1", idempotencyKey: "sqlite-create-1" },
);
const stored = await service.getPayment(payment.id);
await store.close();
console.log(`sqlite: ${applied.length} migrations applied, ${stored.id} ${stored.status}`);
