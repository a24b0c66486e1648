import type { GatewayPayment, GatewayScenario, PaymentGateway } from "../ports/payment-gateway.js";
import type { PaymentStore } from "../ports/payment-store.js";

/**
 * What a store adapter hands the store contract. `readBack` reads through the adapter's own raw access (SQL), not
 * through the port, so an adapter cannot pass by agreeing with itself.
 */
export interface StoreHarness {
  store: PaymentStore;
  /** Empties every table; called before each test. */
  reset(): Promise<void>;
  readBack: {
    payment(id: string): Promise<{
      status: string;
      amount: number;
      amountCaptured: number;
      amountRefunded: number;
      amountRefundReserved: number;
      version: number;
    } | null>;
    historyCount(paymentId: string): Promise<number>;
    outboxCount(paymentId: string): Promise<number>;
    idempotencyRecord(scope: string, key: string): Promise<{ lockId: string | null; recoveryPoint: string } | null>;
    inboxEvent(provider: string, eventId: string): Promise<{ status: string; attempts: number } | null>;
  };
  dispose(): Promise<void>;
}

/**
 * Provider answers a harness can make its fake give on the next call, for the contract's cases on the answers a
 * real provider gives and a happy path never shows.
 * - `answer_lost`: the provider performs the next mutating call but its answer is lost (a 5xx or timeout after it
 *   acted): the adapter must throw `gateway_outcome_unknown`, and `findByPaymentId` must then find what it made.
 * - `buyer_refused`: the next charge is refused for the buyer's account or limits (not a card decline): it must be
 *   a definite `failed` payment, never a retryable error.
 * - `refund_refused`: the provider refuses the next refund outright (a disputed charge, a time limit): a definite
 *   answer, never a retryable error.
 * - `refund_fails_later`: the next refund is accepted as pending and then fails at the provider: `retrieve` must
 *   show it `failed`.
 */
export type GatewayFault = "answer_lost" | "buyer_refused" | "refund_refused" | "refund_fails_later";

/** What a gateway adapter hands the gateway contract. */
export interface GatewayHarness {
  gateway: PaymentGateway;
  /** A currency the provider (or its fake) accepts, used by every test. */
  currency: string;
  /**
   * The payment method that produces `scenario`, or null when this provider cannot produce it (the test is
   * skipped with that reason). Providers without payment methods (PayPal) may return any marker string.
   */
  paymentMethodFor(scenario: GatewayScenario): string | null;
  /**
   * Completes the customer's step (3-D Secure, PayPal approval) against the fake, as the customer would. The
   * scenario lets a fake decide what happens after approval (a PayPal capture that is then declined).
   */
  completeAction(payment: GatewayPayment, scenario: GatewayScenario): Promise<void>;
  /** The faults `injectFault` can produce; a case needing another is skipped with that reason. */
  supportedFaults?: readonly GatewayFault[];
  /** Makes the fake give `fault` on the next call it applies to. */
  injectFault?(fault: GatewayFault): Promise<void>;
  /** Resets the fake's state; called before each test when present. */
  reset?(): Promise<void>;
  dispose?(): Promise<void>;
}
