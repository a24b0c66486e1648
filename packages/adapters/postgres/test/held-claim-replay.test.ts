import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore, createPaymentService } from "@org/payments-core";
import { sampleIdempotencyRecord, samplePayment } from "@org/payments-core/testing";
import type { PaymentService, PaymentStore } from "@org/payments-core";
import { createSimulatedGateway } from "@org/payments-core/simulated";
import { postgresAvailable } from "@org/payments-test-support/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/index.js";
import { createPostgresTestStore } from "./postgres-test-store.js";
import type { PostgresTestStore } from "./postgres-test-store.js";

const available = await postgresAvailable();

/**
 * A replay of a finished request answers its stored outcome, whatever the state now. A claim held ahead of its
 * answer (optimistic-claims.ts) lets phase one run on a key that was not new; when phase one then throws an error
 * that is not stored for replay, the transaction ends before the held claim is ever sent, so no unique violation
 * re-runs it, and the caller sees that error instead of the replay.
 */
describe.skipIf(!available)("PostgreSQL: a replay whose phase one now fails answers the stored outcome", () => {
  let t: PostgresTestStore;
  let dir: string;

  beforeAll(async () => {
    t = await createPostgresTestStore();
    await migrate(t.store);
    dir = mkdtempSync(join(tmpdir(), "held-claim-replay-"));
  });
  afterAll(async () => {
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function scenario(store: PaymentStore, stateFile: string) {
    const service: PaymentService = createPaymentService({ store, gateways: [createSimulatedGateway({ stateFile })] });
    const ctx = (key: string) => ({ scope: "user_replay", idempotencyKey: key });
    const { value: customer } = await service.createCustomer({ owner: "user_replay" }, ctx("cus"));
    const { paymentMethod: method } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save"));
    const request = { owner: "user_replay", amount: 1800, currency: "USD", customerId: customer.id, offSession: true };
    const first = await service.createPayment(request, ctx("fare"));
    // The default method goes away: a new off-session create without paymentMethodId is now a validation_error.
    await service.detachPaymentMethod(method.id, ctx("detach"));
    // The client's network retry of the same request under the same key.
    const replay = await service.createPayment(request, ctx("fare")).then(
      (result) => ({ id: result.payment.id, replayed: result.replayed }),
      (error: { code?: string }) => ({ error: error.code }),
    );
    return { first: first.payment.id, replay };
  }

  it("in memory (the reference): the replay answers the first payment", async () => {
    const { first, replay } = await scenario(createMemoryStore(), join(dir, "memory.json"));
    expect(replay).toEqual({ id: first, replayed: true });
  });

  it("on PostgreSQL: the replay answers the first payment", async () => {
    const { first, replay } = await scenario(t.store, join(dir, "pg.json"));
    expect(replay).toEqual({ id: first, replayed: true });
  });

  it("a held claim of a stored key beside a lost compare-and-set is re-run as a replay, not answered as conflict", async () => {
    const payment = samplePayment();
    await t.store.transaction(async (tx) => tx.insertPayment(payment));
    const record = sampleIdempotencyRecord({ key: "held-beside-guard", lockId: "lock_first" });
    await t.store.transaction(async (tx) => tx.insertIdempotencyRecord(record));
    // Claimed at once (the reference), the key answers false and the work replays without touching the payment.
    // Held, it answers true, the stale update is held beside it, and the one final statement fails on one of them.
    const answer = await t.store
      .transaction(async (tx) => {
        if (!(await tx.insertIdempotencyRecord({ ...record, lockId: "lock_second" }))) return "replay";
        await tx.updatePaymentOrConflict!({ ...payment, status: "processing", version: payment.version + 2 }, payment.version + 1);
        return "claimed";
      })
      .catch((error: { code?: string }) => `error ${error.code}`);
    expect(answer).toBe("replay");
  });
});
