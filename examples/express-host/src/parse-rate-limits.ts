import { RATE_LIMITERS, type RateLimiterName } from "@org/payments-express";

/**
 * PAYMENTS_RATE_LIMITS: requests per window for each named limiter, comma-separated `name=count`, e.g.
 * `create=60,confirm=60,write=300,read=300,webhook=600,authFailures=300`; a limiter left out keeps the router's
 * default. An unknown name or a count that is not a positive whole number is refused: a misspelt limiter would
 * otherwise leave its route at the default without anyone noticing.
 */
export function parseRateLimits(name: string, text: string | undefined): Partial<Record<RateLimiterName, number>> {
  const limits: Partial<Record<RateLimiterName, number>> = {};
  if (text === undefined) return limits;
  for (const entry of text.split(",")) {
    const [limiter = "", count, ...rest] = entry.split("=").map((part) => part.trim());
    if (!(RATE_LIMITERS as readonly string[]).includes(limiter)) {
      throw new Error(`${name}: unknown limiter ${JSON.stringify(limiter)} (known: ${RATE_LIMITERS.join(", ")})`);
    }
    if (count === undefined || rest.length > 0 || !/^[1-9]\d*$/.test(count) || !Number.isSafeInteger(Number(count))) {
      throw new Error(`${name}: ${limiter} needs a positive whole number, as in ${limiter}=60, got ${JSON.stringify(entry.trim())}`);
    }
    if (limits[limiter as RateLimiterName] !== undefined) throw new Error(`${name}: ${limiter} is given twice`);
    limits[limiter as RateLimiterName] = Number(count);
  }
  return limits;
}
