import { PaymentError, type PaymentService, configurationError, renderReceiptHtml } from "@org/payments-core";
import type { Request, RequestHandler, Response, Router } from "express";
import { canSee } from "../authorization.js";
import { sendJson } from "../http/render.js";
import { principalOf } from "../http/request-context.js";
import { paymentIdParam } from "../http/path-params.js";
import { loggedPath } from "../logging/logged-path.js";
import { type ReceiptLinkFailure, receiptLinkFailureStatus, renderReceiptLinkFailurePage } from "./receipt-error-page.js";
import { createReceiptLinkSigner } from "./receipt-link-signer.js";
import { createReceiptPresenter } from "./receipt-presenter.js";
import type { RouteDeps } from "./route-deps.js";

/** Where the public pages live under the router's mount path: the token is the one path segment after it. */
export const RECEIPT_LINK_PATH = "/receipts";

/** A JWT this long is not one of ours; refusing it early keeps the verifier from parsing megabytes. */
const MAX_TOKEN_LENGTH = 2048;

function publicBase(url: string | undefined): string | null {
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configurationError("receipts.links.publicBaseUrl must be an absolute http(s) URL");
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw configurationError("receipts.links.publicBaseUrl must be an http(s) URL without credentials, query or fragment");
  }
  return parsed.href.replace(/\/+$/, "");
}

/**
 * The receipt page a customer opens in a browser: the token in the URL replaces the bearer token, so the page
 * must hold nothing but the receipt, leak the link to no one (no referrer, not cached, not indexed) and run nothing.
 */
function sendPage(res: Response, status: number, html: string): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Robots-Tag", "noindex, nofollow");
  res.status(status).type("text/html; charset=utf-8").send(html);
}

function sendFailure(res: Response, failure: ReceiptLinkFailure): void {
  sendPage(res, receiptLinkFailureStatus(failure), renderReceiptLinkFailurePage(failure));
}

/**
 * The router's limiter, answering a browser in kind: its refusal (a JSON 429 written by the limiter) becomes the
 * "too many attempts" page, keeping the limiter's Retry-After and RateLimit headers.
 */
function limitAsPage(limit: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const send = res.send.bind(res);
    res.send = ((body: unknown) => {
      res.send = send;
      if (res.statusCode !== 429) return send(body);
      sendFailure(res, "rate_limited");
      return res;
    }) as Response["send"];
    limit(req, res, (error?: unknown) => {
      res.send = send;
      next(error);
    });
  };
}

/**
 * POST /payments/:id/receipt-link mints a signed, expiring link to the payment's HTML receipt for its owner (or
 * an admin); GET /receipts/:token shows that receipt to whoever holds the link, with no bearer token. Both
 * exist only when `receipts.links` is configured.
 */
export function mountReceiptLinkRoutes(router: Router, deps: RouteDeps): void {
  const links = deps.options.receipts?.links;
  if (!links) return;
  const service: PaymentService = deps.options.service;
  const signer = createReceiptLinkSigner(links, { bearerSecret: deps.options.jwt?.secret });
  const base = publicBase(links.publicBaseUrl);
  const present = createReceiptPresenter(deps.options.receipts);

  router.post("/payments/:id/receipt-link", deps.json, deps.requireAuth, deps.limit, async (req: Request, res: Response) => {
    const body: unknown = req.body;
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body) || Object.keys(body).length > 0)) {
      throw new PaymentError("validation_error", "the request body must be empty or {}");
    }
    const id = paymentIdParam(req);
    const payment = await service.getPayment(id);
    if (!canSee(principalOf(req), payment)) throw new PaymentError("not_found", `payment ${id} not found`, { details: { paymentId: id } });
    if (!(await deps.authorize("receipt.read", principalOf(req), payment))) throw new PaymentError("forbidden", "not allowed to read this receipt");
    // A link to a receipt that does not exist yet would open on an error page: refuse to mint it (404).
    await service.getReceipt(payment.id);
    const { token, expiresAt } = await signer.mint(payment.id);
    const link = `${RECEIPT_LINK_PATH}/${token}`;
    sendJson(res, 201, { path: `${req.baseUrl}${link}`, url: base === null ? null : `${base}${link}`, expiresAt });
  });

  // A link cut off before its token (an e-mail client wrapping it, a hand-copied prefix) is told so, as a page.
  router.get(RECEIPT_LINK_PATH, limitAsPage(deps.limit), (_req: Request, res: Response) => sendFailure(res, "missing"));

  router.get(`${RECEIPT_LINK_PATH}/:token`, limitAsPage(deps.limit), async (req: Request, res: Response) => {
    const token = req.params.token;
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return sendFailure(res, "invalid");
    try {
      const opened = await signer.open(token);
      if (!opened.ok) return sendFailure(res, opened.reason);
      const payment = await service.getPayment(opened.paymentId);
      const receipt = await service.getReceipt(payment.id);
      sendPage(res, 200, renderReceiptHtml(receipt, await present(payment)));
    } catch (error) {
      if (error instanceof PaymentError && error.code === "not_found") return sendFailure(res, "not_found");
      deps.log.error({ err: error, method: req.method, path: loggedPath(req.path) }, "receipt link failed");
      sendFailure(res, "internal");
    }
  });
}
