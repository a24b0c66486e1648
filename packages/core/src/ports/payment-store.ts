import type { CustomerReads, CustomersTx } from "./store/customers.js";
import type { DisputeReads, DisputesTx } from "./store/disputes.js";
import type { IdempotencyMaintenance, IdempotencyTx } from "./store/idempotency.js";
import type { OutboxStore, OutboxTx } from "./store/outbox.js";
import type { PaymentReads, PaymentsTx } from "./store/payments.js";
import type { PaymentQueries } from "./store/queries.js";
import type { ReceiptsTx } from "./store/receipts.js";
import type { RefundReads, RefundsTx } from "./store/refunds.js";
import type { WebhookInboxStore, WebhookInboxTx } from "./store/webhook-inbox.js";

export type * from "./store/customers.js";
export type * from "./store/disputes.js";
export type * from "./store/idempotency.js";
export type * from "./store/outbox.js";
export type * from "./store/payments.js";
export type * from "./store/queries.js";
export type * from "./store/receipts.js";
export type * from "./store/refunds.js";
export type * from "./store/webhook-inbox.js";

export interface StoreCapabilities {
  /** More than one process may write concurrently (PostgreSQL); false for a single-writer store. */
  readonly concurrentWriters: boolean;
  /** Data outlives the process (files, servers); false for the memory store. */
  readonly durable: boolean;
}

/**
 * The reads and writes available inside one transaction: one interface per concern (see `./store/`), each with its
 * own promises, each proven by its own file of the store contract (`@org/payments-core/testing`).
 */
export interface PaymentStoreTx extends PaymentsTx, RefundsTx, DisputesTx, CustomersTx, ReceiptsTx, IdempotencyTx, OutboxTx, WebhookInboxTx {}

/**
 * The store port: a transaction runner, and per concern the reads and maintenance that run outside one. A store
 * adapter implements all of it; a decorator can override part of it with `decorateStore`.
 */
export interface PaymentStore
  extends PaymentReads,
    RefundReads,
    DisputeReads,
    CustomerReads,
    PaymentQueries,
    IdempotencyMaintenance,
    OutboxStore,
    WebhookInboxStore {
  readonly capabilities: StoreCapabilities;

  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all. `work` may await only
   * the `tx` it was given, never this store's other methods (on a single-connection store they would wait for this
   * very transaction) nor the network. Adapters may retry `work` on serialization failures, so it must have no
   * side effects outside the transaction.
   */
  transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T>;

  close(): Promise<void>;
}
