import type { MemoryPaymentStore } from "../../src/memory/memory-store.js";
import type { PaymentGateway } from "../../src/ports/payment-gateway.js";
import type { PaymentStore } from "../../src/ports/payment-store.js";
import type { SimulatedGateway } from "../../src/simulated/index.js";

/*
 * What the harnesses accept to run the kit against a changed adapter: only the function that wraps the real one.
 * The harnesses are the real adapters' kit harnesses first; the mutation check (kit-mutations/) builds on these
 * types, never the other way round, so the harness does not depend on the check.
 */

/**
 * A wrapped store that keeps state of its own (a lease it pretends to hold, the ids it saw) clears it when the kit
 * resets the store before each case, as the inner store clears its own.
 */
export interface MutatedStore {
  store: PaymentStore;
  reset(): void;
}

/** Wraps the real memory store the harness made; the kit then drives what it returns. */
export interface StoreMutation {
  mutate(inner: MemoryPaymentStore): PaymentStore | MutatedStore;
}

/** What a gateway wrapper may use besides the inner gateway: the webhook secret it was configured with. */
export interface GatewayMutationContext {
  webhookSecret: string;
}

/** Wraps the real simulated gateway the harness made; the kit then drives what it returns. */
export interface GatewayMutation {
  mutate(inner: SimulatedGateway, context: GatewayMutationContext): PaymentGateway;
}
