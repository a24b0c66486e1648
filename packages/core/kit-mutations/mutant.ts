import type { MemoryPaymentStore } from "../src/memory/memory-store.js";
import type { PaymentGateway } from "../src/ports/payment-gateway.js";
import type { PaymentStore } from "../src/ports/payment-store.js";
import type { SimulatedGateway } from "../src/simulated/index.js";
import type { GatewayContractTest, StoreContractTest } from "../src/testing/index.js";
import type { GatewayMutationContext, MutatedStore } from "../test/harnesses/harness-mutation.js";

// The wrapper shapes the harnesses accept are declared beside them: the harness must not depend on this check.
export type { MutatedStore, GatewayMutationContext } from "../test/harnesses/harness-mutation.js";

/** The real memory store with exactly one rule of the port broken, and the kit cases that must notice. */
export interface StoreMutant {
  id: string;
  /** The rule broken, in the words of the port. */
  breaks: string;
  /** The store kit cases that guard this rule: at least one of them must fail, or the kit has a gap. */
  mustFail: readonly StoreContractTest[];
  /**
   * Why the kit does not guard this rule yet, when it does not: the mutant may then survive without failing the
   * check (it is listed as a known gap), and the check fails once a case catches it, to pin that case instead.
   */
  knownGap?: string;
  mutate(inner: MemoryPaymentStore): PaymentStore | MutatedStore;
}


/** The real simulated gateway with exactly one rule of the port broken, and the kit cases that must notice. */
export interface GatewayMutant {
  id: string;
  breaks: string;
  mustFail: readonly GatewayContractTest[];
  /**
   * Why the kit does not guard this rule yet, when it does not: the mutant may then survive without failing the
   * check (it is listed as a known gap), and the check fails once a case catches it, to pin that case instead.
   */
  knownGap?: string;
  mutate(inner: SimulatedGateway, context: GatewayMutationContext): PaymentGateway;
}
