import type { RequestHandler } from "express";
import type { RouterLog } from "../logging/scrubbed-logger.js";
import type { PaymentsMetrics } from "../metrics.js";
import type { PaymentsRouterOptions } from "../router-options.js";

/**
 * What every route file needs, resolved once by `createPaymentsRouter`. It lives apart from the router so the route
 * files depend on this shape only: the router imports the routes, never the other way round.
 */
export interface RouteDeps {
  options: PaymentsRouterOptions;
  authorize: NonNullable<PaymentsRouterOptions["authorize"]>;
  metrics: PaymentsMetrics;
  json: RequestHandler;
  requireAuth: RequestHandler;
  limit: RequestHandler;
  openapi: Record<string, unknown>;
  /** Logs why the store failed a health check; the response itself carries no detail. */
  onStoreUnavailable: (error: unknown) => void;
  log: RouterLog;
}
