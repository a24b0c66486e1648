import type { Store } from "express-rate-limit";
import { type RedisReply, RedisStore } from "rate-limit-redis";
import { DEFAULT_REDIS_RATE_LIMIT_PREFIX, type RateLimiterName, type RedisRateLimitOptions } from "./rate-limit-options.js";

/**
 * A new Redis store per limiter, under the limiter's own prefix: two limiters never share counters, and
 * express-rate-limit's one-store-per-limiter rule (ERR_ERL_STORE_REUSE) holds however many limiters there are.
 */
export function redisRateLimitStores(options: RedisRateLimitOptions): (limiter: RateLimiterName) => Store {
  const prefix = options.prefix ?? DEFAULT_REDIS_RATE_LIMIT_PREFIX;
  // Redis replies to the store's own scripts with what RedisReply describes; clients type replies more loosely.
  const sendCommand = (...args: string[]) => options.sendCommand(...args) as Promise<RedisReply>;
  return (limiter) => new RedisStore({ sendCommand, prefix: `${prefix}${limiter}:` });
}
