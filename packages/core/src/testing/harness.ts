import type { GatewayPayment, GatewayScenario, PaymentGateway, WebhookHeaders } from "../ports/payment-gateway.js";
import type { PaymentStore } from "../ports/payment-store.js";

/**
 * The store contract's independent view of what was stored. Each hook reads the store's data the way the store's
 * own lower layer holds it — plain SQL through the driver, the JSON file parsed from disk, the rows of the
 * service's HTTP API — never through the `PaymentStore` methods under test, so a store cannot pass by agreeing
 * with itself (a write that loses a field and a read that invents it back would otherwise look right). A store with
 * no lower layer at all (the in-memory store) reads its own internal maps.
 */
export interface StoreReadBack {
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
}

/** A store's schema migrations, for the cases that run them from an empty database. */
export interface MigrationsHarness {
  /** A new, empty, unmigrated database (its own file, schema or prefix) with its migrator. */
  fresh(): Promise<{
    migrate(): Promise<{ applied: string[]; current: string | null }>;
    status(): Promise<{ current: string | null; pending: string[] }>;
    /**
     * A second migrator of the same database over its own connection (and process, where the store's migrations may
     * run from several). Absent: the concurrent-migration case races one migrator object with itself, which an
     * in-process lock already serializes — the lock that keeps two deploys apart is then not shown, and the case
     * says so in an annotation.
     */
    openSecondMigrator?(): Promise<{ migrate(): Promise<{ applied: string[]; current: string | null }>; dispose(): Promise<void> }>;
    dispose(): Promise<void>;
  }>;
}

/** What a store adapter hands the store contract. */
export interface StoreHarness {
  store: PaymentStore;
  /** Empties every table; called before each test. */
  reset(): Promise<void>;
  readBack: StoreReadBack;
  /**
   * A second store over its own connection(s) to the same data, for racers that must cross connections (and, for a
   * store with concurrent writers, processes). Absent: the racers share `store`.
   */
  openSecondStore?(): Promise<PaymentStore>;
  /**
   * Overwrites a payment's stored `amount` with `amount` (a decimal integer past 2^53) behind the port's back, to
   * prove a read refuses a value it cannot represent exactly. Absent: that case is skipped with the reason.
   */
  corruptStoredAmount?(paymentId: string, amount: string): Promise<void>;
  /** Present for a store with a schema to migrate; absent: the migration cases are skipped with the reason. */
  migrations?: MigrationsHarness;
  dispose(): Promise<void>;
}

/**
 * Provider answers a harness can make its fake give on the next call, for the contract's cases on the answers a
 * real provider gives and a happy path never shows.
 * - `answer_lost`: the provider performs the next mutating call but its answer is lost (a 5xx or timeout after it
 *   acted): the adapter must throw `gateway_outcome_unknown`, and `findByPaymentId` must then find what it made.
 * - `timeout`: the provider performs the next mutating call but answers only after the adapter's own timeout: the
 *   adapter must give up with `gateway_outcome_unknown` (never `gateway_error`, which would mean "did not act"), and
 *   `findByPaymentId` must then find what it made.
 * - `buyer_refused`: the next charge is refused for the buyer's account or limits (not a card decline): it must be
 *   a definite `failed` payment, never a retryable error.
 * - `refund_refused`: the provider refuses the next refund outright (a disputed charge, a time limit): a definite
 *   answer, never a retryable error.
 * - `refund_fails_later`: the next refund is accepted as pending and then fails at the provider: `retrieve` must
 *   show it `failed`.
 */
export type GatewayFault = "answer_lost" | "timeout" | "buyer_refused" | "refund_refused" | "refund_fails_later";

/**
 * Webhooks as the provider sends them, for the signature cases: the kit takes a correctly signed delivery and
 * forges it (signature dropped, signed with another secret, body changed after signing, timestamp too old); the
 * adapter's `parseWebhook` must accept the first and refuse every forgery with `webhook_signature_invalid`.
 */
export interface WebhookHarness {
  /** The raw body the provider would send to announce `payment`'s current state; it must name the payment. */
  eventBody(payment: GatewayPayment): Promise<string>;
  /**
   * The headers the provider would send with `rawBody`: signed with the secret the adapter was configured with,
   * or with `secret` when given (the kit passes one the adapter does not know), dated `timestamp` (default now).
   */
  sign(rawBody: string, options?: { secret?: string; timestamp?: Date }): Promise<WebhookHeaders>;
  /** The header names that carry the signature; the kit removes them for the unsigned case. */
  signatureHeaders: readonly string[];
  /**
   * How old a signed delivery may be before the adapter must refuse it (Stripe's default: 300 s); null when the
   * provider's scheme signs no time, and the stale case is skipped with that reason.
   */
  toleranceMs: number | null;
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
  /** The faults `injectFault` can produce; a case needing another is skipped with that reason. */
  supportedFaults?: readonly GatewayFault[];
  /** Makes the fake give `fault` on the next call it applies to. */
  injectFault?(fault: GatewayFault): Promise<void>;
  /** Signs webhooks as the provider does; absent: the signature cases fail (every gateway must verify). */
  webhooks?: WebhookHarness;
  /**
   * What the provider itself holds for a payment, read from its fake's own state (never through the adapter), as the
   * provider's decimal text in major units: `{ currency: "JPY", amount: "1234", refunded: "234" }` for ¥1234 of which
   * ¥234 was refunded, `amount: "1.230"` for 1.230 KWD. `refunded` sums the refunds not failed or canceled. The
   * currency exponent cases compare it with what they charged, because an adapter that sends ×100 and reads ÷100
   * agrees with itself while the customer pays a hundred times over. Absent: those cases check only the adapter's
   * own answers, and say so in an annotation.
   */
  amountsAtProvider?(providerPaymentId: string): Promise<{
    currency: string;
    amount: string;
    refunded: string;
    /**
     * For an authorization, the instant the provider lets it lapse, as the provider's books hold it (optional). The
     * manual-capture case then checks the adapter never reports a later one: the core would capture after it lapsed.
     */
    authorizationExpiresAt?: string | null | undefined;
  }>;
  /** Resets the fake's state; called before each test when present. */
  reset?(): Promise<void>;
  dispose?(): Promise<void>;
}
