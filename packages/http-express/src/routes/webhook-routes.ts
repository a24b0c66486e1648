import { PaymentError } from "@org/payments-core";
import express, { type Router } from "express";
import { sendError, sendJson } from "../http/render.js";
import { requestIdOf } from "../http/request-context.js";
import type { RouteDeps } from "./route-deps.js";

export const MOUNT_ORDER_HINT =
  "the webhook body arrived already parsed, so its signature cannot be checked: mount the payments router before any " +
  "app-wide body parser, e.g. app.use('/payments-api', createPaymentsRouter(...)) before app.use(express.json())";

/**
 * Provider webhooks: raw bytes (signatures cover the exact bytes), no JWT, verified by the provider's gateway
 * adapter, stored in the inbox and applied once per provider event id. The 200 goes out only after
 * `handleWebhook` returned, i.e. after the event's insert committed: whatever applying it then did (even `failed`,
 * which the inbox sweep retries) the event is safe. A throw before that — a bad signature, a store that could not
 * store it — answers 4xx/5xx so that the provider delivers it again.
 */
export function mountWebhookRoutes(router: Router, deps: RouteDeps): void {
  const { options, limit, log, metrics } = deps;
  const raw = express.raw({ type: () => true, limit: "1mb" });
  router.post("/webhooks/:provider", raw, limit, async (req, res) => {
    const provider = String(req.params.provider);
    if (!options.service.providers.includes(provider)) {
      // Not repeated: the path segment is the caller's.
      throw new PaymentError("not_found", "no provider of this name is configured", { details: { providers: options.service.providers } });
    }
    if (!Buffer.isBuffer(req.body)) {
      // Loud on purpose: silently accepting would mean verifying nothing. The hint is ours, so the 500 may say it.
      log.error({ requestId: requestIdOf(req), provider }, MOUNT_ORDER_HINT);
      sendError(res, new PaymentError("internal", MOUNT_ORDER_HINT), { publicMessage: MOUNT_ORDER_HINT });
      return;
    }
    // Timed like the payment operations: verifying, storing and applying a provider event is one operation.
    const stop = metrics.operationDuration.startTimer({ operation: "webhook" });
    const result = await options.service.handleWebhook(provider, req.body, req.headers).catch((error: unknown) => {
      stop({ outcome: error instanceof PaymentError ? error.code : "internal" });
      throw error;
    });
    stop({ outcome: "ok" });
    sendJson(res, 200, { received: true, status: result.status, eventId: result.eventId });
  });
}
