import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMITS } from "../src/index.js";
import { call, startServer, token } from "./server-harness.js";

describe("per-route rate limits", () => {
  it("by default, creating is limited tighter than reading: the 61st create in a minute is refused, reads go on", async () => {
    const server = await startServer("sqlite", { rateLimit: undefined });
    try {
      const alice = await token("alice-limits");
      const creates: number[] = [];
      for (let i = 0; i < DEFAULT_RATE_LIMITS.create; i++) {
        creates.push((await call(server, "POST", "/payments", { token: alice, key: `c${i}`, body: { amount: 100, currency: "USD" } })).status);
      }
      expect(creates.every((status) => status === 201)).toBe(true);
      const refused = await call(server, "POST", "/payments", { token: alice, key: "one-more", body: { amount: 100, currency: "USD" } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(refused.headers.get("ratelimit-policy")).toContain('"create"');
      expect((await call(server, "GET", "/payments?limit=1", { token: alice })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("counts confirmations in their own budget, apart from creates and other writes", async () => {
    const server = await startServer("sqlite", { rateLimit: { limits: { confirm: 1, create: 5 } } });
    try {
      const alice = await token("alice-confirms");
      const ids: string[] = [];
      for (const key of ["p1", "p2", "p3"]) ids.push((await call(server, "POST", "/payments", { token: alice, key, body: { amount: 100, currency: "USD" } })).json.id);
      const confirm = (id: string, key: string) => call(server, "POST", `/payments/${id}/confirm`, { token: alice, key, body: { paymentMethodId: "pm_card_visa" } });
      expect((await confirm(ids[0]!, "k1")).status).toBe(200);
      expect((await confirm(ids[1]!, "k2")).status).toBe(429);
      // A cancel is an ordinary write: the spent confirm budget does not touch it.
      expect((await call(server, "POST", `/payments/${ids[2]}/cancel`, { token: alice, key: "k3", body: {} })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
