import { access } from "node:fs/promises";
import { PaymentError } from "@org/payments-core";
import type {
  Customer,
  CustomerFilter,
  Dispute,
  DisputeFilter,
  DisputeStatsRow,
  HistoryEntry,
  IdempotencyRecord,
  InboxEvent,
  InboxFilter,
  OutboxClaim,
  OutboxEntry,
  OutboxFilter,
  Page,
  PageRequest,
  Payment,
  PaymentFilter,
  PaymentStore,
  PaymentStoreTx,
  Refund,
  SavedPaymentMethod,
  StatsFilter,
  StatsRow,
} from "@org/payments-core";
import { getCustomer, getSavedPaymentMethod, listCustomers, listSavedPaymentMethods } from "./customer-queries.js";
import { disputeStats, getDispute, listDisputes, listPaymentDisputes } from "./dispute-queries.js";
import { exactPayment } from "./exact-amounts.js";
import { fileTransaction } from "./file-transaction.js";
import { deleteExpiredIdempotencyRecords, listInboxEvents, listPendingIdempotencyRecords, purgeWebhookEvents } from "./inbox-and-records.js";
import { OneAtATime } from "./one-at-a-time.js";
import * as outbox from "./outbox-operations.js";
import { listPayments, stats } from "./payment-queries.js";
import { type StoreFile, emptyStoreFile, readStoreFile, writeStoreFile } from "./store-file.js";

export interface JsonFileStoreOptions {
  /** The JSON file; created (empty) when it does not exist. One process, one store per file: it is the only writer. */
  path: string;
}

/**
 * A `PaymentStore` in one JSON file. Every transaction reads the file, works on that copy in memory, and on success
 * writes the whole copy back atomically (temporary file, then rename); on failure the copy is dropped, which is the
 * rollback. Transactions run one at a time, so each is serializable and every "exactly one wins" promise of the
 * port holds. Reads outside a transaction read the last committed file and never wait.
 *
 * Small on purpose, for small volumes (every commit rewrites the file): it shows what the port asks of a store and
 * how the contract kit proves it, not how to store a million payments.
 */
export class JsonFileStore implements PaymentStore {
  readonly capabilities = { concurrentWriters: false, durable: true } as const;
  readonly #path: string;
  readonly #writer = new OneAtATime();
  #closed = false;

  constructor(options: JsonFileStoreOptions) {
    this.#path = options.path;
  }

  transaction<T>(work: (tx: PaymentStoreTx) => Promise<T>): Promise<T> {
    return this.#write((data, changed) => work(fileTransaction(data, changed)));
  }

  /** The one write path: read the committed file, change the copy, write it back only if `work` returned and changed it. */
  async #write<T>(work: (data: StoreFile, changed: () => void) => T | Promise<T>): Promise<T> {
    this.#assertOpen(); // async: a closed store rejects, as a port method must, rather than throwing at the call
    return this.#writer.run(async () => {
      const data = await readStoreFile(this.#path);
      let dirty = false;
      const result = await work(data, () => (dirty = true));
      if (dirty) await writeStoreFile(this.#path, data);
      return result;
    });
  }

  async #read<T>(query: (data: StoreFile) => T): Promise<T> {
    this.#assertOpen();
    return structuredClone(query(await readStoreFile(this.#path)));
  }

  #assertOpen(): void {
    // A call after close is the caller's bug, not bad input.
    if (this.#closed) throw new PaymentError("internal", "the store is closed");
  }

  getPayment(id: string): Promise<Payment | null> {
    return this.#read((data) => {
      const payment = data.payments.find((p) => p.id === id);
      return payment ? exactPayment(payment) : null;
    });
  }

  listHistory(paymentId: string): Promise<HistoryEntry[]> {
    return this.#read((data) => data.history.filter((h) => h.paymentId === paymentId));
  }

  listRefunds(paymentId: string): Promise<Refund[]> {
    return this.#read((data) => data.refunds.filter((r) => r.paymentId === paymentId));
  }

  /** The oldest refund of that provider's payments that the provider knows by this id, as the port says. */
  findRefundByProviderId(provider: string, providerRefundId: string): Promise<Refund | null> {
    return this.#read((data) => {
      const providerOf = new Map(data.payments.map((p) => [p.id, p.provider]));
      const named = data.refunds.filter((r) => r.providerRefundId === providerRefundId && providerOf.get(r.paymentId) === provider);
      return named.reduce<Refund | null>((oldest, r) => (oldest === null || r.id < oldest.id ? r : oldest), null);
    });
  }

  listPayments(filter: PaymentFilter, page: PageRequest): Promise<Page<Payment>> {
    return this.#read((data) => listPayments(data, filter, page));
  }

  stats(filter: StatsFilter): Promise<StatsRow[]> {
    return this.#read((data) => stats(data, filter));
  }

  getDispute(id: string): Promise<Dispute | null> {
    return this.#read((data) => getDispute(data, id));
  }

  listPaymentDisputes(paymentId: string): Promise<Dispute[]> {
    return this.#read((data) => listPaymentDisputes(data, paymentId));
  }

  listDisputes(filter: DisputeFilter, page: PageRequest): Promise<Page<Dispute>> {
    return this.#read((data) => listDisputes(data, filter, page));
  }

  disputeStats(filter: Pick<DisputeFilter, "openedFrom" | "openedTo">): Promise<DisputeStatsRow[]> {
    return this.#read((data) => disputeStats(data, filter));
  }

  getCustomer(id: string): Promise<Customer | null> {
    return this.#read((data) => getCustomer(data, id));
  }

  listCustomers(filter: CustomerFilter, page: PageRequest): Promise<Page<Customer>> {
    return this.#read((data) => listCustomers(data, filter, page));
  }

  getSavedPaymentMethod(id: string): Promise<SavedPaymentMethod | null> {
    return this.#read((data) => getSavedPaymentMethod(data, id));
  }

  listSavedPaymentMethods(customerId: string): Promise<SavedPaymentMethod[]> {
    return this.#read((data) => listSavedPaymentMethods(data, customerId));
  }

  listPendingIdempotencyRecords(updatedBefore: string, limit: number): Promise<IdempotencyRecord[]> {
    return this.#read((data) => listPendingIdempotencyRecords(data, updatedBefore, limit));
  }

  deleteExpiredIdempotencyRecords(now: string): Promise<number> {
    return this.#write((data, changed) => deleteExpiredIdempotencyRecords(data, changed, now));
  }

  claimOutbox(claim: OutboxClaim): Promise<OutboxEntry[]> {
    return this.#write((data, changed) => outbox.claimOutbox(data, changed, claim));
  }

  markOutboxDelivered(sequence: number, claimant: string, at: string): Promise<boolean> {
    return this.#write((data, changed) => outbox.markOutboxDelivered(data, changed, sequence, claimant, at));
  }

  markOutboxFailed(sequence: number, claimant: string, failure: { error: string; nextAttemptAt: string; dead: boolean }): Promise<boolean> {
    return this.#write((data, changed) => outbox.markOutboxFailed(data, changed, sequence, claimant, failure));
  }

  listOutbox(filter: OutboxFilter): Promise<OutboxEntry[]> {
    return this.#read((data) => outbox.listOutbox(data, filter));
  }

  purgeDeliveredOutbox(before: string): Promise<number> {
    return this.#write((data, changed) => outbox.purgeDeliveredOutbox(data, changed, before));
  }

  retryOutboxEvent(sequence: number, at: string): Promise<boolean> {
    return this.#write((data, changed) => outbox.retryOutboxEvent(data, changed, sequence, at));
  }

  skipOutboxEvent(sequence: number, reason: string): Promise<boolean> {
    return this.#write((data, changed) => outbox.skipOutboxEvent(data, changed, sequence, reason));
  }

  listInboxEvents(filter: InboxFilter): Promise<InboxEvent[]> {
    return this.#read((data) => listInboxEvents(data, filter));
  }

  purgeWebhookEvents(before: string): Promise<number> {
    return this.#write((data, changed) => purgeWebhookEvents(data, changed, before));
  }

  /** Waits for the writes already queued, then refuses every later call. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writer.run(async () => undefined);
    this.#closed = true;
  }
}

/** Opens the store on `options.path`, creating an empty store file there if there is none. */
export async function openJsonFileStore(options: JsonFileStoreOptions): Promise<JsonFileStore> {
  const exists = await access(options.path).then(
    () => true,
    () => false,
  );
  if (!exists) await writeStoreFile(options.path, emptyStoreFile());
  else await readStoreFile(options.path); // refuse a file that is not a store file now, not on the first payment
  return new JsonFileStore(options);
}
