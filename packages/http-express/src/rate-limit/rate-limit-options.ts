import type { Store } from "express-rate-limit";

/**
 * The router's limiters, each with its own counters (and, in a shared store, its own key prefix). A request is
 * counted by exactly one route limiter; unauthenticated failures are counted again by `authFailures`.
 */
export const RATE_LIMITERS = ["read", "write", "create", "confirm", "webhook", "authFailures"] as const;
export type RateLimiterName = (typeof RATE_LIMITERS)[number];

/**
 * Requests per window when neither `limits[name]` nor `limit` is given. Creating and confirming move money (and
 * call the provider), so they are tighter than reads; a provider's webhook bursts come from a few addresses.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimiterName, number>> = {
  read: 300,
  write: 300,
  create: 60,
  confirm: 60,
  webhook: 600,
  authFailures: 300,
};

export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;
export const DEFAULT_REDIS_RATE_LIMIT_PREFIX = "payments:rl:";

/** The raw-command function of a Redis client, e.g. node-redis's `(...args) => client.sendCommand(args)`. */
export type RedisSendCommand = (...args: string[]) => Promise<unknown>;

export interface RedisRateLimitOptions {
  sendCommand: RedisSendCommand;
  /** Prepended to every key; each limiter adds its name (`payments:rl:create:`…). Default `payments:rl:`. */
  prefix?: string | undefined;
}

export interface RateLimitOptions {
  /** The window every limiter counts in (default 60 s). */
  windowMs?: number | undefined;
  /** Requests per window for every limiter not named in `limits` (default: `DEFAULT_RATE_LIMITS`). */
  limit?: number | undefined;
  /** Requests per window, per limiter. */
  limits?: Partial<Record<RateLimiterName, number>> | undefined;
  /** Counters in Redis, shared by every instance of the fleet: one store per limiter, each under its own prefix. */
  redis?: RedisRateLimitOptions | undefined;
  /**
   * Any other `express-rate-limit` store: called once per limiter, it must return a NEW store each time (one
   * store cannot count for two limiters). Ignored when `redis` is set.
   */
  store?: ((limiter: RateLimiterName) => Store) | undefined;
}
