import type { TestContext } from "vitest";
import type { GatewayCapabilities, PaymentGateway } from "../../ports/payment-gateway.js";
import type { GatewayHarness } from "../harness.js";
import type { GatewayContractTest } from "./case-table.js";
import type { CaseBody } from "../case.js";

/** Registers the case `key` with `body`; an adapter's own skip (`options.skip`) wins, with its reason. */
export type DefineCase = (key: GatewayContractTest, body: CaseBody) => void;

/**
 * What a case sees of the gateway under test. The getters are read inside a test body, after the suite's setup ran:
 * cases are registered when the suite is collected, before any harness exists (so before any capability is known).
 */
export interface GatewayUnderTest {
  readonly harness: GatewayHarness;
  readonly gateway: PaymentGateway;
  readonly capabilities: GatewayCapabilities;
  /** The amount most cases charge, in minor units of the harness currency. */
  readonly amount: number;
}

/** Skips the running case with `reason` when there is one (a capability the gateway does not declare, say). */
export function skipWhen(context: TestContext, reason: string | null): void {
  if (reason !== null) context.skip(reason);
}
