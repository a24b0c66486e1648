import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";
import { savingGateway } from "../gateway-call.js";
import type { CallOf, OperationContext, OperationDeps, PhaseOneResult, SettleStep } from "../operations/operation.js";
import { refusalOutcome } from "../operations/settle-payment-answer.js";
import type { SavedPaymentMethodResult } from "./save-payment-method.js";
import { loadCustomer, loadSavedMethod, storeCustomer, storeSavedMethod } from "./load-customer.js";

/*
 * Detach a saved method. Phase 1 makes it `detaching` — from then on no charge can use it, whatever the provider
 * answers — and stops it being the default; phase 2 removes it at the provider; phase 3 makes it `detached`. A
 * provider that refuses leaves it `detaching`, and every later detach (a new request) sends again, so a method
 * never stays at the provider unseen. A method the provider never saved has nothing to remove there.
 */

/** Phase 1 of a detach: the method no longer chargeable (nor the default), and the provider call, if it is needed. */
export async function claimDetach(tx: PaymentStoreTx, method: SavedPaymentMethod, at: string): Promise<PhaseOneResult> {
  if (method.status === "detached") return { kind: "done", paymentId: method.id, value: { paymentMethod: method } };
  const atProvider = method.providerPaymentMethodId !== null;
  const moved = await storeSavedMethod(tx, method, { status: atProvider ? "detaching" : "detached", nextAction: null }, at);
  const customer = await loadCustomer(tx, method.customerId);
  if (customer.defaultPaymentMethodId === method.id) await storeCustomer(tx, customer, { defaultPaymentMethodId: null }, at);
  if (method.providerPaymentMethodId === null) return { kind: "done", paymentId: method.id, value: { paymentMethod: moved } };
  return {
    kind: "gateway",
    paymentId: method.id,
    // One key per send: a refused detach is sent again by the next request, never answered from the last one.
    gatewayKey: gatewayKeyFor(method.id, "detach", String(moved.version)),
    call: {
      op: "detach",
      paymentId: method.id,
      provider: method.provider,
      providerPaymentMethodId: method.providerPaymentMethodId,
      providerCustomerId: customer.providerCustomerIds[method.provider] ?? null,
    },
  };
}

export async function detachPaymentMethod(deps: OperationDeps, methodId: string, ctx: OperationContext): Promise<SavedPaymentMethodResult> {
  const result = await deps.run<{ paymentMethod: SavedPaymentMethod }>("payment_method.detach", { methodId }, ctx, async (tx) => {
    const method = await loadSavedMethod(tx, methodId);
    savingGateway(deps.gatewayFor(method.provider));
    return claimDetach(tx, method, deps.now().toISOString());
  });
  return { paymentMethod: result.value.paymentMethod, replayed: result.replayed };
}

/** Phase 3 of a detach: `detached` once the provider removed it (or never had it); a refusal leaves it `detaching`. */
export const settleDetach: SettleStep<CallOf<"detach">> = async (tx, call, result, ctx) => {
  const method = await loadSavedMethod(tx, call.paymentId);
  // Already gone at the provider is what a detach wants.
  if (result.kind === "rejected" && result.error.code !== "not_found") return refusalOutcome(result.error, method.id);
  const detached = method.status === "detaching" ? await storeSavedMethod(tx, method, { status: "detached" }, ctx.at) : method;
  return { ok: true, value: { paymentMethod: detached } };
};

/**
 * Deletes a customer: each saved method not yet `detached` is detached at its provider first (each its own detach,
 * under a key derived from this request's, so a retry resumes where it stopped; a provider refusing one stops the
 * deletion with that refusal), then the customer is marked deleted. The record stays — payments name it — and takes
 * no new method or charge; a save that races the deletion settles `detaching` (save-payment-method.ts).
 */
export async function deleteCustomer(
  deps: OperationDeps,
  customerId: string,
  ctx: OperationContext,
  listMethods: (customerId: string) => Promise<SavedPaymentMethod[]>,
): Promise<{ customer: Customer; replayed: boolean }> {
  const methods = await listMethods(customerId);
  for (const method of methods) {
    if (method.status === "detached") continue;
    await detachPaymentMethod(deps, method.id, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:detach:${method.id}` });
  }
  const result = await deps.run<{ customer: Customer }>("customer.delete", { customerId }, ctx, async (tx) => {
    const customer = await loadCustomer(tx, customerId);
    if (customer.deletedAt !== null) return { kind: "done", paymentId: null, value: { customer } };
    const deleted = await storeCustomer(tx, customer, { deletedAt: deps.now().toISOString(), defaultPaymentMethodId: null }, deps.now().toISOString());
    return { kind: "done", paymentId: null, value: { customer: deleted } };
  });
  return { customer: result.value.customer, replayed: result.replayed };
}
