import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import type { PaymentStore } from "../../ports/payment-store.js";
import type { StoreHarness } from "../harness.js";
import type { StoreUnderTest } from "./contract-case.js";
import { CUSTOMER_CASES, defineCustomerCases } from "./customers.js";
import { DISPUTE_CASES, defineDisputeCases } from "./disputes.js";
import { HOSTILE_TEXT_CASES, defineHostileTextCases } from "./hostile-text.js";
import { IDEMPOTENCY_CASES, defineIdempotencyCases } from "./idempotency.js";
import { LIST_CASES, defineListCases } from "./list-filters.js";
import { STORAGE_CASES, defineStorageCases } from "./migrations-and-limits.js";
import { OUTBOX_CASES, defineOutboxCases } from "./outbox.js";
import { PAYMENT_CASES, definePaymentCases } from "./payments.js";
import { RECEIPT_CASES, defineReceiptCases } from "./receipts.js";
import { REFUND_CASES, defineRefundCases } from "./refunds.js";
import { STATS_CASES, defineStatsCases } from "./stats.js";
import { INBOX_CASES, defineInboxCases } from "./webhook-inbox.js";
import { caseRegistrar } from "../register-cases.js";
import { SkipReport } from "../skip-report.js";

/** Each concern's table of cases, in the order the suite runs them. */
const CONCERNS = [
  PAYMENT_CASES,
  REFUND_CASES,
  DISPUTE_CASES,
  CUSTOMER_CASES,
  RECEIPT_CASES,
  IDEMPOTENCY_CASES,
  OUTBOX_CASES,
  INBOX_CASES,
  LIST_CASES,
  STATS_CASES,
  HOSTILE_TEXT_CASES,
  STORAGE_CASES,
] as const;

/**
 * Every rule of the store contract, by key, merged from the concern files beside this one (payments.ts,
 * refunds.ts, …): an adapter may skip one only with a reason, and the compiler checks the key.
 */
export const STORE_CONTRACT_TESTS = {
  ...PAYMENT_CASES,
  ...REFUND_CASES,
  ...DISPUTE_CASES,
  ...CUSTOMER_CASES,
  ...RECEIPT_CASES,
  ...IDEMPOTENCY_CASES,
  ...OUTBOX_CASES,
  ...INBOX_CASES,
  ...LIST_CASES,
  ...STATS_CASES,
  ...HOSTILE_TEXT_CASES,
  ...STORAGE_CASES,
} as const;

export type StoreContractTest = keyof typeof STORE_CONTRACT_TESTS;

// A key in two tables would silently lose one case to the other when merged.
const declared = CONCERNS.reduce((count, table) => count + Object.keys(table).length, 0);
if (declared !== Object.keys(STORE_CONTRACT_TESTS).length) {
  throw new Error("store contract: two concern files declare the same case key");
}

export interface StoreContractOptions {
  /** Tests this adapter cannot honour, each with the reason (shown in the report). */
  skip?: Partial<Record<StoreContractTest, string>>;
}

/**
 * The conformance suite every `PaymentStore` runs: `describeStoreContract("postgres", async () => harness)`. State
 * is reset before every test, results are read back through the harness's raw access, and every concurrency promise
 * of the port is raced with ten callers at once — over two stores when the harness opens a second. Cases that need
 * what a harness may lack (migrations, raw amount corruption) skip themselves at run time, saying why.
 */
export function describeStoreContract(name: string, setup: () => Promise<StoreHarness>, options: StoreContractOptions = {}): void {
  describe(`PaymentStore contract: ${name}`, () => {
    let harness: StoreHarness | undefined;
    let second: PaymentStore | undefined;

    const skips = new SkipReport(`PaymentStore contract: ${name}`);
    beforeAll(async () => {
      harness = await setup();
      second = await harness.openSecondStore?.();
    });
    afterAll(async () => {
      skips.print();
      // The kit opened the second store, so the kit closes it, before the harness disposes of what it shares.
      await second?.close();
      await harness?.dispose();
    });
    beforeEach(async () => {
      await harness?.reset();
    });

    const ready = (): StoreHarness => {
      if (!harness) throw new Error("store contract: the harness is not set up (setup() failed or has not run)");
      return harness;
    };
    const kit: StoreUnderTest = {
      get harness() {
        return ready();
      },
      get store() {
        return ready().store;
      },
      get secondStore() {
        return second ?? ready().store;
      },
      racer: (index) => (index % 2 === 1 && second ? second : ready().store),
    };

    const { define, assertEveryRuleHasACase } = caseRegistrar("store contract", STORE_CONTRACT_TESTS, options.skip, skips);

    definePaymentCases(define, kit);
    defineRefundCases(define, kit);
    defineDisputeCases(define, kit);
    defineCustomerCases(define, kit);
    defineReceiptCases(define, kit);
    defineIdempotencyCases(define, kit);
    defineOutboxCases(define, kit);
    defineInboxCases(define, kit);
    defineListCases(define, kit);
    defineStatsCases(define, kit);
    defineHostileTextCases(define, kit);
    defineStorageCases(define, kit);

    assertEveryRuleHasACase();
  });
}
