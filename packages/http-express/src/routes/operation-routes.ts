import { PaymentError, type PaymentService, lookUpTariff, quoteCancellation, quoteFare, validationErrorOf, zodIssues } from "@org/payments-core";
import type { Router } from "express";
import { sendJson } from "../http/render.js";
import { principalOf } from "../http/request-context.js";
import { documentForMount } from "../openapi.js";
import { cancellationQuoteBody, fareQuoteBody } from "../schemas.js";
import type { RouteDeps } from "./route-deps.js";

type Check = { status: "ok" | "unavailable"; detail?: string };

/** The store's own error (hosts, ports) goes to the log; anonymous callers of the health routes learn only "unavailable". */
async function storeCheck(service: PaymentService, onError: (error: unknown) => void): Promise<Check> {
  try {
    await service.store.getPayment("pay_readiness_probe");
    return { status: "ok" };
  } catch (error) {
    onError(error);
    return { status: "unavailable" };
  }
}

export function mountOperationRoutes(router: Router, deps: RouteDeps): void {
  const { options, metrics, json, requireAuth, limit, authorize } = deps;
  const service = options.service;
  const tariffs = options.tariffs;
  let gatewayCache: { at: number; checks: Record<string, Check> } | null = null;

  async function gatewayChecks(): Promise<Record<string, Check>> {
    const cacheMs = options.readinessGatewayCheck?.cacheMs ?? 30_000;
    if (gatewayCache && Date.now() - gatewayCache.at < cacheMs) return gatewayCache.checks;
    const checks: Record<string, Check> = {};
    for (const provider of service.providers) {
      try {
        // A lookup that finds nothing still proves credentials and connectivity.
        await service.gatewayFor(provider).findByPaymentId("pay_readiness_probe");
        checks[`gateway:${provider}`] = { status: "ok" };
      } catch (error) {
        checks[`gateway:${provider}`] = { status: "unavailable", detail: error instanceof PaymentError ? error.code : "unreachable" };
      }
    }
    gatewayCache = { at: Date.now(), checks };
    return checks;
  }

  async function health(): Promise<{ status: "ok" | "unavailable"; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = { store: await storeCheck(service, deps.onStoreUnavailable) };
    if (options.readinessGatewayCheck) Object.assign(checks, await gatewayChecks());
    const ok = Object.values(checks).every((c) => c.status === "ok");
    return { status: ok ? "ok" : "unavailable", checks };
  }

  router.get("/health", async (_req, res) => {
    const result = await health();
    sendJson(res, result.status === "ok" ? 200 : 503, result);
  });
  router.get("/health/live", (_req, res) => sendJson(res, 200, { status: "ok", checks: {} }));
  router.get("/health/ready", async (_req, res) => {
    const result = await health();
    sendJson(res, result.status === "ok" ? 200 : 503, result);
  });

  const metricsHandlers = options.protectMetrics
    ? [
        requireAuth,
        (async (req, _res, next) => {
          if (!(await authorize("metrics.read", principalOf(req)))) throw new PaymentError("forbidden", "metrics need the admin role");
          next();
        }) as Parameters<Router["get"]>[1],
      ]
    : [];
  router.get("/metrics", ...metricsHandlers, async (_req, res) => {
    res.status(200).type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  router.get("/openapi.json", (req, res) => sendJson(res, 200, documentForMount(deps.openapi, req.baseUrl, options.openapi)));

  router.get("/payment-methods", requireAuth, limit, (_req, res) => {
    sendJson(res, 200, {
      defaultProvider: service.defaultProvider,
      providers: service.providers.map((name) => {
        const gateway = service.gatewayFor(name);
        return {
          name,
          manualCapture: gateway.capabilities.manualCapture,
          partialCapture: gateway.capabilities.partialCapture,
          // Test ids are offered only where the gateway says it accepts them (the simulated one, in development).
          testPaymentMethods: gateway.capabilities.testPaymentMethods ?? [],
        };
      }),
    });
  });

  router.post("/fares/quote", json, requireAuth, limit, (req, res) => {
    const parsed = fareQuoteBody.safeParse(req.body);
    if (!parsed.success) throw validationErrorOf("fare request", zodIssues(parsed.error, { unknownKeyMessage: "is not a field of a fare request" }));
    const { tariff, ...request } = parsed.data;
    if (tariffs) {
      sendJson(res, 200, quoteFare(lookUpTariff(tariffs, tariff), request));
      return;
    }
    sendJson(res, 200, service.quoteFare(tariff, request));
  });

  // The fee for a ride canceled after booking, itemized as a fare is, from the same tariffs as /fares/quote.
  router.post("/fares/cancellation-quote", json, requireAuth, limit, (req, res) => {
    const parsed = cancellationQuoteBody.safeParse(req.body);
    if (!parsed.success) throw validationErrorOf("cancellation quote request", zodIssues(parsed.error, { unknownKeyMessage: "is not a field of a cancellation quote request" }));
    const { tariff } = parsed.data;
    sendJson(res, 200, tariffs ? quoteCancellation(lookUpTariff(tariffs, tariff)) : service.quoteCancellation(tariff));
  });
}
