import type { AddressInfo } from "node:net";
import { type PaymentService, createMemoryStore, createPaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import express from "express";
import type { Logger } from "pino";
import { pino } from "pino";
import { createPaymentsRouter } from "../src/index.js";
import type { PaymentsRouterOptions } from "../src/router-options.js";
import { AUDIENCE, ISSUER, JWT_SECRET, TARIFFS } from "./server-harness.js";

export const LINK_SECRET = "receipt-link-secret-of-at-least-32-bytes!";
export const NEXT_LINK_SECRET = "the-next-receipt-link-secret-32-bytes-long";

export interface RouterOverService {
  base: string;
  close(): Promise<void>;
}

/**
 * One service (and store) that several routers can be mounted over, so a link minted under one configuration can
 * be opened under another, as happens across a key rotation or between instances of a fleet.
 */
export function sharedService(): PaymentService {
  return createPaymentService({ store: createMemoryStore(), gateways: [new SimulatedGateway()], tariffs: TARIFFS });
}

export async function mountRouter(service: PaymentService, overrides: Partial<PaymentsRouterOptions> = {}, logger: Logger = pino({ level: "silent" })): Promise<RouterOverService> {
  const app = express();
  app.use(
    "/api",
    createPaymentsRouter({
      service,
      jwt: { secret: JWT_SECRET, algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE },
      logger,
      rateLimit: false,
      ...overrides,
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A captured (succeeded) payment of `owner` with fare lines, and one partial refund. */
export async function paidFare(service: PaymentService, owner = "alice"): Promise<string> {
  const quote = service.quoteFare("city", { distanceMeters: 5400, durationSeconds: 780 });
  const ctx = (key: string, scope = owner) => ({ scope, idempotencyKey: `${owner}-${key}` });
  const { payment } = await service.createPayment({ owner, amount: quote.total, currency: "USD", lineItems: quote.lines, description: "Ride downtown" }, ctx("c"));
  await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("p"));
  await service.refundPayment(payment.id, { amount: 100, reason: "requested_by_customer" }, ctx("r", "admin"));
  return payment.id;
}
