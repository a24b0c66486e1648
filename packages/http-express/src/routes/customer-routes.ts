import { type CreateCustomerInput, type CustomerFilter, PaymentError, type PaymentService, type SavePaymentMethodInput, type UpdateCustomerInput, parseInput, validationErrorOf } from "@org/payments-core";
import type { Request, Router } from "express";
import { bodyObject } from "../http/command-body.js";
import { parseCursor, parseQuery } from "../http/parse-query.js";
import { sendJson, sendOutcome } from "../http/render.js";
import { idempotencyKeyOf, principalOf } from "../http/request-context.js";
import { confirmSavedPaymentMethodBody, listCustomersQuery } from "../schemas.js";
import { actingOwner } from "./acting-owner.js";
import { createCustomerAccess } from "./customer-access.js";
import type { RouteDeps } from "./route-deps.js";

/**
 * Customers and their saved payment methods, as the design names the routes, plus one it does not:
 * `POST /customers/:id/payment-methods/:methodId/confirm`. Saving a card can be challenged by the bank like a
 * payment can (3-D Secure on the SetupIntent): the method is then `requires_action`, the customer authenticates
 * in the browser, and something must tell us to ask the provider again and record the outcome. A confirm route,
 * like the payments' own, keeps that a named, idempotent step rather than a side effect of a read.
 *
 * The body is read by core's own schemas inside the service (every refusal word for word the service's); the
 * routes decide only who may act and for which owner.
 */
export function mountCustomerRoutes(router: Router, deps: RouteDeps): void {
  const { options, authorize, json, requireAuth, limit } = deps;
  const service: PaymentService = options.service;
  const { allow, visibleCustomer, visibleMethod } = createCustomerAccess(service, authorize);

  function context(req: Request) {
    const principal = principalOf(req);
    return { scope: principal.sub, idempotencyKey: idempotencyKeyOf(req), actor: principal.sub };
  }

  router.post("/customers", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    await allow("customer.create", req);
    const body = bodyObject(req);
    const owner = await actingOwner(req, body, authorize);
    const result = await service.createCustomer({ ...body, owner } as CreateCustomerInput, ctx);
    sendOutcome(res, 201, result.value, result.replayed);
  });

  router.get("/customers", requireAuth, limit, async (req, res) => {
    const principal = principalOf(req);
    const query = parseQuery(listCustomersQuery, req.query);
    const seesAll = await authorize("customer.list_all", principal);
    const actsForOwners = !seesAll && (await authorize("owner.act_for", principal));
    if (actsForOwners && query.owner === undefined) {
      throw validationErrorOf("query", [{ path: "owner", message: "is required for a service token: name the owner it acts for" }]);
    }
    if (!seesAll && !actsForOwners && query.owner !== undefined && query.owner !== principal.sub) {
      throw new PaymentError("forbidden", "listing another owner's customers needs the admin role");
    }
    const filter: CustomerFilter = {
      owner: seesAll || actsForOwners ? query.owner : principal.sub,
      email: query.email,
      deleted: query.deleted,
    };
    const page = await service.listCustomers(filter, { limit: query.limit ?? 50, cursor: parseCursor(query.cursor) });
    sendJson(res, 200, { data: page.items, nextCursor: page.nextCursor });
  });

  router.get("/customers/:id", requireAuth, limit, async (req, res) => {
    sendJson(res, 200, await visibleCustomer(req, "customer.read"));
  });

  // Merge-patch semantics for metadata (a key set to null is removed); null clears email, name or the default.
  router.patch("/customers/:id", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const customer = await visibleCustomer(req, "customer.update");
    const result = await service.updateCustomer(customer.id, bodyObject(req) as UpdateCustomerInput, ctx);
    sendOutcome(res, 200, result.value, result.replayed);
  });

  // Detaches every saved method at its provider, then marks the customer deleted; the record stays.
  router.delete("/customers/:id", requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const customer = await visibleCustomer(req, "customer.delete");
    const result = await service.deleteCustomer(customer.id, ctx);
    sendOutcome(res, 200, result.customer, result.replayed);
  });

  router.post("/customers/:id/payment-methods", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const customer = await visibleCustomer(req, "payment_method.save");
    const result = await service.savePaymentMethod(customer.id, bodyObject(req) as SavePaymentMethodInput, ctx);
    sendOutcome(res, 201, result.paymentMethod, result.replayed);
  });

  router.get("/customers/:id/payment-methods", requireAuth, limit, async (req, res) => {
    const customer = await visibleCustomer(req, "payment_method.read");
    sendJson(res, 200, { data: await service.listSavedPaymentMethods(customer.id) });
  });

  router.delete("/customers/:id/payment-methods/:methodId", requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const { method } = await visibleMethod(req, "payment_method.detach");
    const result = await service.detachPaymentMethod(method.id, ctx);
    sendOutcome(res, 200, result.paymentMethod, result.replayed);
  });

  // After the bank's challenge on a save (the method is requires_action): ask the provider again, record the outcome.
  router.post("/customers/:id/payment-methods/:methodId/confirm", json, requireAuth, limit, async (req, res) => {
    const ctx = context(req);
    const { method } = await visibleMethod(req, "payment_method.confirm");
    parseInput(confirmSavedPaymentMethodBody, bodyObject(req)); // unknown fields are refused, as on every command
    const result = await service.confirmSavedPaymentMethod(method.id, ctx);
    sendOutcome(res, 200, result.paymentMethod, result.replayed);
  });
}
