import { z } from "zod";
import type { Customer } from "../../domain/customer.js";
import { acceptableString } from "../../validation/text-schema.js";
import { metadata, shortText } from "../operations/input-fields.js";
import type { OperationContext, OperationDeps, Replayable } from "../operations/operation.js";
import { parseInput } from "../operations/parse-input.js";

/*
 * Create a customer: a record of ours only. The provider's own customer is made when a provider first needs one
 * (saving a method), so a customer costs no provider call until then.
 */

export const customerName = acceptableString({ min: 1, max: 200, refuseCardNumbers: true });
export const customerEmail = acceptableString({ max: 254, refuseCardNumbers: "identifier" }).pipe(z.email());

export const createCustomerSchema = z
  .object({
    owner: shortText,
    email: customerEmail.optional(),
    name: customerName.optional(),
    metadata: metadata.optional(),
  })
  .strict();
export type CreateCustomerInput = z.input<typeof createCustomerSchema>;

export async function createCustomer(deps: OperationDeps, input: CreateCustomerInput, ctx: OperationContext): Promise<Replayable<Customer>> {
  const parsed = parseInput(createCustomerSchema, input);
  const result = await deps.run<{ customer: Customer }>("customer.create", parsed, ctx, async (tx) => {
    const at = deps.now().toISOString();
    const customer: Customer = {
      id: deps.newId("cus"),
      owner: parsed.owner,
      email: parsed.email ?? null,
      name: parsed.name ?? null,
      metadata: parsed.metadata ?? {},
      providerCustomerIds: {},
      defaultPaymentMethodId: null,
      deletedAt: null,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await tx.insertCustomer(customer);
    return { kind: "done", paymentId: null, value: { customer } };
  });
  return { value: result.value.customer, replayed: result.replayed };
}
