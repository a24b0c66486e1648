import type { Payment } from "@org/payments-core";
import { paymentToRow } from "@org/payments-kysely";
import type { Database, StoreDialect } from "@org/payments-kysely";
import type { Kysely } from "kysely";

/**
 * Payments written into a schema older than 0010_customers, as a store of that version wrote them: today's store
 * writes `off_session`, which such a schema does not have yet, so an upgrade test seeds its old rows here instead
 * (the row and the filterable copy of its references, as the store writes them). Read back after the upgrade, each
 * must come out as it went in, `offSession` false (the column's default).
 */
export async function insertPaymentsBefore0010(store: { db: Kysely<Database>; dialect: StoreDialect }, payments: readonly Payment[]): Promise<void> {
  for (const payment of payments) {
    const { off_session: _notYet, ...row } = paymentToRow(payment, store.dialect);
    // A row of the older schema, which database.ts (today's) no longer describes: hence the cast.
    await store.db.insertInto("payments").values(row as never).execute();
    const references = Object.entries(payment.references).map(([key, value]) => ({ payment_id: payment.id, key, value }));
    if (references.length > 0) await store.db.insertInto("payment_references").values(references).execute();
  }
}
