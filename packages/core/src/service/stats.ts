import type { PaymentStatus } from "../domain/payment.js";
import type { DisputeStatsRow, StatsRow } from "../ports/payment-store.js";
import { isClosedDisputeStatus } from "../domain/dispute.js";

/**
 * A sum of minor units as a decimal string (`"18014398509481982"`): exact however large, and safe in JSON, where a
 * number past 2^53 would be rounded by every reader (and a bigint cannot be written at all). Parse it with
 * `BigInt(text)`; a gauge may take `Number(text)`, which rounds only past 2^53.
 */
export type MinorUnitsTotal = string;

/** A store's group with its sums as exact decimal strings. */
export interface StatsSummaryRow {
  status: PaymentStatus;
  provider: string;
  currency: string;
  count: number;
  amount: MinorUnitsTotal;
  amountCaptured: MinorUnitsTotal;
  amountRefunded: MinorUnitsTotal;
}

export interface CurrencyTotals {
  currency: string;
  count: number;
  captured: MinorUnitsTotal;
  refunded: MinorUnitsTotal;
  /** Captured minus refunded: what was actually earned. */
  netRevenue: MinorUnitsTotal;
}

/** Disputed money in one currency: every sum in minor units, exact. */
export interface DisputeCurrencyTotals {
  currency: string;
  count: number;
  /** Everything disputed. */
  disputed: MinorUnitsTotal;
  /** Still undecided (no final status yet). */
  open: MinorUnitsTotal;
  won: MinorUnitsTotal;
  lost: MinorUnitsTotal;
}

export interface DisputeStats {
  byStatus: Record<string, number>;
  byCurrency: DisputeCurrencyTotals[];
}

/** What `service.stats()` answers; every field is JSON as it is. */
export interface PaymentStats {
  rows: StatsSummaryRow[];
  byStatus: Record<string, number>;
  byProvider: Record<string, number>;
  byCurrency: CurrencyTotals[];
  /** Disputes opened in the window (all of them without one). */
  disputes: DisputeStats;
}

/**
 * Rolls the store's grouped rows up into counts and per-currency revenue; currencies are never summed together.
 * Sums stay `bigint` until they are written out, so no total is ever rounded or refused, whatever the rows hold.
 */
export function summarizeStats(rows: readonly StatsRow[], disputeRows: readonly DisputeStatsRow[] = []): PaymentStats {
  const byStatus: Record<string, number> = {};
  const byProvider: Record<string, number> = {};
  const currencies = new Map<string, { count: number; captured: bigint; refunded: bigint }>();
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
    byProvider[row.provider] = (byProvider[row.provider] ?? 0) + row.count;
    const totals = currencies.get(row.currency) ?? { count: 0, captured: 0n, refunded: 0n };
    totals.count += row.count;
    totals.captured += row.amountCaptured;
    totals.refunded += row.amountRefunded;
    currencies.set(row.currency, totals);
  }
  return {
    rows: rows.map((row) => ({
      status: row.status,
      provider: row.provider,
      currency: row.currency,
      count: row.count,
      amount: row.amount.toString(),
      amountCaptured: row.amountCaptured.toString(),
      amountRefunded: row.amountRefunded.toString(),
    })),
    byStatus,
    byProvider,
    byCurrency: [...currencies.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({
        currency,
        count: t.count,
        captured: t.captured.toString(),
        refunded: t.refunded.toString(),
        netRevenue: (t.captured - t.refunded).toString(),
      })),
    disputes: summarizeDisputes(disputeRows),
  };
}

/** Disputed sums per currency, split by outcome; like revenue, never summed across currencies. */
export function summarizeDisputes(rows: readonly DisputeStatsRow[]): DisputeStats {
  const byStatus: Record<string, number> = {};
  const currencies = new Map<string, { count: number; disputed: bigint; open: bigint; won: bigint; lost: bigint }>();
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
    const totals = currencies.get(row.currency) ?? { count: 0, disputed: 0n, open: 0n, won: 0n, lost: 0n };
    totals.count += row.count;
    totals.disputed += row.amount;
    if (row.status === "won") totals.won += row.amount;
    else if (row.status === "lost") totals.lost += row.amount;
    else if (!isClosedDisputeStatus(row.status)) totals.open += row.amount;
    currencies.set(row.currency, totals);
  }
  return {
    byStatus,
    byCurrency: [...currencies.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({
        currency,
        count: t.count,
        disputed: t.disputed.toString(),
        open: t.open.toString(),
        won: t.won.toString(),
        lost: t.lost.toString(),
      })),
  };
}
