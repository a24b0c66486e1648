import { createPaymentService, parsePaymentEvent } from "@org/payments-core";
import type { PaymentEvent, PaymentService } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import type { GatewayCallOptions, GatewayRefund, RefundGatewayRequest } from "@org/payments-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore, migrate } from "../src/index.js";
import type { SqlitePaymentStore } from "../src/index.js";
import { createSqliteTestDatabase } from "./sqlite-test-database.js";
import type { SqliteTestDatabase } from "./sqlite-test-database.js";

/*
 * Failure events on a real SQLite file, through the service: the reason a declined payment and a failed refund carry
 * (code, decline code, a message in any script, a card number masked) is what a second store on the file reads back
 * from the outbox, and it parses under the published schema.
 */

/** The provider's refund failure text: non-ASCII, and a card number that must never reach the outbox. */
const PROVIDER_REFUND_TEXT = "Konto geschlossen — carte 4242 4242 4242 4242 refusée 💳";

class RefundsFailingGateway extends SimulatedGateway {
  override async refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund> {
    return { ...(await super.refund(request, options)), status: "failed", failureReason: PROVIDER_REFUND_TEXT };
  }
}

describe("sqlite: failure events carry their reason", () => {
  let database: SqliteTestDatabase;
  let stores: SqlitePaymentStore[];
  let service: PaymentService;
  let refundsFail: PaymentService;

  beforeAll(async () => {
    database = createSqliteTestDatabase();
    stores = [
      await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 }),
      await createSqliteStore({ filename: database.filename, busyTimeoutMs: 20_000 }),
    ];
    await migrate(stores[0]!);
    service = createPaymentService({ store: stores[0]!, gateways: [new SimulatedGateway()] });
    refundsFail = createPaymentService({ store: stores[0]!, gateways: [new RefundsFailingGateway()] });
  });
  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    database?.remove();
  });

  /** A payment's events of `type` as the second store reads them, each parsed under its schema. */
  async function readBack(paymentId: string, type: PaymentEvent["type"]): Promise<PaymentEvent[]> {
    const entries = await stores[1]!.listOutbox({ paymentId, limit: 20 });
    return entries.map((e) => parsePaymentEvent(e.event)).filter((e) => e.type === type);
  }

  it("a declined payment's payment.failed holds the code and the decline code", async () => {
    const { payment } = await service.createPayment({ owner: "user_1", amount: 2500, currency: "EUR" }, { scope: "user_1", idempotencyKey: "create-declined" });
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_chargeDeclinedExpiredCard" }, { scope: "user_1", idempotencyKey: "confirm-declined" }).catch(() => undefined);
    const [failed] = await readBack(payment.id, "payment.failed");
    expect(failed!.data.error).toEqual({ code: "expired_card", declineCode: "expired_card", message: "Your card was declined (expired_card)." });
  });

  it("a failed refund's refund.failed holds the provider's text in its script, the card number masked", async () => {
    const { payment } = await refundsFail.createPayment({ owner: "user_1", amount: 2500, currency: "EUR" }, { scope: "user_1", idempotencyKey: "create-refund" });
    await refundsFail.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, { scope: "user_1", idempotencyKey: "confirm-refund" });
    await refundsFail.refundPayment(payment.id, { amount: 500, reason: "goodwill" }, { scope: "user_1", idempotencyKey: "refund" }).catch(() => undefined);
    const [failed] = await readBack(payment.id, "refund.failed");
    expect(failed!.data.refund).toMatchObject({ status: "failed", reason: "goodwill" });
    const error = failed!.data.error!;
    expect(error.code).toBe("processing_error");
    expect(error.message).toMatch(/^Konto geschlossen — carte .+ refusée 💳$/u);
    expect(error.message).not.toContain("4242 4242 4242 4242");
    expect(JSON.stringify(await stores[1]!.listOutbox({ paymentId: payment.id, limit: 20 }))).not.toMatch(/4242 ?4242 ?4242 ?4242/);
  });
});
