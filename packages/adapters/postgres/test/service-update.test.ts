import { createPaymentService, isPaymentError } from "@org/payments-core";
import type { Payment, PaymentService } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, migrate } from "../src/index.js";
import type { PostgresPaymentStore } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

/*
 * updatePayment on PostgreSQL, through the service: two services on two pools (two hosts) race the same payment, so
 * the idempotency claim and the version compare-and-set are decided by the database.
 */

const available = await postgresAvailable();

describe.skipIf(!available)("postgres: updatePayment through the service", () => {
  let t: PostgresTestStore;
  let second: PostgresPaymentStore;
  let services: PaymentService[];

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    second = await createPostgresStore({ connectionString: t.testSchema.url });
    const gateway = createSimulatedGateway();
    services = [t.store, second].map((store) => createPaymentService({ store, gateways: [gateway] }));
  });
  afterAll(async () => {
    await second?.close();
    await t?.dispose();
  });

  async function pending(key: string): Promise<Payment> {
    const { payment } = await services[0]!.createPayment({ owner: "user_1", amount: 2500, currency: "USD", metadata: { seat: "1" } }, { scope: "user_1", idempotencyKey: `create-${key}` });
    return payment;
  }

  it("stores the change, its updated history row and payment.updated; another pool reads them back", async () => {
    const payment = await pending("stored");
    const { payment: updated } = await services[0]!.updatePayment(payment.id, { amount: 3000, metadata: { seat: null, gate: "B" }, customerEmail: "a@example.com" }, { scope: "user_1", idempotencyKey: "u-stored" });
    const read = await services[1]!.getPaymentDetails(payment.id);
    expect(read.payment).toEqual(updated);
    expect(read.payment).toMatchObject({ amount: 3000, metadata: { gate: "B" }, customerEmail: "a@example.com", version: 2 });
    expect(read.history.at(-1)).toMatchObject({ kind: "updated", from: "pending", to: "pending", details: { changed: ["amount", "metadata", "customerEmail"] } });
    const events = await t.store.listOutbox({ paymentId: payment.id, limit: 10 });
    expect(events.map((e) => [e.event.type, e.event.data.changedFields])).toEqual([["payment.created", undefined], ["payment.updated", ["amount", "metadata", "customerEmail"]]]);
  });

  it("concurrent updates with the same key from two hosts change the payment once; the others replay or are told the key is in use", async () => {
    const payment = await pending("same-key");
    const ctx = { scope: "user_1", idempotencyKey: "u-same-key" };
    const results = await Promise.allSettled([0, 1, 0, 1].map((i) => services[i]!.updatePayment(payment.id, { description: "once" }, ctx)));
    for (const r of results) if (r.status === "rejected") expect(isPaymentError(r.reason) && r.reason.code).toBe("idempotency_key_in_use");
    const applied = results.filter((r) => r.status === "fulfilled" && !r.value.replayed);
    expect(applied).toHaveLength(1);
    const details = await services[0]!.getPaymentDetails(payment.id);
    expect(details.payment).toMatchObject({ description: "once", version: 2 });
    expect(details.history.filter((h) => h.kind === "updated")).toHaveLength(1);
  });

  it("concurrent updates with different keys on one version from two hosts are all applied in turn, never a lost update", async () => {
    const payment = await pending("two-keys");
    const keys = ["a", "b", "c", "d"];
    await Promise.all(keys.map((k, i) => services[i % 2]!.updatePayment(payment.id, { metadata: { [k]: k } }, { scope: "user_1", idempotencyKey: `u-two-${k}` })));
    const final = await services[0]!.getPayment(payment.id);
    expect(final.metadata).toEqual({ seat: "1", a: "a", b: "b", c: "c", d: "d" });
    expect(final.version).toBe(1 + keys.length);
    const history = (await services[1]!.getPaymentDetails(payment.id)).history.filter((h) => h.kind === "updated");
    expect(history).toHaveLength(keys.length);
  });

  it("after confirmation a money change is payment_not_editable and the payment stays as it was", async () => {
    const payment = await pending("confirmed");
    const { payment: paid } = await services[0]!.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_1", idempotencyKey: "c-confirmed" });
    await expect(services[1]!.updatePayment(payment.id, { amount: 9000 }, { scope: "user_1", idempotencyKey: "u-confirmed" })).rejects.toMatchObject({ code: "payment_not_editable" });
    expect(await services[0]!.getPayment(payment.id)).toEqual(paid);
  });
});
