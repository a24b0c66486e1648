import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, parseTrustProxy } from "../src/config.js";
import { parseDuration } from "../src/parse-duration.js";
import { parseRateLimits } from "../src/parse-rate-limits.js";

const VARIABLES = [
  "PAYMENTS_RATE_LIMITS",
  "PAYMENTS_RATE_LIMIT_WINDOW_MS",
  "PAYMENTS_TRUST_PROXY",
  "PAYMENTS_SERVICE_CLAIM",
  "PAYMENTS_REDIS_URL",
  "PAYMENTS_JWT_SECRET",
  "PAYMENTS_IDEMPOTENCY_TTL",
  "PAYMENTS_RETENTION_IDEMPOTENCY",
  "PAYMENTS_RETENTION_OUTBOX",
  "PAYMENTS_RETENTION_WEBHOOKS",
  "PAYMENTS_GATEWAY_MAX_ATTEMPTS",
  "PAYMENTS_GATEWAY_MAX_AGE",
  "PAYMENTS_RECEIPT_LINK_SECRET",
  "PAYMENTS_MERCHANT_NAME",
  "PAYMENTS_MERCHANT_ADDRESS",
  "PAYMENTS_LOCALE",
  "PAYMENTS_TIME_ZONE",
];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

beforeEach(() => {
  for (const name of VARIABLES) delete process.env[name];
  // A secret of its own, so loading the config writes no development secret file.
  process.env.PAYMENTS_JWT_SECRET = "config-test-secret-long-enough-for-hs256";
});

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe("the host's fleet settings from the environment", () => {
  it("reads PAYMENTS_TRUST_PROXY as Express reads `trust proxy`", () => {
    expect(parseTrustProxy(undefined)).toBeUndefined();
    expect(parseTrustProxy("1")).toBe(1);
    expect(parseTrustProxy("true")).toBe(true);
    expect(parseTrustProxy("false")).toBe(false);
    expect(parseTrustProxy("loopback, 10.0.0.0/8")).toBe("loopback, 10.0.0.0/8");
  });

  it("passes PAYMENTS_SERVICE_CLAIM to the router as its service claim, and leaves the router's default when unset", () => {
    expect(loadConfig().serviceClaim).toBeUndefined();
    process.env.PAYMENTS_SERVICE_CLAIM = "fleet_service";
    expect(loadConfig().serviceClaim).toBe("fleet_service");
  });

  it("reads PAYMENTS_RATE_LIMITS as name=count per limiter", () => {
    process.env.PAYMENTS_RATE_LIMITS = "create=20, authFailures=5";
    process.env.PAYMENTS_REDIS_URL = "redis://127.0.0.1:6379";
    const config = loadConfig();
    expect(config.rateLimit.limits).toEqual({ create: 20, authFailures: 5 });
    expect(config.rateLimit.windowMs).toBeUndefined();
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(parseRateLimits("X", "create=60,confirm=60,write=300,read=300,webhook=600,authFailures=300")).toEqual({
      create: 60,
      confirm: 60,
      write: 300,
      read: 300,
      webhook: 600,
      authFailures: 300,
    });
  });

  it("refuses an unknown limiter, a bad count or a limiter given twice, naming the variable", () => {
    for (const [bad, message] of [
      ["creates=20", /PAYMENTS_RATE_LIMITS: unknown limiter "creates"/],
      ["webhooks=600", /unknown limiter "webhooks"/],
      ["create", /create needs a positive whole number/],
      ["create=0", /create needs a positive whole number/],
      ["create=1.5", /create needs a positive whole number/],
      ["create=-3", /create needs a positive whole number/],
      ["create=ten", /create needs a positive whole number/],
      ["create=1=2", /create needs a positive whole number/],
      ["create=1,create=2", /create is given twice/],
      ["create=1,", /unknown limiter ""/],
    ] as const) {
      process.env.PAYMENTS_RATE_LIMITS = bad;
      expect(() => loadConfig(), bad).toThrow(message);
    }
  });

  it("refuses a window that is not a positive whole number", () => {
    for (const bad of ["0", "-3", "1.5", "ten"]) {
      process.env.PAYMENTS_RATE_LIMIT_WINDOW_MS = bad;
      expect(() => loadConfig(), bad).toThrow(/PAYMENTS_RATE_LIMIT_WINDOW_MS must be a positive whole number/);
    }
  });
});

describe("durations", () => {
  it("reads 30s, 5m, 24h and 7d as milliseconds", () => {
    expect(parseDuration("X", undefined)).toBeUndefined();
    expect(parseDuration("X", "30s")).toBe(30_000);
    expect(parseDuration("X", "5m")).toBe(300_000);
    expect(parseDuration("X", "24h")).toBe(86_400_000);
    expect(parseDuration("X", "7d")).toBe(604_800_000);
  });

  it("refuses anything else, naming the variable", () => {
    for (const bad of ["30", "0s", "1.5h", "-5m", "5 minutes", "5M", "h", "99999999999999999d"]) {
      expect(() => parseDuration("PAYMENTS_GATEWAY_MAX_AGE", bad), bad).toThrow(/^PAYMENTS_GATEWAY_MAX_AGE must be a duration/);
    }
  });
});

describe("the service's and retention's settings from the environment", () => {
  it("leaves every one to the library's defaults when unset", () => {
    const config = loadConfig();
    expect(config.idempotencyTtlMs).toBeUndefined();
    expect(config.retention).toEqual({ deliveredEventsMs: undefined, processedWebhooksMs: undefined });
    expect(config.gatewayRetryPolicy).toStrictEqual({});
    expect(config.receipts).toEqual({ locale: undefined, timeZone: undefined, merchant: undefined, linkSecrets: undefined });
  });

  it("reads the idempotency TTL, retention and the gateway attempt policy", () => {
    process.env.PAYMENTS_IDEMPOTENCY_TTL = "48h";
    process.env.PAYMENTS_RETENTION_OUTBOX = "2d";
    process.env.PAYMENTS_RETENTION_WEBHOOKS = "14d";
    process.env.PAYMENTS_GATEWAY_MAX_ATTEMPTS = "5";
    process.env.PAYMENTS_GATEWAY_MAX_AGE = "12h";
    const config = loadConfig();
    expect(config.idempotencyTtlMs).toBe(48 * 3_600_000);
    expect(config.retention).toEqual({ deliveredEventsMs: 2 * 86_400_000, processedWebhooksMs: 14 * 86_400_000 });
    expect(config.gatewayRetryPolicy).toEqual({ maxAttempts: 5, maxAgeMs: 12 * 3_600_000 });
  });

  it("takes PAYMENTS_RETENTION_IDEMPOTENCY as the TTL itself, and refuses the two names disagreeing", () => {
    process.env.PAYMENTS_RETENTION_IDEMPOTENCY = "2d";
    expect(loadConfig().idempotencyTtlMs).toBe(2 * 86_400_000);
    process.env.PAYMENTS_IDEMPOTENCY_TTL = "48h";
    expect(loadConfig().idempotencyTtlMs).toBe(2 * 86_400_000);
    process.env.PAYMENTS_IDEMPOTENCY_TTL = "24h";
    expect(() => loadConfig()).toThrow(/PAYMENTS_IDEMPOTENCY_TTL and PAYMENTS_RETENTION_IDEMPOTENCY are one setting/);
  });

  it("refuses a bad duration or count naming its variable, and webhooks kept less than 3 days", () => {
    for (const [name, bad, message] of [
      ["PAYMENTS_IDEMPOTENCY_TTL", "24", /^PAYMENTS_IDEMPOTENCY_TTL must be a duration/],
      ["PAYMENTS_RETENTION_IDEMPOTENCY", "1w", /^PAYMENTS_RETENTION_IDEMPOTENCY must be a duration/],
      ["PAYMENTS_RETENTION_OUTBOX", "7 days", /^PAYMENTS_RETENTION_OUTBOX must be a duration/],
      ["PAYMENTS_RETENTION_WEBHOOKS", "0d", /^PAYMENTS_RETENTION_WEBHOOKS must be a duration/],
      ["PAYMENTS_RETENTION_WEBHOOKS", "71h", /^PAYMENTS_RETENTION_WEBHOOKS must be at least 3d/],
      ["PAYMENTS_GATEWAY_MAX_AGE", "1.5h", /^PAYMENTS_GATEWAY_MAX_AGE must be a duration/],
      ["PAYMENTS_GATEWAY_MAX_ATTEMPTS", "0", /^PAYMENTS_GATEWAY_MAX_ATTEMPTS must be a positive whole number/],
    ] as const) {
      process.env[name] = bad;
      expect(() => loadConfig(), `${name}=${bad}`).toThrow(message);
      delete process.env[name];
    }
    process.env.PAYMENTS_RETENTION_WEBHOOKS = "72h";
    expect(loadConfig().retention.processedWebhooksMs).toBe(3 * 86_400_000);
  });
});

describe("receipt settings from the environment", () => {
  it("reads the merchant, its address lines, locale, time zone and link secrets", () => {
    process.env.PAYMENTS_MERCHANT_NAME = "Rides GmbH";
    process.env.PAYMENTS_MERCHANT_ADDRESS = "Unter den Linden 1; 10117 Berlin";
    process.env.PAYMENTS_LOCALE = "de-DE";
    process.env.PAYMENTS_TIME_ZONE = "Europe/Berlin";
    process.env.PAYMENTS_RECEIPT_LINK_SECRET = `${"n".repeat(32)},${"o".repeat(32)}`;
    expect(loadConfig().receipts).toEqual({
      locale: "de-DE",
      timeZone: "Europe/Berlin",
      merchant: { name: "Rides GmbH", address: ["Unter den Linden 1", "10117 Berlin"] },
      linkSecrets: ["n".repeat(32), "o".repeat(32)],
    });
  });

  it("refuses a bad locale, time zone, short secret or an address without a name, never echoing the secret", () => {
    for (const [name, bad, message] of [
      ["PAYMENTS_LOCALE", "en_US!", /^PAYMENTS_LOCALE must be a BCP 47 locale/],
      ["PAYMENTS_TIME_ZONE", "Mars/Olympus", /^PAYMENTS_TIME_ZONE must be an IANA time zone/],
      ["PAYMENTS_MERCHANT_ADDRESS", "1 Main St", /^PAYMENTS_MERCHANT_ADDRESS is set but PAYMENTS_MERCHANT_NAME is not/],
      ["PAYMENTS_RECEIPT_LINK_SECRET", `${"k".repeat(32)},too-short-secret`, /^PAYMENTS_RECEIPT_LINK_SECRET: every secret must be at least 32 bytes$/],
    ] as const) {
      process.env[name] = bad;
      expect(() => loadConfig(), `${name}=${bad}`).toThrow(message);
      delete process.env[name];
    }
  });
});
