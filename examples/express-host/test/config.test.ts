import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, parseTrustProxy } from "../src/config.js";

const VARIABLES = ["PAYMENTS_RATE_LIMIT_CREATE", "PAYMENTS_RATE_LIMIT_AUTH_FAILURES", "PAYMENTS_RATE_LIMIT_WINDOW_MS", "PAYMENTS_TRUST_PROXY", "PAYMENTS_REDIS_URL", "PAYMENTS_JWT_SECRET"];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

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

  it("reads a limit per limiter and refuses one that is not a positive whole number", () => {
    for (const name of VARIABLES) delete process.env[name];
    // A secret of its own, so loading the config writes no development secret file.
    process.env.PAYMENTS_JWT_SECRET = "config-test-secret-long-enough-for-hs256";
    process.env.PAYMENTS_RATE_LIMIT_CREATE = "20";
    process.env.PAYMENTS_RATE_LIMIT_AUTH_FAILURES = "5";
    process.env.PAYMENTS_REDIS_URL = "redis://127.0.0.1:6379";
    const config = loadConfig();
    expect(config.rateLimit.limits).toEqual({ create: 20, authFailures: 5 });
    expect(config.rateLimit.windowMs).toBeUndefined();
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
    for (const bad of ["0", "-3", "1.5", "ten"]) {
      process.env.PAYMENTS_RATE_LIMIT_WINDOW_MS = bad;
      expect(() => loadConfig(), bad).toThrow(/PAYMENTS_RATE_LIMIT_WINDOW_MS must be a positive whole number/);
    }
  });
});
