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
  /** Resets the fake's state; called before each test when present. */
  reset?(): Promise<void>;
  dispose?(): Promise<void>;
}
