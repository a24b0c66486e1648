import { type Dispute, type PaymentService, type PaymentStore, isPaymentError } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { LOOKUP_PROVIDERS } from "./payment-by-any-id.js";

function notFound(id: string, provider: string | undefined): CliError {
  return new CliError(
    "not_found",
    `dispute ${id}${provider === undefined ? "" : ` of ${provider}`} not found`,
    EXIT.notFound,
    "check the id with `payments-cli disputes list`",
  );
}

/**
 * The dispute `id` names: with `provider`, that provider's id of it; else ours (`dp_…`), then any shipped
 * provider's. The fallback matters because Stripe's dispute ids start with `dp_` as ours do, so an operator pasting
 * one from the dashboard cannot tell them apart. The provider's ids are looked up through a transaction, the only
 * place the store port reads a dispute by its provider id; it writes nothing.
 */
export async function disputeByAnyId(service: PaymentService, store: PaymentStore, id: string, provider?: string): Promise<Dispute> {
  const byProvider = (providers: readonly string[]) =>
    store.transaction(async (tx) => {
      for (const candidate of providers) {
        const found = await tx.findDisputeByProviderId(candidate, id);
        if (found) return found;
      }
      return null;
    });
  if (provider !== undefined) return (await byProvider([provider])) ?? throwError(notFound(id, provider));
  try {
    return await service.getDispute(id);
  } catch (error) {
    if (!isPaymentError(error, "not_found")) throw error;
  }
  // Named by no one: the same answer as for an id of ours that does not exist.
  return (await byProvider(LOOKUP_PROVIDERS)) ?? throwError(notFound(id, undefined));
}

function throwError(error: Error): never {
  throw error;
}
