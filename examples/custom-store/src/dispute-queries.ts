import { clampPageLimit, decodePageCursor, encodePageCursor, matchesDisputeFilter, normalizeDisputeFilter } from "@org/payments-core";
import type { Dispute, DisputeFilter, DisputeStatsRow, Page, PageRequest } from "@org/payments-core";
import { exactDispute } from "./exact-amounts.js";
import type { StoreFile } from "./store-file.js";

/**
 * Reads of the file's disputes. As for payments, core says what a filter means (`normalizeDisputeFilter`,
 * `matchesDisputeFilter`), how big a page is and what a cursor looks like, so this store pages exactly as the others.
 */

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function getDispute(data: StoreFile, id: string): Dispute | null {
  const dispute = data.disputes.find((d) => d.id === id);
  return dispute ? exactDispute(dispute) : null;
}

/** Oldest first: ids sort by creation time. */
export function listPaymentDisputes(data: StoreFile, paymentId: string): Dispute[] {
  return data.disputes
    .filter((d) => d.paymentId === paymentId)
    .sort((a, b) => compareText(a.id, b.id))
    .map(exactDispute);
}

/** Newest first by id, one page at a time. */
export function listDisputes(data: StoreFile, filter: DisputeFilter, page: PageRequest): Page<Dispute> {
  // Checked before anything is read: a bad cursor or filter is refused even when there are no disputes.
  const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
  const normalized = normalizeDisputeFilter(filter);
  // null: the filter holds text no dispute can hold, so nothing matches.
  if (normalized === null) return { items: [], nextCursor: null };
  const limit = clampPageLimit(page.limit);
  const matching = data.disputes
    .filter((d) => matchesDisputeFilter(d, normalized) && (after === undefined || d.id < after))
    .sort((a, b) => compareText(b.id, a.id));
  const items = matching.slice(0, limit).map(exactDispute);
  const last = items.at(-1);
  return { items, nextCursor: matching.length > limit && last ? encodePageCursor(last.id) : null };
}

/** Count and exact disputed sum (bigint) per status and currency, of the disputes opened in the window. */
export function disputeStats(data: StoreFile, filter: Pick<DisputeFilter, "openedFrom" | "openedTo">): DisputeStatsRow[] {
  const normalized = normalizeDisputeFilter(filter);
  if (normalized === null) return [];
  const groups = new Map<string, DisputeStatsRow>();
  for (const d of data.disputes) {
    if (!matchesDisputeFilter(d, normalized)) continue;
    exactDispute(d);
    const group = JSON.stringify([d.status, d.currency]);
    const row = groups.get(group) ?? { status: d.status, currency: d.currency, count: 0, amount: 0n };
    row.count += 1;
    row.amount += BigInt(d.amount);
    groups.set(group, row);
  }
  return [...groups.values()].sort((a, b) => compareText(a.status, b.status) || compareText(a.currency, b.currency));
}
