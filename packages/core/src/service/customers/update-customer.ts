import { z } from "zod";
import type { Customer } from "../../domain/customer.js";
import { PaymentError } from "../../errors/index.js";
import { shortText } from "../operations/input-fields.js";
import { patchedRecord } from "../operations/record-patch.js";
import type { OperationContext, OperationDeps, Replayable } from "../operations/operation.js";
import { parseInput } from "../operations/parse-input.js";
import { customerEmail, customerName } from "./create-customer.js";
import { loadLiveCustomer, loadSavedMethod, storeCustomer } from "./load-customer.js";

/*
 * Update a customer: email, name, metadata (a JSON merge patch: a key set to null is removed) and the default saved
 * method (one of its own active methods). A request that changes nothing stores nothing.
 */

export const updateCustomerSchema = z
  .object({
    email: customerEmail.nullable().optional(),
    name: customerName.nullable().optional(),
    metadata: z.record(z.string(), z.string().nullable()).optional(),
    defaultPaymentMethodId: shortText.nullable().optional(),
  })
  .strict();
export type UpdateCustomerInput = z.input<typeof updateCustomerSchema>;

export async function updateCustomer(deps: OperationDeps, customerId: string, input: UpdateCustomerInput, ctx: OperationContext): Promise<Replayable<Customer>> {
  const parsed = parseInput(updateCustomerSchema, input);
  const result = await deps.run<{ customer: Customer }>("customer.update", { customerId, ...parsed }, ctx, async (tx) => {
    const customer = await loadLiveCustomer(tx, customerId);
    const changes: Partial<Customer> = {};
    if (parsed.email !== undefined && parsed.email !== customer.email) changes.email = parsed.email;
    if (parsed.name !== undefined && parsed.name !== customer.name) changes.name = parsed.name;
    if (parsed.metadata !== undefined) {
      const next = patchedRecord("metadata", customer.metadata, parsed.metadata);
      if (JSON.stringify(next) !== JSON.stringify(customer.metadata)) changes.metadata = next;
    }
    if (parsed.defaultPaymentMethodId !== undefined && parsed.defaultPaymentMethodId !== customer.defaultPaymentMethodId) {
      if (parsed.defaultPaymentMethodId !== null) {
        const method = await loadSavedMethod(tx, parsed.defaultPaymentMethodId);
        if (method.customerId !== customer.id) throw new PaymentError("not_found", `payment method ${method.id} not found`, { details: { paymentMethodId: method.id } });
        if (method.status !== "active") {
          throw new PaymentError("invalid_state_transition", `payment method ${method.id} is ${method.status}; only an active one can be the default`, {
            details: { paymentMethodId: method.id, status: method.status },
          });
        }
      }
      changes.defaultPaymentMethodId = parsed.defaultPaymentMethodId;
    }
    if (Object.keys(changes).length === 0) return { kind: "done", paymentId: null, value: { customer } };
    const stored = await storeCustomer(tx, customer, changes, deps.now().toISOString());
    return { kind: "done", paymentId: null, value: { customer: stored } };
  });
  return { value: result.value.customer, replayed: result.replayed };
}
