import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import type { GatewayHarness } from "../harness.js";
import { caseRegistrar } from "../register-cases.js";
import { SkipReport } from "../skip-report.js";
import { GATEWAY_CONTRACT_TESTS, type GatewayContractOptions } from "./case-table.js";
import type { GatewayUnderTest } from "./contract-case.js";
import { defineCurrencyExponentCases } from "./currency-exponent-cases.js";
import { defineIdempotencyCases } from "./idempotency-cases.js";
import { defineListTransactionsCases } from "./list-transactions-cases.js";
import { defineMinimumAmountCases } from "./minimum-amount-cases.js";
import { definePaymentCases } from "./payment-cases.js";
import { defineProviderFaultCases } from "./provider-fault-cases.js";
import { defineRefundCases } from "./refund-cases.js";
import { defineWebhookSignatureCases } from "./webhook-signature-cases.js";

export { GATEWAY_CONTRACT_TESTS } from "./case-table.js";
export type { GatewayContractOptions, GatewayContractTest } from "./case-table.js";
export { drivePayment } from "./drive-payment.js";

/**
 * The conformance suite every `PaymentGateway` runs against its provider's local fake, over real HTTP. What applies
 * is read from the gateway's declared capabilities (a case that cannot apply is skipped with the reason printed); an
 * adapter skips anything else only by key, with its reason, in `options.skip`.
 */
export function describeGatewayContract(name: string, setup: () => Promise<GatewayHarness>, options: GatewayContractOptions = {}): void {
  describe(`PaymentGateway contract: ${name}`, () => {
    let harness: GatewayHarness | undefined;
    const running = (): GatewayHarness => {
      if (!harness) throw new Error("the gateway contract's setup did not produce a harness");
      return harness;
    };
    const subject: GatewayUnderTest = {
      get harness() {
        return running();
      },
      get gateway() {
        return running().gateway;
      },
      get capabilities() {
        return running().gateway.capabilities;
      },
      amount: options.amount ?? 2000,
    };

    const skips = new SkipReport(`PaymentGateway contract: ${name}`);
    beforeAll(async () => {
      harness = await setup();
    });
    afterAll(async () => {
      skips.print();
      await harness?.dispose?.();
    });
    beforeEach(async () => {
      await harness?.reset?.();
    });

    const { define, assertEveryRuleHasACase } = caseRegistrar("gateway contract", GATEWAY_CONTRACT_TESTS, options.skip, skips);

    definePaymentCases(define, subject);
    defineRefundCases(define, subject);
    defineIdempotencyCases(define, subject);
    defineListTransactionsCases(define, subject);
    defineProviderFaultCases(define, subject);
    defineWebhookSignatureCases(define, subject);
    defineMinimumAmountCases(define, subject);
    defineCurrencyExponentCases(define, subject);
    assertEveryRuleHasACase();
  });
}
