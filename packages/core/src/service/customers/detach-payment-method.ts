import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import type { PaymentStoreTx } from "../../ports/payment-store.js";
import { savingGateway } from "../gateway-call.js";
import type { CallOf, OperationContext, OperationDeps, PhaseOneResult, SettleStep } from "../operations/operation.js";
import { refusalOutcome } from "../operations/settle-payment-answer.js";
import type { SavedPaymentMethodResult } from "./save-payment-method.js";
import { loadCustomer, loadSavedMethod, storeCustomer, storeSavedMethod } from "./load-customer.js";

/*
 * Detach a saved method. It is detached here first, in phase 1 — from then on no charge can use it, whatever the
 * provider answers — and then removed at the provider (phase 2), which a retry or recovery re-sends until it is
 * done: a method already gone at the provider is not an error. A method the provider never saved (pending, failed)
 * has nothing to remove there.
 */

/** Phase 1 of a detach: the method detached (and no longer the default), and the provider call, if any. */
export async function claimDetach(tx: PaymentStoreTx, method: SavedPaymentMethod, at: string): Promise<PhaseOneResult> {
  if (method.status === "detached") return { kind: "done", paymentId: method.id, value: { paymentMethod: method } };
  const detached = await storeSavedMethod(tx, method, { status: "detached", nextAction: null }, at);
  const customer = await loadCustomer(tx, method.customerId);
  if (customer.defaultPaymentMethodId === method.id) await storeCustomer(tx, customer, { defaultPaymentMethodId: null }, at);
  if (method.providerPaymentMethodId === null) return { kind: "done", paymentId: method.id, value: { paymentMethod: detached } };
  return {
    kind: "gateway",
    paymentId: method.id,
    gatewayKey: gatewayKeyFor(method.id, "detach"),
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

/** Phase 3 of a detach: the method is already detached here; a refusal is reported, the provider's removal kept. */
export const settleDetach: SettleStep<CallOf<"detach">> = async (tx, call, result) => {
  const method = await loadSavedMethod(tx, call.paymentId);
  if (result.kind === "rejected") {
    // Already gone at the provider: that is what a detach wants.
    if (result.error.code !== "not_found") return refusalOutcome(result.error, method.id);
  }
  return { ok: true, value: { paymentMethod: method } };
};

/**
 * Deletes a customer: each saved method still at the provider is detached there first (each its own detach, under a
 * key derived from this request's, so a retry resumes where it stopped), then the customer is marked deleted with
 * every method it had detached here. The record stays — payments name it — and takes no new method or charge; a save
 * that races the deletion and settles after it is detached when it settles (save-payment-method.ts).
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
    const at = deps.now().toISOString();
    for (const listed of methods) {
      const method = await loadSavedMethod(tx, listed.id);
      if (method.status !== "detached") await storeSavedMethod(tx, method, { status: "detached", nextAction: null }, at);
    }
    const deleted = await storeCustomer(tx, customer, { deletedAt: at, defaultPaymentMethodId: null }, at);
    return { kind: "done", paymentId: null, value: { customer: deleted } };
  });
  return { customer: result.value.customer, replayed: result.replayed };
}
