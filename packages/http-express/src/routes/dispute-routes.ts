import { type DisputeFilter, type PaymentService, parseInstant } from "@org/payments-core";
import type { Router } from "express";
import { parseCursor, parseQuery, parseWindow } from "../http/parse-query.js";
import { disputeIdParam } from "../http/path-params.js";
import { sendJson } from "../http/render.js";
import { listDisputesQuery } from "../schemas.js";
import { createPaymentAccess } from "./payment-access.js";
import type { RouteDeps } from "./route-deps.js";

/**
 * Disputes as the design names their routes: a payment's own disputes for whoever may read the payment (its
 * owner, an admin), and the operator's queue across payments for admins only. Reads only: a dispute is the
 * provider's to move, and reaches us by webhook or reconcile.
 */
export function mountDisputeRoutes(router: Router, deps: RouteDeps): void {
  const { options, authorize, requireAuth, limit } = deps;
  const service: PaymentService = options.service;
  const { allow, visiblePayment } = createPaymentAccess(service, authorize);

  // Scoped like GET /payments/:id/refunds: another owner's payment is as missing as none (404, never 403).
  router.get("/payments/:id/disputes", requireAuth, limit, async (req, res) => {
    const payment = await visiblePayment(req, "dispute.read");
    sendJson(res, 200, { data: await service.listPaymentDisputes(payment.id) });
  });

  // The queue spans every owner's payments, so it is refused before anything is read, whatever the query says.
  router.get("/disputes", requireAuth, limit, async (req, res) => {
    await allow("dispute.read_all", req);
    const query = parseQuery(listDisputesQuery, req.query);
    const opened = parseWindow(query.openedFrom, query.openedTo, { from: "openedFrom", to: "openedTo" });
    const filter: DisputeFilter = {
      status: query.status,
      provider: query.provider,
      paymentId: query.paymentId,
      currency: query.currency,
      openedFrom: opened.from,
      openedTo: opened.to,
      evidenceDueBefore: query.evidenceDueBefore === undefined ? undefined : parseInstant(query.evidenceDueBefore, "evidenceDueBefore").toISOString(),
    };
    const page = await service.listDisputes(filter, { limit: query.limit ?? 50, cursor: parseCursor(query.cursor) });
    sendJson(res, 200, { data: page.items, nextCursor: page.nextCursor });
  });

  router.get("/disputes/:id", requireAuth, limit, async (req, res) => {
    await allow("dispute.read_all", req);
    sendJson(res, 200, await service.getDispute(disputeIdParam(req)));
  });
}
