import type { Request } from "express";
import type { RateLimiterName } from "./rate-limit-options.js";

/**
 * Which limiter counts a request, read from the matched route (the limiter runs inside the route, so
 * `req.route` is set): creating (a payment, a customer) and confirming have their own budgets — saving a payment
 * method and finishing its save count as confirming, since each sends a card to the provider — webhooks theirs,
 * other POSTs, PATCHes and DELETEs share `write`, everything else `read`.
 */
export function routeLimiterOf(req: Request): Exclude<RateLimiterName, "authFailures"> {
  const path = req.route?.path ? String(req.route.path) : "";
  if (req.method === "PATCH" || req.method === "DELETE") return "write";
  if (req.method !== "POST") return "read";
  if (path === "/payments" || path === "/customers") return "create";
  if (path === "/payments/:id/confirm" || path === "/customers/:id/payment-methods" || path === "/customers/:id/payment-methods/:methodId/confirm") return "confirm";
  if (path === "/webhooks/:provider") return "webhook";
  return "write";
}
