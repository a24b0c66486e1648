import { PaymentError, configurationError } from "@org/payments-core";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import type { Registry } from "prom-client";
import { defaultAuthorize } from "./authorization.js";
import { clientAddressResolver } from "./http/client-address.js";
import { identifierProblem } from "./http/identifier-rules.js";
import { sendError, toPaymentError } from "./http/render.js";
import { maybePrincipal, requestId, requestIdOf, setPrincipal } from "./http/request-context.js";
import { createJwtAuthenticator } from "./jwt-authenticator.js";
import { createDefaultLogger } from "./logging/default-logger.js";
import { loggedPath } from "./logging/logged-path.js";
import { scrubbedLogger } from "./logging/scrubbed-logger.js";
import { createPaymentsMetrics } from "./metrics.js";
import { buildOpenApiDocument } from "./openapi.js";
import type { Authenticate } from "./principal.js";
import { createRateLimits } from "./rate-limit/create-rate-limits.js";
import { DEFAULT_SERVICE_CLAIM, holdsRoleClaim } from "./role-claims.js";
import type { PaymentsRouterOptions } from "./router-options.js";
import { mountCustomerRoutes } from "./routes/customer-routes.js";
import { mountDisputeRoutes } from "./routes/dispute-routes.js";
import { mountOperationRoutes } from "./routes/operation-routes.js";
import { mountPaymentRoutes } from "./routes/payment-routes.js";
import { mountReceiptLinkRoutes } from "./routes/receipt-link-routes.js";
import type { RouteDeps } from "./routes/route-deps.js";
import { mountWebhookRoutes } from "./routes/webhook-routes.js";

export type PaymentsRouter = Router & { metricsRegistry: Registry; openapi: Record<string, unknown> };

function resolveAuthenticate(options: PaymentsRouterOptions): Authenticate {
  if (options.authenticate) return options.authenticate;
  if (options.jwt) return createJwtAuthenticator(options.jwt);
  throw configurationError("createPaymentsRouter needs `authenticate` or `jwt` options");
}

/**
 * The payments API as an Express 5 router a host mounts at any path. It brings its own body parsers per route
 * (raw bytes for webhooks), so it must be mounted BEFORE any app-wide `express.json()`. Nothing is global: metrics
 * live in the router's own registry.
 */
export function createPaymentsRouter(options: PaymentsRouterOptions): PaymentsRouter {
  const authenticate = resolveAuthenticate(options);
  const serviceClaim = options.serviceClaim ?? DEFAULT_SERVICE_CLAIM;
  if (serviceClaim.length === 0) throw configurationError("serviceClaim must name a claim");
  const logger = scrubbedLogger(options.logger ?? createDefaultLogger());
  const metrics = createPaymentsMetrics(options.service, options.metricsRegistry, {
    storeMetrics: options.storeMetrics,
    // The scrape shows only payments_store_up 0; why is in the (scrubbed) log.
    onStoreReadError: (error) => logger.error({ err: error }, "store metrics read failed"),
  });
  const router = Router();

  // Failed authentications are counted per client address, and an address over the limit is refused before its
  // token is checked, so a flood of bad tokens is throttled (the per-principal limiters only see authenticated calls).
  const clientAddress = clientAddressResolver(options.trustProxy);
  const { guardAuthentication, limit: limiter } = createRateLimits(options.rateLimit, { clientAddress, fromRouterTrustProxy: options.trustProxy !== undefined }, logger);
  const verifyCaller = async (req: Request): Promise<void> => {
    const principal = await authenticate({ headers: req.headers });
    if (!principal) throw new PaymentError("unauthenticated", "a valid Bearer token is required");
    // The subject owns payments and scopes idempotency keys, so it is data: text a store cannot hold is no identity.
    if (identifierProblem(principal.sub, 200) !== null) throw new PaymentError("unauthenticated", "the token's subject is not a usable identity");
    // The service role is the router's to read (its claim is a router option), unless the authenticator decided it.
    setPrincipal(req, { ...principal, service: principal.service ?? holdsRoleClaim(principal.claims, serviceClaim) });
  };
  const requireAuth = guardAuthentication(verifyCaller);

  const deps: RouteDeps = {
    options,
    authorize: options.authorize ?? defaultAuthorize,
    metrics,
    // application/merge-patch+json is RFC 7396's type for PATCH /payments/:id; its body is parsed as JSON too.
    json: express.json({ limit: options.bodyLimit ?? "32kb", strict: true, type: ["application/json", "application/merge-patch+json"] }),
    requireAuth,
    limit: limiter,
    openapi: buildOpenApiDocument(options.openapi),
    onStoreUnavailable: (error) => logger.error({ err: error }, "store health check failed"),
    log: logger,
  };

  router.use(requestId);
  router.use((req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on("finish", () => {
      // The route pattern, not the URL: ids must not explode the label set.
      const route = req.route?.path ? String(req.route.path) : "unmatched";
      stop({ method: req.method, route, status: String(res.statusCode) });
      logger.info(
        { requestId: requestIdOf(req), method: req.method, path: loggedPath(req.path), status: res.statusCode, principal: maybePrincipal(req)?.sub },
        "request",
      );
    });
    next();
  });

  mountWebhookRoutes(router, deps);
  mountOperationRoutes(router, deps);
  mountPaymentRoutes(router, deps);
  mountDisputeRoutes(router, deps);
  mountCustomerRoutes(router, deps);
  mountReceiptLinkRoutes(router, deps);

  router.use((_req: Request, res: Response) => sendError(res, new PaymentError("not_found", "no such route")));
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const paymentError = toPaymentError(error);
    if (paymentError.code === "internal") {
      // The cause goes to the log (with the request id to find it), never to the client.
      logger.error({ requestId: requestIdOf(req), method: req.method, path: loggedPath(req.path), err: error }, "unhandled error");
    }
    if (res.headersSent) return;
    sendError(res, paymentError);
  });

  return Object.assign(router, { metricsRegistry: metrics.registry, openapi: deps.openapi });
}
