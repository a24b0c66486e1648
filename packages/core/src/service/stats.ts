import type { StatsRow } from "../ports/payment-store.js";

export interface CurrencyTotals {
  currency: string;
  count: number;
  captured: number;
  refunded: number;
  /** Captured minus refunded: what was actually earned. */
  netRevenue: number;
}

export interface PaymentStats {
  rows: StatsRow[];
  byStatus: Record<string, number>;
  byProvider: Record<string, number>;
  byCurrency: CurrencyTotals[];
}

/** Rolls the store's grouped rows up into counts and per-currency revenue; currencies are never summed together. */
export function summarizeStats(rows: StatsRow[]): PaymentStats {
  const byStatus: Record<string, number> = {};
  const byProvider: Record<string, number> = {};
  const currencies = new Map<string, CurrencyTotals>();
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
    byProvider[row.provider] = (byProvider[row.provider] ?? 0) + row.count;
    const totals = currencies.get(row.currency) ?? { currency: row.currency, count: 0, captured: 0, refunded: 0, netRevenue: 0 };
    totals.count += row.count;
    totals.captured += row.amountCaptured;
    totals.refunded += row.amountRefunded;
    totals.netRevenue = totals.captured - totals.refunded;
    currencies.set(row.currency, totals);
  }
  return { rows, byStatus, byProvider, byCurrency: [...currencies.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}
