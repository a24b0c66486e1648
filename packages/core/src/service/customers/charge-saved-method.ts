import type { SavedPaymentMethod } from "../../domain/customer.js";
import type { Payment } from "../../domain/payment.js";
import { PaymentError } from "../../errors/index.js";
import type { GatewayPayment } from "../../ports/payment-gateway.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";
import type { ApplyContext } from "../apply-gateway-result.js";
import type { GatewayCall } from "../gateway-call.js";
import { loadLiveCustomer, storeCustomer } from "./load-customer.js";

/*
 * Charging a saved method, and saving one while paying: what create and confirm add for a customer's saved methods.
 * A payment names our saved method (`spm_…`) and our customer; the provider is sent its own token and customer.
 */

function notFound(what: string, id: string): PaymentError {
  return new PaymentError("not_found", `${what} ${id} not found`, { details: { [what === "customer" ? "customerId" : "paymentMethodId"]: id } });
}

/**
 * What an off-session payment is created with: the owner's live customer, its active saved method (the one named,
 * else its default) and that method's provider. A customer of another owner is answered as one that does not exist.
 */
export async function resolveSavedCharge(
  tx: PaymentStoreTx,
  request: { owner: string; customerId: string | undefined; paymentMethodId: string | undefined; provider: string | undefined },
): Promise<{ customerId: string; method: SavedPaymentMethod }> {
  if (request.customerId === undefined) {
    throw new PaymentError("validation_error", "an off-session payment names the customer whose saved method it charges: pass customerId", {
      details: { field: "customerId" },
    });
  }
  const customer = await loadLiveCustomer(tx, request.customerId);
  if (customer.owner !== request.owner) throw notFound("customer", request.customerId);
  const methodId = request.paymentMethodId ?? customer.defaultPaymentMethodId;
  if (methodId === null) {
    throw new PaymentError("validation_error", `customer ${customer.id} has no default payment method: pass paymentMethodId`, { details: { field: "paymentMethodId" } });
  }
  const method = await tx.getSavedPaymentMethod(methodId);
  if (!method || method.customerId !== customer.id) throw notFound("payment method", methodId);
  assertChargeable(method);
  if (request.provider !== undefined && request.provider !== method.provider) {
    throw new PaymentError("validation_error", `payment method ${method.id} is saved at ${method.provider}, not ${request.provider}`, { details: { field: "provider" } });
  }
  return { customerId: customer.id, method };
}

function assertChargeable(method: SavedPaymentMethod): void {
  if (method.status !== "active" || method.providerPaymentMethodId === null) {
    throw new PaymentError("invalid_state_transition", `payment method ${method.id} is ${method.status}; only an active one can be charged`, {
      details: { paymentMethodId: method.id, status: method.status },
    });
  }
}

/**
 * The saved method a payment names, or null when it names a provider token. A saved method is charged only for its
 * own customer, and only when that customer is the payment owner's: any other is answered as one that does not exist,
 * whatever customer id the payment was created with.
 */
export async function savedMethodOf(tx: PaymentStoreTx, payment: Payment, paymentMethodId: string | null): Promise<SavedPaymentMethod | null> {
  // A payment without a customer charges no saved method (any id it names goes to the provider as a token, which
  // refuses one of ours), and a charge pays no look-up for it: the common path keeps its round trips.
  if (paymentMethodId === null || payment.customerId === null) return null;
  const method = await tx.getSavedPaymentMethod(paymentMethodId);
  if (method === null) return null;
  const customer = method.customerId === payment.customerId ? await tx.getCustomer(method.customerId) : null;
  if (customer === null || customer.owner !== payment.owner) throw notFound("payment method", paymentMethodId);
  return method;
}

/**
 * What a confirm's provider call gains for a saved method charged (its token, its provider customer, off-session as
 * the payment says) or for a method saved while paying (the provider's customer, if it has one yet).
 */
export async function savedMethodCallFields(
  tx: PaymentStoreTx,
  payment: Payment,
  saved: SavedPaymentMethod | null,
  savePaymentMethod: boolean,
): Promise<Partial<Extract<GatewayCall, { op: "create" }>>> {
  if (saved !== null) {
    assertChargeable(saved);
    const customer = await loadLiveCustomer(tx, saved.customerId);
    return {
      paymentMethodId: saved.providerPaymentMethodId,
      providerCustomerId: customer.providerCustomerIds[saved.provider] ?? null,
      offSession: payment.offSession,
    };
  }
  if (!savePaymentMethod) return {};
  if (payment.customerId === null) {
    throw new PaymentError("validation_error", "saving the payment method needs the payment's customer: create it with customerId", { details: { field: "savePaymentMethod" } });
  }
  const customer = await loadLiveCustomer(tx, payment.customerId);
  if (customer.owner !== payment.owner) throw notFound("customer", payment.customerId);
  return { savePaymentMethod: true, providerCustomerId: customer.providerCustomerIds[payment.provider] ?? null };
}

/**
 * Phase 3 of a confirm that saved its method: the provider's token becomes an active saved method of the payment's
 * customer (its default if it had none), and the provider's customer is recorded. A provider that charged but did
 * not save (it may refuse to vault) saves nothing; the payment stands.
 */
export async function recordMethodSavedWithPayment(tx: PaymentStoreTx, payment: Payment, reported: GatewayPayment, ctx: ApplyContext): Promise<void> {
  if (!reported.savedMethod || payment.customerId === null) return;
  // The money moved: nothing here may fail the settle. A customer that is gone, or not the owner's, keeps nothing.
  let customer = await tx.getCustomer(payment.customerId);
  if (customer === null || customer.owner !== payment.owner) return;
  if (reported.providerCustomerId && customer.providerCustomerIds[payment.provider] !== reported.providerCustomerId) {
    customer = await storeCustomer(tx, customer, { providerCustomerIds: { ...customer.providerCustomerIds, [payment.provider]: reported.providerCustomerId } }, ctx.at);
  }
  const { providerPaymentMethodId, type, brand, last4, expMonth, expYear } = reported.savedMethod;
  const method: SavedPaymentMethod = {
    id: ctx.newId("spm"),
    customerId: customer.id,
    owner: customer.owner,
    provider: payment.provider,
    // Deleted while the charge was at the provider: kept only so that a detach removes it there.
    status: customer.deletedAt === null ? "active" : "detaching",
    type,
    brand,
    last4,
    expMonth,
    expYear,
    providerPaymentMethodId,
    providerSetupId: null,
    nextAction: null,
    lastError: null,
    createdAt: ctx.at,
    updatedAt: ctx.at,
    version: 1,
  };
  await tx.insertSavedPaymentMethod(method);
  if (customer.defaultPaymentMethodId === null && customer.deletedAt === null) await storeCustomer(tx, customer, { defaultPaymentMethodId: method.id }, ctx.at);
}
