import type { StoreHarness } from "@org/payments-core/testing";

/** One row (or none) from a statement run through the driver, with `params` bound in order. */
export type RawRowQuery = (statement: string, params: unknown[]) => Promise<Record<string, unknown> | undefined>;

/**
 * The store contract's `readBack` for the SQL adapters: plain SQL through the driver, never through the store, so
 * an adapter cannot pass by agreeing with itself. `placeholder(n)` spells the n-th parameter (`?` or `$n`).
 */
export function sqlReadBack(one: RawRowQuery, placeholder: (position: number) => string): StoreHarness["readBack"] {
  const [p1, p2] = [placeholder(1), placeholder(2)];
  // int8 arrives as bigint (SQLite) or text (pg). The kit reads back amounts of at most 2^53 − 1 (paymentRoundTrip
  // stores Number.MAX_SAFE_INTEGER), and Number() of those is exact; it never reads back the 2^53 + 1 that
  // corruptStoredAmount writes.
  const int = (value: unknown) => Number(value);
  return {
    payment: async (id) => {
      const row = await one(
        `select status, amount, amount_captured, amount_refunded, amount_refund_reserved, version from payments where id = ${p1}`,
        [id],
      );
      return row === undefined
        ? null
        : {
            status: String(row.status),
            amount: int(row.amount),
            amountCaptured: int(row.amount_captured),
            amountRefunded: int(row.amount_refunded),
            amountRefundReserved: int(row.amount_refund_reserved),
            version: int(row.version),
          };
    },
    historyCount: async (paymentId) => int((await one(`select count(*) as n from payment_history where payment_id = ${p1}`, [paymentId]))?.n),
    outboxCount: async (paymentId) => int((await one(`select count(*) as n from outbox where payment_id = ${p1}`, [paymentId]))?.n),
    idempotencyRecord: async (scope, key) => {
      const row = await one(`select lock_id, recovery_point from idempotency_records where scope = ${p1} and "key" = ${p2}`, [scope, key]);
      return row === undefined ? null : { lockId: (row.lock_id as string | null) ?? null, recoveryPoint: String(row.recovery_point) };
    },
    inboxEvent: async (provider, eventId) => {
      const row = await one(`select status, attempts from webhook_inbox where provider = ${p1} and event_id = ${p2}`, [provider, eventId]);
      return row === undefined ? null : { status: String(row.status), attempts: int(row.attempts) };
    },
  };
}
