import { PaymentError, configurationError } from "@org/payments-core";
import type { Request, RequestHandler } from "express";
import { type Options, type Store, ipKeyGenerator, rateLimit } from "express-rate-limit";
import { sendError } from "../http/render.js";
import { maybePrincipal } from "../http/request-context.js";
import type { RouterLog } from "../logging/scrubbed-logger.js";
import {
  DEFAULT_RATE_LIMITS,
  DEFAULT_RATE_LIMIT_WINDOW_MS,
  type RateLimitOptions,
  type RateLimiterName,
} from "./rate-limit-options.js";
import { redisRateLimitStores } from "./redis-rate-limit-store.js";
import { type VerifyCaller, guardWithFailureThrottle, tooManyFailures } from "./auth-failure-throttle.js";
import { routeLimiterOf } from "./route-limiter.js";

export interface RateLimits {
  /** The authentication middleware: `verify` behind the failed-authentication throttle (when limits are on). */
  guardAuthentication(verify: VerifyCaller): RequestHandler;
  /** The route's own limiter (see `routeLimiterOf`), keyed per principal, or per address when unauthenticated. */
  limit: RequestHandler;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

function storeFactory(options: RateLimitOptions): ((limiter: RateLimiterName) => Store) | undefined {
  if (options.redis) return redisRateLimitStores(options.redis);
  if (options.store === undefined) return undefined;
  if (typeof options.store !== "function") {
    // The old shape: one store handed to every limiter double-counts and trips ERR_ERL_STORE_REUSE at start.
    throw configurationError("rateLimit.store must be a function returning a new store for each limiter (or use rateLimit.redis)");
  }
  return options.store;
}

/**
 * The router's limiters. Each gets its own store from the factory (a memory store per process when none is
 * given). A store that fails (Redis unreachable) lets the request through and logs the error: throttling
 * protects capacity, and refusing every payment while Redis is down would be an outage of our own making.
 */
export function createRateLimits(
  options: RateLimitOptions | false | undefined,
  address: { clientAddress: (req: Request) => string; fromRouterTrustProxy: boolean },
  log: RouterLog,
): RateLimits {
  if (options === false) return { guardAuthentication: (verify) => (req, _res, next) => void verify(req).then(() => next(), next), limit: passThrough };
  const settings = options ?? {};
  const stores = storeFactory(settings);
  const windowMs = settings.windowMs ?? DEFAULT_RATE_LIMIT_WINDOW_MS;
  const addressKey = (req: Request) => ipKeyGenerator(address.clientAddress(req));
  // express-rate-limit reports store failures and its own configuration checks (ERR_ERL_…) here.
  const limiterLog = {
    error: (error: unknown, message?: string) => log.error({ err: error }, message ?? "rate limiter reported a problem"),
    warn: (error: unknown, message?: string) => log.warn({ err: error }, message ?? "rate limiter reported a problem"),
  };

  const limitOf = (name: RateLimiterName) => settings.limits?.[name] ?? settings.limit ?? DEFAULT_RATE_LIMITS[name];
  const storeOf = (name: RateLimiterName): Store | undefined => {
    const store = stores?.(name);
    if (name === "authFailures" && store && typeof store.get !== "function") {
      throw configurationError("rateLimit.store must return stores with get(): the failed-authentication throttle reads its count before counting");
    }
    return store;
  };
  const limiter = (name: RateLimiterName, extra: Partial<Options>) => {
    const store = storeOf(name);
    return rateLimit({
      windowMs,
      limit: limitOf(name),
      standardHeaders: "draft-8",
      legacyHeaders: false,
      identifier: name,
      passOnStoreError: true,
      logger: limiterLog,
      ...(store ? { store } : {}),
      // express-rate-limit warns of an X-Forwarded-For the app does not trust; the router's trustProxy reads it.
      ...(address.fromRouterTrustProxy ? { validate: { xForwardedForHeader: false } } : {}),
      ...extra,
    });
  };

  const failureKey = (req: Request) => `auth-failure:${addressKey(req)}`;
  const authFailures = limiter("authFailures", {
    keyGenerator: failureKey,
    handler: (_req, res, _next, used) => sendError(res, tooManyFailures(Math.ceil(used.windowMs / 1000))),
  });
  const throttle = { limiter: authFailures, keyOf: failureKey, limit: limitOf("authFailures"), windowMs };

  const routeLimiter = (name: ReturnType<typeof routeLimiterOf>) =>
    limiter(name, {
      keyGenerator: (req) => {
        const principal = maybePrincipal(req);
        return principal ? `sub:${principal.sub}` : `ip:${addressKey(req)}`;
      },
      handler: (_req, res, _next, used) => {
        sendError(res, new PaymentError("rate_limited", "too many requests; slow down", { retryAfterSeconds: Math.ceil(used.windowMs / 1000) }));
      },
    });
  const routeLimiters: Record<ReturnType<typeof routeLimiterOf>, RequestHandler> = {
    read: routeLimiter("read"),
    write: routeLimiter("write"),
    create: routeLimiter("create"),
    confirm: routeLimiter("confirm"),
    webhook: routeLimiter("webhook"),
  };

  return {
    guardAuthentication: (verify) => guardWithFailureThrottle(verify, throttle, log),
    limit: (req, res, next) => routeLimiters[routeLimiterOf(req)](req, res, next),
  };
}
