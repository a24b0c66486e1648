// @org/payments-express: the router mounted in an Express 5 app on a loopback port answers /health.
import type { AddressInfo } from "node:net";
import express from "express";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { createPaymentsRouter } from "@org/payments-express";

const service = createPaymentService({ store: createMemoryStore(), gateways: [createSimulatedGateway()] });
const app = express();
app.use("/payments-api", createPaymentsRouter({ service, jwt: { secret: "consumer-install-jwt-secret-32-bytes!", algorithms: ["HS256"] } }));
const server = app.listen(0, "127.0.0.1");
await new Promise<void>((resolve) => server.once("listening", () => resolve()));
try {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/payments-api/health`);
  if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
  console.log(`express: /payments-api/health answered ${response.status}`);
} finally {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
