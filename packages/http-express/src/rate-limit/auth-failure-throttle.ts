import { PaymentError } from "@org/payments-core";
import type { Request, RequestHandler } from "express";
import type { RateLimitRequestHandler } from "express-rate-limit";
import { sendError } from "../http/render.js";
import type { RouterLog } from "../logging/scrubbed-logger.js";

/** Verifies the caller's credentials (and records who it is); rejects with `unauthenticated` when they fail. */
export type VerifyCaller = (req: Request) => Promise<void>;

export function tooManyFailures(retryAfterSeconds: number): PaymentError {
  return new PaymentError("rate_limited", "too many failed authentications; slow down", { retryAfterSeconds });
}

/**
 * Throttles failed authentications per client address, counting failures only. A request from an address over
 * the limit is refused before its token is verified (no verification work for a flood); any other request is
 * verified, and counted only if it fails. Counting every request and taking the successes back when they finish
 * (express-rate-limit's skipSuccessfulRequests) would count honest requests while they are in flight, so
 * concurrent callers behind one address would be refused for failures nobody made.
 */
export function guardWithFailureThrottle(
  verify: VerifyCaller,
  throttle: { limiter: RateLimitRequestHandler; keyOf: (req: Request) => string; limit: number; windowMs: number },
  log: RouterLog,
): RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const key = throttle.keyOf(req);
      const seen = await Promise.resolve(throttle.limiter.getKey(key)).catch((error: unknown) => {
        // Like the limiters themselves: a store that fails lets the request through, and says so in the log.
        log.error({ err: error }, "rate limit store failed; authentication not throttled");
        return undefined;
      });
      if (seen && seen.totalHits >= throttle.limit) {
        const untilReset = seen.resetTime ? Math.ceil((seen.resetTime.getTime() - Date.now()) / 1000) : Math.ceil(throttle.windowMs / 1000);
        sendError(res, tooManyFailures(Math.max(1, untilReset)));
        return;
      }
      try {
        await verify(req);
      } catch (error) {
        if (error instanceof PaymentError && error.code === "unauthenticated") {
          // Counted now; over the limit, the limiter's handler answers 429 instead of the 401.
          await throttle.limiter(req, res, () => next(error));
          return;
        }
        throw error;
      }
      next();
    })().catch(next);
  };
}
