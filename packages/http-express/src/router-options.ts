import type { LineItem, NamedTariffs, PaymentService } from "@org/payments-core";
import type { Request } from "express";
import type { Registry } from "prom-client";
import type { Authorize } from "./authorization.js";
import type { JwtOptions } from "./jwt-authenticator.js";
import type { PaymentsLogger } from "./logging/default-logger.js";
import type { OpenApiOptions } from "./openapi.js";
import type { TrustProxy } from "./http/client-address.js";
import type { Authenticate } from "./principal.js";
import type { ReceiptOptions } from "./routes/receipt-options.js";
import type { RateLimitOptions } from "./rate-limit/rate-limit-options.js";

/**
 * What a host that prices server-side returns for a create request. The client's amount is then ignored; return
 * the currency too unless the client may choose it, and the lines if the receipt should itemize the price (the
 * client's own lines are dropped when an object is returned).
 */
export type ResolvedAmount = number | { amount: number; currency?: string | undefined; lineItems?: LineItem[] | undefined };

export interface PaymentsRouterOptions {
  service: PaymentService;
  /** Custom authentication; when absent, `jwt` configures Bearer JWT verification. */
  authenticate?: Authenticate | undefined;
  jwt?: JwtOptions | undefined;
  /** Authorization hook; defaults to DESIGN's owner, service and admin roles (`defaultAuthorize`). */
  authorize?: Authorize | undefined;
  /**
   * The claim that grants the service role (host services acting for owners: customers, saved methods,
   * off-session charges), read like the admin claim: `<claim>: true`, or the name in `role`/`roles`/`scope`/`scopes`.
   * Default "payments_service". A principal whose `service` a custom `authenticate` set keeps it.
   */
  serviceClaim?: string | undefined;
  /** Prices a payment server-side from the request (e.g. a booking id in `references`). */
  resolveAmount?: ((req: Request, body: Record<string, unknown>) => ResolvedAmount | Promise<ResolvedAmount>) | undefined;
  /**
   * Per principal (or client address when unauthenticated), per route kind: creating and confirming are tighter
   * than reads. `redis` shares the counters across instances. `false` disables.
   */
  rateLimit?: false | RateLimitOptions | undefined;
  /**
   * Which proxies to believe about the client's address (Express's `trust proxy` values; default: none, i.e. the
   * host app's own setting). Failed-authentication throttling and limits key on the address so found.
   */
  trustProxy?: TrustProxy | undefined;
  /** Registry for the router's metrics (default: a new one, readable as `router.metricsRegistry`). */
  metricsRegistry?: Registry | undefined;
  /**
   * Serve the store-derived gauges (payments by status, outbox backlog and lag, dead events, held and orphaned
   * webhooks, stuck operations) on this router's /metrics. Default false: every instance reads the same store, so
   * turn it on for exactly ONE instance of a fleet (or run `payments-cli metrics serve` instead), or a sum over pods
   * multiplies them. `cacheMs` (default 5 s) bounds the store reads however often it is scraped.
   */
  storeMetrics?: boolean | { cacheMs?: number | undefined } | undefined;
  /** Require an admin token on GET /metrics (default false: scrapers usually sit on a private network). */
  protectMetrics?: boolean | undefined;
  logger?: PaymentsLogger | undefined;
  /** Tariffs for POST /fares/quote, by name; defaults to the service's. */
  tariffs?: NamedTariffs | undefined;
  /**
   * The HTML receipt's locale, time zone, merchant and payment method, and signed receipt links (`links`) a host can
   * e-mail: opening one needs no bearer token.
   */
  receipts?: ReceiptOptions | undefined;
  /** Largest JSON body accepted (default "32kb"); larger is 413 payload_too_large. */
  bodyLimit?: string | undefined;
  /** Also probe the gateways on readiness (cached for `cacheMs`, default 30 s). */
  readinessGatewayCheck?: { cacheMs?: number } | undefined;
  openapi?: OpenApiOptions | undefined;
}
