import { randomUUID } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import { PaymentError } from "@org/payments-core";
import type { Customer, Dispute, HistoryEntry, IdempotencyRecord, InboxEvent, OutboxEntry, Payment, Refund, SavedPaymentMethod } from "@org/payments-core";

/**
 * Everything the store holds, as it lies on disk: one JSON document. Arrays rather than objects keyed by id, so an
 * id such as `__proto__` is data like any other, and insertion order (history, refunds, the outbox) is the array's.
 */
export interface StoreFile {
  format: 1;
  payments: Payment[];
  history: HistoryEntry[];
  refunds: Refund[];
  /**
   * Disputes a provider opened against payments, each with its status history inside it. Absent from a file written
   * before disputes existed: it reads as none (an addition, so still `format: 1`).
   */
  disputes: Dispute[];
  /** Customers (a deleted one keeps its entry, marked `deletedAt`). Absent from a file written before customers existed: none. */
  customers: Customer[];
  /** Every customer's saved payment methods, whatever their status. Absent from an older file as customers are: none. */
  savedPaymentMethods: SavedPaymentMethod[];
  /** One per payment that has a number; a year's numbers are 1…N because the next is the count + 1. */
  receipts: Array<{ paymentId: string; year: number; number: string }>;
  idempotency: IdempotencyRecord[];
  outbox: OutboxEntry[];
  /** The last outbox sequence handed out: never reused, even after the entry is purged. */
  outboxSequence: number;
  inbox: InboxEvent[];
}

export function emptyStoreFile(): StoreFile {
  return { format: 1, payments: [], history: [], refunds: [], disputes: [], customers: [], savedPaymentMethods: [], receipts: [], idempotency: [], outbox: [], outboxSequence: 0, inbox: [] };
}

/** The file's committed state, parsed fresh: the caller may change it freely (it is the transaction's working copy). */
export async function readStoreFile(path: string): Promise<StoreFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PaymentError("internal", "the store file cannot be read", { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PaymentError("internal", "the store file is not JSON", { cause: error });
  }
  if (data === null || typeof data !== "object" || (data as { format?: unknown }).format !== 1) {
    throw new PaymentError("internal", "the store file has an unknown format");
  }
  const file = data as StoreFile;
  file.disputes ??= [];
  file.customers ??= [];
  file.savedPaymentMethods ??= [];
  // Payments written before off-session charges existed were all made with the customer present.
  for (const payment of file.payments) payment.offSession ??= false;
  return file;
}

/**
 * Replaces the file with `data` all at once: written to a temporary file beside it, flushed to the disk, then
 * renamed over it. A rename within one directory is atomic, so a reader (or a crash) sees the old file or the new
 * one, never half of either.
 */
export async function writeStoreFile(path: string, data: StoreFile): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(JSON.stringify(data), "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
