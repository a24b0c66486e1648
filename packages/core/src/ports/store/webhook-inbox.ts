import type { INBOX_STATUSES } from "../../domain/inbox-status.js";
import type { GatewayWebhookEvent } from "../payment-gateway.js";

/**
 * Where a provider webhook stands in the inbox. `received`: stored (and acknowledged), not yet applied — or its
 * applier died. `processed`: applied (or found to need nothing), terminal. `held`: its payment is not in the store
 * yet; applied when it appears. `orphaned`: held for longer than the service's `orphanAfterMs`; an operator looks.
 * `failed`: applying threw (the gateway could not be asked, a persistent conflict); retried later.
 */
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** A provider webhook as the inbox keeps it: the verified, parsed event — never the raw body or its signature. */
export interface InboxEvent {
  provider: string;
  /** The provider's event id; (provider, eventId) is the inbox key. */
  eventId: string;
  type: string;
  event: GatewayWebhookEvent;
  /** Our payment id as the event names it (provider metadata), when it does. */
  paymentId: string | null;
  providerPaymentId: string | null;
  status: InboxStatus;
  /** Apply attempts so far; every status change bumps it, so it doubles as the row's version. */
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
  /** Why the last attempt failed (status `failed`), or why the event is held. */
  lastError: string | null;
  /** What applying did, for operators: `applied`, `ignored: …`, `fetched: …`. */
  outcome: string | null;
}

/** What an inbox list matches; every field given narrows the result (they combine with AND). */
export interface InboxFilter {
  status?: InboxStatus | readonly InboxStatus[] | undefined;
  paymentId?: string | undefined;
  providerPaymentId?: string | undefined;
  /** Events naming this payment by either of its ids (an event may carry only the provider's). */
  forPayment?: { paymentId: string; providerPaymentId: string | null } | undefined;
  eventId?: string | undefined;
  provider?: string | undefined;
  /** Only events received before this instant. */
  receivedBefore?: string | undefined;
  limit: number;
}

/** The webhook inbox inside one transaction. */
export interface WebhookInboxTx {
  /**
   * Stores a provider webhook in the inbox if no event with its (provider, eventId) is there yet. Under concurrent
   * calls for the same (provider, eventId) exactly one caller gets true (first seen); the others get false and
   * change nothing.
   */
  insertInboxEvent(event: InboxEvent): Promise<boolean>;
  getInboxEvent(provider: string, eventId: string): Promise<InboxEvent | null>;
  /**
   * Compare-and-set on (status, attempts): stores `next` only if the stored event still has `expected.status` and
   * `expected.attempts`. Under concurrent calls for the same event exactly one caller gets true; the others get
   * false and change nothing. Callers bump `attempts` with every change, so a winner's write is never lost.
   */
  updateInboxEvent(next: InboxEvent, expected: { status: InboxStatus; attempts: number }): Promise<boolean>;
}

/** Listing and retention of the inbox outside a transaction. */
export interface WebhookInboxStore {
  /** Inbox events matching the filter, oldest received first. */
  listInboxEvents(filter: InboxFilter): Promise<InboxEvent[]>;
  /**
   * Deletes `processed` inbox events processed before `before`; never one that is received, held, orphaned or
   * failed. A provider redelivering a purged event after this would have it applied again (to no effect: events
   * only move payments forward), so keep processed events longer than the provider retries (Stripe: 3 days).
   * A store may delete in bounded batches so writers are never held up; a purge that fails part-way has deleted some
   * and leaves the rest for its next run (each deleted row met the condition when it went).
   */
  purgeWebhookEvents(before: string): Promise<number>;
}
