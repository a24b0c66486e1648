import { type CancelContext, PaymentError, type PaymentFilter, isPaymentError, type PaymentService, validationErrorOf } from "@org/payments-core";
import type { Request, Router } from "express";
import { canSee } from "../authorization.js";
import { bodyObject, createPaymentInput, refundPaymentInput, updatePaymentInput } from "../http/command-body.js";
import { sendJson, sendOutcome } from "../http/render.js";
import { idempotencyKeyOf, principalOf } from "../http/request-context.js";
import { parseCursor, parseMetadataEntry, parseQuery, parseReference, parseWindow } from "../http/parse-query.js";
import { providerIdParams } from "../http/path-params.js";
import { listPaymentsQuery, receiptQuery, statsQuery } from "../schemas.js";
import { renderReceipt } from "@org/payments-core";
import { actingOwner } from "./acting-owner.js";
import { createPaymentAccess } from "./payment-access.js";
import { createReceiptPresenter } from "./receipt-presenter.js";
import type { RouteDeps } from "./route-deps.js";

/** What PATCH /payments/:id may change without `payment.update_priced`: notes on the payment, not its price. */
const ANNOTATION_FIELDS: ReadonlySet<string> = new Set(["description", "metadata"]);

export function mountPaymentRoutes(router: Router, deps: RouteDeps): void {
  const { options, authorize, metrics, json, requireAuth, limit } = deps;
  const service: PaymentService = options.service;
  const presentReceipt = createReceiptPresenter(options.receipts);
  const { allow, visiblePayment } = createPaymentAccess(service, authorize);

  function context(req: Request) {
    const principal = principalOf(req);
    return { scope: principal.sub, idempotencyKey: idempotencyKeyOf(req), actor: principal.sub };
  }

  /** Counts and times outcomes and replays, so dashboards see declines, retries and slow paths without reading logs. */
  async function track<T extends { replayed: boolean }>(operation: string, run: () => Promise<T>, moved?: (r: T) => { amount: number; currency: string } | null): Promise<T> {
    const stop = metrics.operationDuration.startTimer({ operation });
    try {
      const result = await run();
      stop({ outcome: "ok" });
      metrics.operations.inc({ operation, outcome: "ok" });
      if (result.replayed) metrics.replays.inc({ operation });
      const amount = moved?.(result);
      if (amount && !result.replayed) metrics.amounts.inc({ operation, currency: amount.currency }, amount.amount);
      return result;
    } catch (error) {
      stop({ outcome: error instanceof PaymentError ? error.code : "internal" });
      if (error instanceof PaymentError) {
        metrics.operations.inc({ operation, outcome: error.code });
        if (error.replayed) metrics.replays.inc({ operation });
      }
      throw error;
    }
  }

  router.post("/payments", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    await allow("payment.create", req);
    const body = bodyObject(req);
    const owner = await actingOwner(req, body, authorize);
    // Charging a saved card without its holder is the host's decision, never the holder's token alone.
    if (body.offSession === true) await allow("payment.create_off_session", req);
    let input: Record<string, unknown> = { ...body, owner };
    if (options.resolveAmount) {
      const resolved = await options.resolveAmount(req, body);
      input =
        typeof resolved === "number"
          ? { ...input, amount: resolved }
          : {
              ...input,
              amount: resolved.amount,
              ...(resolved.currency ? { currency: resolved.currency } : {}),
              // Server-priced: the client's own lines could not be trusted to describe the server's price.
              lineItems: resolved.lineItems ?? [],
            };
    }
    const result = await track("create", async () => service.createPayment(createPaymentInput(input), ctx));
    sendOutcome(res, 201, result.payment, result.replayed);
  });

  router.get("/payments", requireAuth, limit, async (req, res) => {
    const principal = principalOf(req);
    const query = parseQuery(listPaymentsQuery, req.query);
    const seesAll = await authorize("payment.list_all", principal);
    const actsForOwners = !seesAll && (await authorize("owner.act_for", principal));
    // A service acts for one owner at a time: its list names that owner, as its creates do.
    if (actsForOwners && query.owner === undefined && query.providerPaymentId === undefined) {
      throw validationErrorOf("query", [{ path: "owner", message: "is required for a service token: name the owner it acts for" }]);
    }
    if (!seesAll && !actsForOwners && query.owner !== undefined && query.owner !== principal.sub) {
      throw new PaymentError("forbidden", "listing another owner's payments needs the admin role");
    }
    if (query.providerPaymentId !== undefined) {
      // The design's lookup by the provider's id, as a list: the one payment (or none), scoped to the caller like
      // every list. It is a lookup, not a filter, so it takes the provider and nothing else.
      const { provider, providerPaymentId, limit: _limit, ...others } = query;
      const extra = Object.keys(others).filter((name) => others[name as keyof typeof others] !== undefined);
      if (provider === undefined || extra.length > 0) {
        throw validationErrorOf("query", [
          { path: "providerPaymentId", message: provider === undefined ? "needs provider" : `takes only provider, not ${extra.join(", ")}` },
        ]);
      }
      const payment = await service.findPaymentByProviderId(provider, providerPaymentId).catch((error: unknown) => {
        if (isPaymentError(error, "not_found")) return null;
        throw error;
      });
      // Only where the caller may read it (its owner, or an admin: the authorization's own rule), as for GET /payments/:id.
      const visible = payment !== null && (await authorize("payment.read", principal, payment)) ? [payment] : [];
      sendJson(res, 200, { data: visible, nextCursor: null });
      return;
    }
    const window = parseWindow(query.from, query.to, { from: "from", to: "to" });
    const updated = parseWindow(query.updatedFrom, query.updatedTo, { from: "updatedFrom", to: "updatedTo" });
    if (query.amountMin !== undefined && query.amountMax !== undefined && query.amountMin > query.amountMax) {
      throw validationErrorOf("query", [{ path: "amountMin", message: "must not be above amountMax" }]);
    }
    const filter: PaymentFilter = {
      status: query.status,
      provider: query.provider,
      owner: seesAll || actsForOwners ? query.owner : principal.sub,
      createdFrom: window.from,
      createdTo: window.to,
      updatedFrom: updated.from,
      updatedTo: updated.to,
      reference: parseReference(query.reference),
      customerId: query.customerId,
      customerEmail: query.customerEmail,
      metadata: parseMetadataEntry(query.metadata),
      currency: query.currency,
      amountMin: query.amountMin,
      amountMax: query.amountMax,
      disputed: query.disputed,
    };
    const page = await service.listPayments(filter, { limit: query.limit ?? 50, cursor: parseCursor(query.cursor) });
    sendJson(res, 200, { data: page.items, nextCursor: page.nextCursor });
  });

  // A lookup by the provider's id (what support reads off Stripe's dashboard or a customer's PayPal receipt): one
  // payment or 404, scoped like GET /payments/:id, so another owner's payment is as missing as none.
  router.get("/payments/by-provider/:provider/:providerPaymentId", requireAuth, limit, async (req, res) => {
    const { provider, providerPaymentId } = providerIdParams(req);
    const payment = await service.findPaymentByProviderId(provider, providerPaymentId);
    if (!canSee(principalOf(req), payment)) {
      throw new PaymentError("not_found", `no ${provider} payment ${providerPaymentId}`, { details: { provider, providerPaymentId } });
    }
    await allow("payment.read", req, payment);
    sendJson(res, 200, payment);
  });

  router.get("/payments/:id", requireAuth, limit, async (req, res) => {
    sendJson(res, 200, await visiblePayment(req, "payment.read"));
  });

  // Merge-patch semantics for metadata and references (a key set to null is removed); admin by default.
  router.patch("/payments/:id", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const payment = await visiblePayment(req, "payment.update");
    const body = bodyObject(req);
    // Annotating (description, metadata) is the service role's; changing what is charged stays the admin's.
    if (Object.keys(body).some((field) => !ANNOTATION_FIELDS.has(field))) await allow("payment.update_priced", req, payment);
    const result = await track("update", async () => service.updatePayment(payment.id, updatePaymentInput(body), ctx));
    sendOutcome(res, 200, result.payment, result.replayed);
  });

  router.post("/payments/:id/confirm", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const payment = await visiblePayment(req, "payment.confirm");
    // The off-session charge itself is the host's; once the bank sent it back for authentication (requires_action)
    // the customer is here, on-session, and their own token finishes it. Decided on the status before the operation:
    // a retry of a confirm that ran finds the payment past pending and replays.
    if (payment.offSession && payment.status === "pending") await allow("payment.confirm_off_session", req, payment);
    const result = await track(
      "confirm",
      () => service.confirmPayment(payment.id, bodyObject(req), ctx),
      (r) => (r.payment.status === "succeeded" ? { amount: r.payment.amountCaptured, currency: r.payment.currency } : null),
    );
    sendOutcome(res, 200, result.payment, result.replayed);
  });

  router.post("/payments/:id/capture", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const payment = await visiblePayment(req, "payment.capture");
    const result = await track(
      "capture",
      () => service.capturePayment(payment.id, bodyObject(req), ctx),
      (r) => ({ amount: r.payment.amountCaptured, currency: r.payment.currency }),
    );
    sendOutcome(res, 200, result.payment, result.replayed);
  });

  router.post("/payments/:id/cancel", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const payment = await visiblePayment(req, "payment.cancel");
    if (payment.offSession) await allow("payment.cancel_off_session", req, payment);
    const cancelsAnything = await authorize("payment.cancel_authorized", principalOf(req), payment);
    // Decided inside the idempotent operation, so a retry replays the refusal instead of re-deciding it.
    const cancelContext: CancelContext = cancelsAnything ? ctx : { ...ctx, allowedStatuses: ["pending", "requires_action"] };
    const result = await track("cancel", () => service.cancelPayment(payment.id, bodyObject(req), cancelContext));
    sendOutcome(res, 200, result.payment, result.replayed);
  });

  router.post("/payments/:id/refunds", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const payment = await visiblePayment(req, "payment.refund");
    const result = await track(
      "refund",
      async () => service.refundPayment(payment.id, refundPaymentInput(bodyObject(req)), ctx),
      (r) => (r.refund.status === "succeeded" ? { amount: r.refund.amount, currency: r.refund.currency } : null),
    );
    if (!result.replayed) metrics.refunds.inc({ status: result.refund.status });
    sendOutcome(res, 201, { refund: result.refund, payment: result.payment }, result.replayed);
  });

  router.get("/payments/:id/refunds", requireAuth, limit, async (req, res) => {
    const payment = await visiblePayment(req, "refund.read");
    sendJson(res, 200, { data: await service.listRefunds(payment.id) });
  });

  router.get("/payments/:id/receipt", requireAuth, limit, async (req, res) => {
    const { format = "json" } = parseQuery(receiptQuery, req.query);
    const payment = await visiblePayment(req, "receipt.read");
    if (format === "json") {
      sendJson(res, 200, await service.getReceipt(payment.id));
      return;
    }
    const rendered = renderReceipt(await service.getReceipt(payment.id), format, await presentReceipt(payment));
    // The page is self-contained (inline styles, no scripts): forbid everything else, and content sniffing.
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (format === "html") res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.status(200).type(format === "html" ? "text/html; charset=utf-8" : "text/plain; charset=utf-8").send(rendered);
  });

  router.get("/stats", requireAuth, limit, async (req, res) => {
    const query = parseQuery(statsQuery, req.query);
    const window = parseWindow(query.since, query.until, { from: "since", to: "until" });
    await allow("stats.read", req);
    sendJson(res, 200, await service.stats({ createdFrom: window.from, createdTo: window.to }));
  });
}
