import { createPaymentService } from "@org/payments-core";
import type { Payment, PaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

/*
 * updatePayment on a real SQLite file, through the service. Concurrent callers share one store (one writer
 * connection, as a host has: two connections in one process would block each other's event loop); a second store on
 * the same file reads back what was committed. The PostgreSQL suite races two pools.
 */

describe("sqlite: updatePayment through the service", () => {
  let database: SqliteTestDatabase;
  let stores: SqlitePaymentStore[];
  let services: PaymentService[];

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    stores = [
      await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 }),
      await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 }),
    ];
    await migrate(stores[0]!);
    const gateway = createSimulatedGateway();
    services = stores.map((store) => createPaymentService({ store, gateways: [gateway] }));
  });
  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    database?.remove();
  });

  async function pending(key: string): Promise<Payment> {
    const { payment } = await services[0]!.createPayment({ owner: "user_1", amount: 2500, currency: "USD", metadata: { seat: "1" } }, { scope: "user_1", idempotencyKey: `create-${key}` });
    return payment;
  }

  it("stores the change, its updated history row and payment.updated; reads them back from the file", async () => {
    const payment = await pending("stored");
    const { payment: updated } = await services[0]!.updatePayment(payment.id, { amount: 3000, metadata: { seat: null, gate: "B" }, customerEmail: "a@example.com" }, { scope: "user_1", idempotencyKey: "u-stored" });
    const read = await services[1]!.getPaymentDetails(payment.id);
    expect(read.payment).toEqual(updated);
    expect(read.payment).toMatchObject({ amount: 3000, metadata: { gate: "B" }, customerEmail: "a@example.com", version: 2 });
    expect(read.history.at(-1)).toMatchObject({ kind: "updated", from: "pending", to: "pending", details: { changed: ["amount", "metadata", "customerEmail"] } });
    const events = await stores[0]!.listOutbox({ paymentId: payment.id, limit: 10 });
    expect(events.map((e) => [e.event.type, e.event.data.changedFields])).toEqual([["payment.created", undefined], ["payment.updated", ["amount", "metadata", "customerEmail"]]]);
  });

  it("three concurrent updates with the same key change the payment once; the others replay its answer", async () => {
    const payment = await pending("same-key");
    const ctx = { scope: "user_1", idempotencyKey: "u-same-key" };
    const results = await Promise.all([1, 2, 3].map(() => services[0]!.updatePayment(payment.id, { description: "once" }, ctx)));
    expect(results.map((r) => r.replayed).sort()).toEqual([false, true, true]);
    const details = await services[0]!.getPaymentDetails(payment.id);
    expect(details.payment).toMatchObject({ description: "once", version: 2 });
    expect(details.history.filter((h) => h.kind === "updated")).toHaveLength(1);
  });

  it("two concurrent updates with different keys on one version are both applied in turn, never a lost update", async () => {
    const payment = await pending("two-keys");
    await Promise.all([
      services[0]!.updatePayment(payment.id, { metadata: { a: "1" } }, { scope: "user_1", idempotencyKey: "u-two-a" }),
      services[0]!.updatePayment(payment.id, { metadata: { b: "2" } }, { scope: "user_1", idempotencyKey: "u-two-b" }),
    ]);
    const final = await services[0]!.getPayment(payment.id);
    expect(final.metadata).toEqual({ seat: "1", a: "1", b: "2" });
    expect(final.version).toBe(3);
  });

  it("after confirmation a money change is payment_not_editable and the file keeps the payment as it was", async () => {
    const payment = await pending("confirmed");
    const { payment: paid } = await services[0]!.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_1", idempotencyKey: "c-confirmed" });
    await expect(services[1]!.updatePayment(payment.id, { amount: 9000 }, { scope: "user_1", idempotencyKey: "u-confirmed" })).rejects.toMatchObject({ code: "payment_not_editable" });
    expect(await services[0]!.getPayment(payment.id)).toEqual(paid);
  });
});
