import { describeStoreContract } from "@org/payments-core/testing";
import { describe } from "vitest";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();

describe.skipIf(!available)("postgres", () => {
  describeStoreContract("postgres", async () => {
    const t = await createPostgresTestStore();
    await migrate(t.store);
    // Read back over a separate pool with plain SQL: the store cannot pass by agreeing with itself.
    const one = async (statement: string, params: unknown[]) => (await t.raw.query(statement, params)).rows[0] as Record<string, unknown> | undefined;
    // Test data stays far below 2^53; Number() of pg's int8 text is exact there.
    const int = (value: unknown) => Number(value);
    return {
      store: t.store,
      reset: t.reset,
      readBack: {
        payment: async (id) => {
          const row = await one(
            "select status, amount, amount_captured, amount_refunded, amount_refund_reserved, version from payments where id = $1",
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
        historyCount: async (paymentId) => int((await one("select count(*) as n from payment_history where payment_id = $1", [paymentId]))?.n),
        outboxCount: async (paymentId) => int((await one("select count(*) as n from outbox where payment_id = $1", [paymentId]))?.n),
        idempotencyRecord: async (scope, key) => {
          const row = await one('select lock_id, recovery_point from idempotency_records where scope = $1 and "key" = $2', [scope, key]);
          return row === undefined ? null : { lockId: (row.lock_id as string | null) ?? null, recoveryPoint: String(row.recovery_point) };
        },
        inboxEvent: async (provider, eventId) => {
          const row = await one("select status, attempts from webhook_inbox where provider = $1 and event_id = $2", [provider, eventId]);
          return row === undefined ? null : { status: String(row.status), attempts: int(row.attempts) };
        },
      },
      dispose: t.dispose,
    };
  });
});
