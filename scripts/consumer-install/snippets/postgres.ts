// @org/payments-postgres: migrate a fresh schema on the local server (the check drops it) and create a payment.
import { createPaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createPostgresStore, migrate } from "@org/payments-postgres";

const url = process.env.PAYMENTS_CONSUMER_POSTGRES_URL;
if (!url) throw new Error("PAYMENTS_CONSUMER_POSTGRES_URL (with ?schema=) is not set");
const store = await createPostgresStore({ connectionString: url, max: 2 });
try {
  const { applied } = await migrate(store);
  const service = createPaymentService({ store, gateways: [createSimulatedGateway()] });
  const { payment } = await service.createPayment(
    { owner: "user_1", amount: 4200, currency: "EUR" },
    { scope: "user_1", actor: "user_1", idempotencyKey: "postgres-create-1" },
  );
  console.log(`postgres: ${applied.length} migrations applied in ${store.schema}, ${payment.id} ${payment.status}`);
} finally {
  await store.close();
}
