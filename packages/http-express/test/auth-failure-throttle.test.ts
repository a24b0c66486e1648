import { describe, expect, it } from "vitest";
import { call, startServer, token } from "./server-harness.js";

describe("failed-authentication throttle", () => {
  it("counts failures only: many concurrent honest requests from one address are never refused as failures", async () => {
    const server = await startServer("sqlite", { rateLimit: { limits: { authFailures: 2 } } });
    try {
      const tokens = await Promise.all(Array.from({ length: 12 }, (_, i) => token(`concurrent-${i}`)));
      const statuses = await Promise.all(tokens.map((value) => call(server, "GET", "/payments", { token: value }).then((r) => r.status)));
      expect(statuses).toEqual(tokens.map(() => 200));
      // The failures themselves still count: two are answered, the third is throttled.
      const failures = [];
      for (let i = 0; i < 3; i++) failures.push((await call(server, "GET", "/payments", { token: "forged" })).status);
      expect(failures).toEqual([401, 401, 429]);
    } finally {
      await server.close();
    }
  });

  it("refuses an address over the limit before verifying its token, with the time left in Retry-After", async () => {
    const server = await startServer("sqlite", { rateLimit: { limits: { authFailures: 1 }, windowMs: 120_000 } });
    try {
      expect((await call(server, "GET", "/payments", { token: "forged" })).status).toBe(401);
      const refused = await call(server, "GET", "/payments", { token: await token("valid-but-same-address") });
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe("rate_limited");
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(120);
    } finally {
      await server.close();
    }
  });
});
