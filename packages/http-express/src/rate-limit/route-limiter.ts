import type { Request } from "express";
import type { RateLimiterName } from "./rate-limit-options.js";

/**
 * Which limiter counts a request, read from the matched route (the limiter runs inside the route, so
 * `req.route` is set): creating and confirming have their own budgets, webhooks theirs, other POSTs and PATCHes
 * share `write`, everything else `read`.
 */
export function routeLimiterOf(req: Request): Exclude<RateLimiterName, "authFailures"> {
  const path = req.route?.path ? String(req.route.path) : "";
  if (req.method === "PATCH") return "write";
  if (req.method !== "POST") return "read";
  if (path === "/payments") return "create";
  if (path === "/payments/:id/confirm") return "confirm";
  if (path === "/webhooks/:provider") return "webhook";
  return "write";
}
