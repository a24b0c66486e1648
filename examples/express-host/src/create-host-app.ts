import { type PaymentStore, createPaymentService } from "@org/payments-core";
import { createPaymentsRouter, timeGatewayCalls } from "@org/payments-express";
import express, { type Express } from "express";
import { Registry, collectDefaultMetrics } from "prom-client";
import { type HostConfig, type RateLimitRedis, gatewaysFromEnv } from "./config.js";

/** The one tariff this host offers for fare quotes (fees in US cents). */
export const CITY_TARIFF = {
  name: "city",
  currency: "USD",
  baseFare: 250,
  perKm: 120,
  perMinute: 30,
  minimumFare: 700,
  bookingFee: 99,
  cancellationFee: 500,
  taxRate: "0.0875",
  maxSurge: "2.5",
};

/**
 * Who issues this host's receipts when the environment does not say (PAYMENTS_MERCHANT_NAME, PAYMENTS_LOCALE,
 * PAYMENTS_TIME_ZONE): printed at the top of every HTML receipt, in the riders' locale and time zone.
 */
export const RECEIPTS = {
  locale: "en-US",
  timeZone: "America/New_York",
  merchant: { name: "Example Rides Inc.", address: ["350 Fifth Avenue", "New York, NY 10118"] },
};

/**
 * The host's own app: its routes, with the payments router mounted under /payments-api. The router is mounted
 * before any app-wide JSON parser so provider webhooks keep their raw bytes.
 */
export function createHostApp(
  config: HostConfig,
  store: PaymentStore,
  rateLimitRedis: RateLimitRedis | null = null,
): { app: Express; service: ReturnType<typeof createPaymentService> } {
  // One registry for the host's /metrics: this process's own (CPU, memory, event loop lag, GC), each provider call
  // timed, and the router's. Everything in it is per instance except the store gauges, only on with storeMetrics.
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const service = createPaymentService({
    store,
    gateways: gatewaysFromEnv(config).map((gateway) => timeGatewayCalls(gateway, metricsRegistry)),
    defaultProvider: config.defaultProvider,
    tariffs: { city: CITY_TARIFF },
    idempotencyTtlMs: config.idempotencyTtlMs,
    gatewayRetryPolicy: config.gatewayRetryPolicy,
  });
  const { receipts } = config;
  const app = express();
  app.disable("x-powered-by");
  const { redisPrefix, ...rateLimit } = config.rateLimit;
  app.use(
    "/payments-api",
    createPaymentsRouter({
      service,
      jwt: config.jwt,
      tariffs: { city: CITY_TARIFF },
      // With Redis, every instance counts against the same limits; without it, each process counts on its own.
      rateLimit: rateLimitRedis ? { ...rateLimit, redis: { sendCommand: rateLimitRedis.sendCommand, prefix: redisPrefix } } : rateLimit,
      trustProxy: config.trustProxy,
      serviceClaim: config.serviceClaim,
      metricsRegistry,
      storeMetrics: config.storeMetrics,
      receipts: {
        locale: receipts.locale ?? RECEIPTS.locale,
        timeZone: receipts.timeZone ?? RECEIPTS.timeZone,
        merchant: receipts.merchant ?? RECEIPTS.merchant,
        // With PAYMENTS_RECEIPT_LINK_SECRET, receipts can be e-mailed as signed links that open without a token.
        links: receipts.linkSecrets ? { secrets: receipts.linkSecrets } : undefined,
      },
    }),
  );
  // The host's own routes come after, with their own parser.
  app.use(express.json());
  app.get("/", (_req, res) => {
    res.json({ service: "example ride host", payments: "/payments-api", openapi: "/payments-api/openapi.json" });
  });
  return { app, service };
}
