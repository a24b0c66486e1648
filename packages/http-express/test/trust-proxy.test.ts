import { describe, expect, it } from "vitest";
import type { PaymentsRouterOptions } from "../src/router-options.js";
import { call, startServer, token } from "./server-harness.js";

// The test client plays the proxy: every request reaches the router from 127.0.0.1, and X-Forwarded-For says
// which client the proxy forwarded it for (the proxy appends the address it saw to the right of the header).
const FORGER = "203.0.113.5";
const HONEST = "198.51.100.7";
const throttleAfterThree: PaymentsRouterOptions["rateLimit"] = { limits: { authFailures: 3 }, windowMs: 60_000 };

async function forgedTokensFrom(server: Awaited<ReturnType<typeof startServer>>, forwardedFor: (attempt: number) => string, attempts: number) {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    const result = await call(server, "GET", "/payments", { token: "forged.token.value", headers: { "x-forwarded-for": forwardedFor(attempt) } });
    statuses.push(result.status);
  }
  return statuses;
}

describe("failed-authentication throttling behind a proxy", () => {
  it("without trustProxy, every client behind the proxy shares the proxy's key: one forger locks out an honest user", async () => {
    const server = await startServer("sqlite", { rateLimit: throttleAfterThree });
    try {
      expect(await forgedTokensFrom(server, () => FORGER, 5)).toEqual([401, 401, 401, 429, 429]);
      const honest = await call(server, "GET", "/payments", { token: await token("honest-user"), headers: { "x-forwarded-for": HONEST } });
      expect(honest.status).toBe(429);
    } finally {
      await server.close();
    }
  });

  for (const trustProxy of ["loopback", 1] as const) {
    it(`with trustProxy ${JSON.stringify(trustProxy)}, 5 forged tokens from one client do not 429 an honest user from another`, async () => {
      const server = await startServer("sqlite", { rateLimit: throttleAfterThree, trustProxy });
      try {
        expect(await forgedTokensFrom(server, () => FORGER, 5)).toEqual([401, 401, 401, 429, 429]);
        const honest = await call(server, "GET", "/payments", { token: await token("honest-user"), headers: { "x-forwarded-for": HONEST } });
        expect(honest.status).toBe(200);
      } finally {
        await server.close();
      }
    });
  }

  it("with trustProxy, a client cannot escape its throttle by writing addresses of its own into X-Forwarded-For", async () => {
    const server = await startServer("sqlite", { rateLimit: throttleAfterThree, trustProxy: 1 });
    try {
      // What reaches the router when the client sent `X-Forwarded-For: 10.0.0.<n>` and the proxy appended its address.
      expect(await forgedTokensFrom(server, (attempt) => `10.0.0.${attempt}, ${FORGER}`, 5)).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await server.close();
    }
  });

  it("keys per-route limits of unauthenticated calls (webhooks) on the forwarded address too", async () => {
    const server = await startServer("sqlite", { rateLimit: { limits: { webhook: 2 } }, trustProxy: "loopback" });
    try {
      const webhook = (from: string) => call(server, "POST", "/webhooks/simulated", { rawBody: "{}", headers: { "x-forwarded-for": from } });
      expect((await webhook(FORGER)).status).toBe(400);
      expect((await webhook(FORGER)).status).toBe(400);
      expect((await webhook(FORGER)).status).toBe(429);
      expect((await webhook(HONEST)).status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
