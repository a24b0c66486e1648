import { z } from "zod";
import type { Customer, SavedPaymentMethod } from "../../domain/customer.js";
import { PaymentError, type PaymentErrorBody, isDeclineCode } from "../../errors/index.js";
import { gatewayKeyFor } from "../../idempotency/keys.js";
import type { GatewaySetup } from "../../ports/payment-gateway.js";
import type { PaymentStoreTx, StoredOutcome } from "../../ports/payment-store.js";
import { acceptableString } from "../../validation/text-schema.js";
import type { ApplyContext } from "../apply-gateway-result.js";
import { savingGateway } from "../gateway-call.js";
import { paymentMethodIdSchema, redirectUrl } from "../operations/input-fields.js";
import type { CallOf, OperationContext, OperationDeps, SettleStep } from "../operations/operation.js";
import { parseInput } from "../operations/parse-input.js";
import { refusalOutcome } from "../operations/settle-payment-answer.js";
import { loadCustomer, loadLiveCustomer, loadSavedMethod, storeCustomer, storeSavedMethod } from "./load-customer.js";

/*
 * Save a payment method without charging it, three-phase like a confirm: phase 1 stores the method `pending` and
 * names the provider call (Stripe: a SetupIntent for off-session use; PayPal: a vault setup token); phase 2 asks
 * the provider; phase 3 records its answer — active with the card's brand, last four and expiry, `requires_action`
 * when the bank wants the customer to authenticate the saving (then `confirmSavedPaymentMethod` continues it), or
 * failed. What is kept is the provider's token, never a card number.
 */

export const savePaymentMethodSchema = z
  .object({
    provider: acceptableString({ min: 1, max: 50, refuseCardNumbers: "identifier" }).optional(),
    /** The front end's token for the method (`pm_…` from Stripe.js); absent where the provider collects it. */
    paymentMethodId: paymentMethodIdSchema.optional(),
    returnUrl: redirectUrl.optional(),
  })
  .strict();
export type SavePaymentMethodInput = z.input<typeof savePaymentMethodSchema>;

export const confirmSavedPaymentMethodSchema = z.object({}).strict();

export interface SavedPaymentMethodResult {
  paymentMethod: SavedPaymentMethod;
  replayed: boolean;
}

export async function savePaymentMethod(
  deps: OperationDeps,
  customerId: string,
  input: SavePaymentMethodInput,
  ctx: OperationContext,
): Promise<SavedPaymentMethodResult> {
  const parsed = parseInput(savePaymentMethodSchema, input);
  const provider = parsed.provider ?? deps.defaultProvider;
  const gateway = deps.gatewayFor(provider);
  // Refused before anything is stored: a provider that cannot save, a token it would refuse.
  savingGateway(gateway);
  if (parsed.paymentMethodId !== undefined) {
    const refused = gateway.checkPaymentMethod?.(parsed.paymentMethodId) ?? null;
    if (refused) throw refused;
  } else if (gateway.capabilities.paymentMethodRequired) {
    throw new PaymentError("validation_error", `${provider} needs a payment method to save: pass paymentMethodId`, { details: { field: "paymentMethodId" } });
  }
  const result = await deps.run<{ paymentMethod: SavedPaymentMethod }>("payment_method.save", { customerId, provider, ...parsed }, ctx, async (tx) => {
    const customer = await loadLiveCustomer(tx, customerId);
    const at = deps.now().toISOString();
    const method: SavedPaymentMethod = {
      id: deps.newId("spm"),
      customerId: customer.id,
      owner: customer.owner,
      provider,
      status: "pending",
      type: "card",
      brand: null,
      last4: null,
      expMonth: null,
      expYear: null,
      providerPaymentMethodId: null,
      providerSetupId: null,
      nextAction: null,
      lastError: null,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await tx.insertSavedPaymentMethod(method);
    return {
      kind: "gateway",
      paymentId: method.id,
      gatewayKey: gatewayKeyFor(method.id, "setup"),
      call: {
        op: "setup",
        paymentId: method.id,
        provider,
        customerId: customer.id,
        providerCustomerId: customer.providerCustomerIds[provider] ?? null,
        customerEmail: customer.email,
        customerName: customer.name,
        paymentMethodId: parsed.paymentMethodId ?? null,
        returnUrl: parsed.returnUrl ?? null,
      },
    };
  });
  return { paymentMethod: result.value.paymentMethod, replayed: result.replayed };
}

/** Continues saving a method in `requires_action` after the customer authenticated at their bank. */
export async function confirmSavedPaymentMethod(deps: OperationDeps, methodId: string, ctx: OperationContext): Promise<SavedPaymentMethodResult> {
  const result = await deps.run<{ paymentMethod: SavedPaymentMethod }>("payment_method.confirm", { methodId }, ctx, async (tx) => {
    const method = await loadSavedMethod(tx, methodId);
    if (method.status !== "requires_action" || method.providerSetupId === null) {
      throw new PaymentError("invalid_state_transition", `payment method ${methodId} is ${method.status}, not waiting for the customer`, {
        details: { paymentMethodId: methodId, status: method.status },
      });
    }
    const customer = await loadLiveCustomer(tx, method.customerId);
    const providerCustomerId = customer.providerCustomerIds[method.provider];
    if (providerCustomerId === undefined) throw new PaymentError("internal", `customer ${customer.id} has no ${method.provider} customer for a setup in progress`);
    const moved = await storeSavedMethod(tx, method, { status: "pending", nextAction: null }, deps.now().toISOString());
    return {
      kind: "gateway",
      paymentId: method.id,
      gatewayKey: gatewayKeyFor(method.id, "resume_setup", String(moved.version)),
      call: { op: "resume_setup", paymentId: method.id, provider: method.provider, providerSetupId: method.providerSetupId, providerCustomerId },
    };
  });
  return { paymentMethod: result.value.paymentMethod, replayed: result.replayed };
}

/** The answer to a setup the bank declined: its card code, else `card_declined`. */
function declineBody(method: SavedPaymentMethod): PaymentErrorBody {
  const failure = method.lastError;
  const body: PaymentErrorBody = {
    code: failure && isDeclineCode(failure.code) ? failure.code : "card_declined",
    message: failure?.message ?? "the bank refused to save this payment method",
    details: { paymentMethodId: method.id },
  };
  if (failure?.declineCode !== undefined) body.declineCode = failure.declineCode;
  return body;
}

/** The provider's customer the setup made (or used), recorded on our customer the first time. */
async function recordProviderCustomer(tx: PaymentStoreTx, customer: Customer, provider: string, providerCustomerId: string, at: string): Promise<Customer> {
  if (customer.providerCustomerIds[provider] === providerCustomerId) return customer;
  return storeCustomer(tx, customer, { providerCustomerIds: { ...customer.providerCustomerIds, [provider]: providerCustomerId } }, at);
}

/** The method's fields as the provider's setup object reports it. */
function fieldsOf(setup: GatewaySetup): Partial<SavedPaymentMethod> {
  const common = { providerSetupId: setup.providerSetupId };
  switch (setup.status) {
    case "succeeded": {
      if (!setup.method) throw new PaymentError("internal", "the provider reported a saved method without its token");
      const { providerPaymentMethodId, type, brand, last4, expMonth, expYear } = setup.method;
      return { ...common, status: "active", providerPaymentMethodId, type, brand, last4, expMonth, expYear, nextAction: null, lastError: null };
    }
    case "requires_action":
      return { ...common, status: "requires_action", nextAction: setup.nextAction ?? null };
    case "processing":
      return { ...common, status: "pending", nextAction: null };
    case "failed":
      return { ...common, status: "failed", nextAction: null, lastError: setup.failure ?? { code: "card_declined", message: "the bank refused to save this payment method" } };
  }
}

/**
 * Phase 3 of a setup or its resume. A refusal fails the method (a resume refused as an invalid request leaves it
 * waiting for the customer); an answer records the provider's customer on ours and the method as the provider
 * reports it; the first method a customer saves becomes their default.
 */
export const settleSetup: SettleStep<CallOf<"setup" | "resume_setup">> = async (tx, call, result, ctx: ApplyContext): Promise<StoredOutcome> => {
  const method = await loadSavedMethod(tx, call.paymentId);
  if (result.kind === "rejected") {
    if (call.op === "resume_setup" && result.answer === "invalid_request") {
      await storeSavedMethod(tx, method, { status: "requires_action" }, ctx.at);
    } else if (method.status === "pending") {
      await storeSavedMethod(tx, method, { status: "failed", lastError: { code: result.error.code, message: result.error.message, declineCode: result.error.declineCode } }, ctx.at);
    }
    return refusalOutcome(result.error, method.id);
  }
  if (result.kind !== "setup") throw new PaymentError("internal", "gateway answered a setup call with another object");
  let customer = await loadCustomer(tx, method.customerId);
  customer = await recordProviderCustomer(tx, customer, method.provider, result.setup.providerCustomerId, ctx.at);
  const fields = fieldsOf(result.setup);
  // Detached (or its customer deleted) while this save was at the provider: the card the provider saved is never
  // chargeable here, and stays `detaching` with its token so the next detach removes it there too.
  const withdrawn = method.status === "detaching" || method.status === "detached" || customer.deletedAt !== null;
  if (withdrawn && fields.status !== "failed") {
    fields.status = fields.providerPaymentMethodId ? "detaching" : "detached";
    fields.nextAction = null;
  }
  const saved = await storeSavedMethod(tx, method, fields, ctx.at);
  if (saved.status === "active" && customer.defaultPaymentMethodId === null && customer.deletedAt === null) {
    await storeCustomer(tx, customer, { defaultPaymentMethodId: saved.id }, ctx.at);
  }
  if (saved.status === "failed") return { ok: false, error: declineBody(saved) };
  return { ok: true, value: { paymentMethod: saved } };
};

