import { clampPageLimit, decodePageCursor, encodePageCursor, matchesFilter, normalizePaymentFilter } from "@org/payments-core";
import type { Page, PageRequest, Payment, PaymentFilter, StatsFilter, StatsRow } from "@org/payments-core";
import { exactPayment } from "./exact-amounts.js";
import type { StoreFile } from "./store-file.js";

/**
 * Lists and stats over the file's payments. Core says what a filter means (`normalizePaymentFilter` checks and
 * normalizes it, `matchesFilter` is its meaning in code), how big a page is (`clampPageLimit`) and what a cursor
 * looks like (`encodePageCursor`/`decodePageCursor`): a store that uses them answers exactly as every other store.
 */

/** Newest first by id (ids sort by creation time), one page at a time. */
export function listPayments(data: StoreFile, filter: PaymentFilter, page: PageRequest): Page<Payment> {
  // Checked before anything is read: a bad cursor or instant is refused even on an empty store.
  const after = page.cursor === undefined ? undefined : decodePageCursor(page.cursor);
  const normalized = normalizePaymentFilter(filter);
  // null: the filter holds text no payment can hold, so nothing matches.
  if (normalized === null) return { items: [], nextCursor: null };
  const limit = clampPageLimit(page.limit);
  const matching = data.payments
    .filter((p) => matchesFilter(p, normalized) && (after === undefined || p.id < after))
    .sort((a, b) => (a.id < b.id ? 1 : -1));
  const items = matching.slice(0, limit).map(exactPayment);
  const last = items.at(-1);
  return { items, nextCursor: matching.length > limit && last ? encodePageCursor(last.id) : null };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Counts and exact sums (bigint: a sum of safe integers is not one) per status, provider and currency. */
export function stats(data: StoreFile, filter: StatsFilter): StatsRow[] {
  const normalized = normalizePaymentFilter(filter);
  if (normalized === null) return [];
  const groups = new Map<string, StatsRow>();
  for (const p of data.payments) {
    if (!matchesFilter(p, normalized)) continue;
    exactPayment(p);
    const group = JSON.stringify([p.status, p.provider, p.currency]);
    const row = groups.get(group) ?? { status: p.status, provider: p.provider, currency: p.currency, count: 0, amount: 0n, amountCaptured: 0n, amountRefunded: 0n };
    row.count += 1;
    row.amount += BigInt(p.amount);
    row.amountCaptured += BigInt(p.amountCaptured);
    row.amountRefunded += BigInt(p.amountRefunded);
    groups.set(group, row);
  }
  return [...groups.values()].sort(
    (a, b) => compareText(a.status, b.status) || compareText(a.provider, b.provider) || compareText(a.currency, b.currency),
  );
}
