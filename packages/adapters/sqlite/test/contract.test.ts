import { describeStoreContract } from "@org/payments-core/testing";
import { createSqliteStore, migrate } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";

describeStoreContract("sqlite", async () => {
  const database = createSqliteTestDatabase();
  const store = await createSqliteStore({ filename: database.filename });
  await migrate(store);
  // Read back through a second better-sqlite3 connection to the file: the store cannot pass by agreeing with itself.
  const one = (statement: string, ...params: unknown[]) =>
    database.raw.prepare(statement).get(...params) as Record<string, unknown> | undefined;
  const int = (value: unknown) => Number(value as bigint);
  return {
    store,
    reset: async () => database.reset(),
    readBack: {
      payment: async (id) => {
        const row = one(
          "select status, amount, amount_captured, amount_refunded, amount_refund_reserved, version from payments where id = ?",
          id,
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
      historyCount: async (paymentId) => int(one("select count(*) as n from payment_history where payment_id = ?", paymentId)?.n),
      outboxCount: async (paymentId) => int(one("select count(*) as n from outbox where payment_id = ?", paymentId)?.n),
      idempotencyRecord: async (scope, key) => {
        const row = one('select lock_id, recovery_point from idempotency_records where scope = ? and "key" = ?', scope, key);
        return row === undefined ? null : { lockId: (row.lock_id as string | null) ?? null, recoveryPoint: String(row.recovery_point) };
      },
      inboxEvent: async (provider, eventId) => {
        const row = one("select status, attempts from webhook_inbox where provider = ? and event_id = ?", provider, eventId);
        return row === undefined ? null : { status: String(row.status), attempts: int(row.attempts) };
      },
    },
    dispose: async () => {
      await store.close();
      database.remove();
    },
  };
});
