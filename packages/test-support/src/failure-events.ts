import { createPaymentService, parsePaymentEvent } from "@org/payments-core";
import type { GatewayCallOptions, GatewayRefund, PaymentEvent, PaymentService, PaymentStore, RefundGatewayRequest } from "@org/payments-core";
import { SimulatedGateway } from "@org/payments-core/simulated";
import { afterAll, beforeAll, expect, it } from "vitest";

/** The provider's refund failure text: non-ASCII, and a card number that must never reach the outbox. */
const PROVIDER_REFUND_TEXT = "Konto geschlossen — carte 4242 4242 4242 4242 refusée 💳";

class RefundsFailingGateway extends SimulatedGateway {
  override async refund(request: RefundGatewayRequest, options: GatewayCallOptions): Promise<GatewayRefund> {
    return { ...(await super.refund(request, options)), status: "failed", failureReason: PROVIDER_REFUND_TEXT };
  }
}

export interface FailureEventStores {
  /** The store the service writes through. */
  store: PaymentStore;
  /** A second store on the same database (its own connection or pool), which reads the outbox back. */
  reader: PaymentStore;
  /** Every outbox row of the payment as the database holds it, as text (to look for a card number in it). */
  rawOutbox(paymentId: string): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * Failure events through the service on a real store: the reason a declined payment and a failed refund carry
 * (code, decline code, a message in any script, a card number masked) is what a second connection reads back from
 * the outbox, and it parses under the published schema. Registers its cases in the caller's `describe`.
 */
export function defineFailureEventCases(open: () => Promise<FailureEventStores>): void {
  let stores: FailureEventStores;
  let service: PaymentService;
  let refundsFail: PaymentService;

  beforeAll(async () => {
    stores = await open();
    service = createPaymentService({ store: stores.store, gateways: [new SimulatedGateway()] });
    refundsFail = createPaymentService({ store: stores.store, gateways: [new RefundsFailingGateway()] });
  });
  afterAll(async () => {
    await stores?.dispose();
  });

  /** A payment's events of `type` as the second store reads them, each parsed under its schema. */
  async function readBack(paymentId: string, type: PaymentEvent["type"]): Promise<PaymentEvent[]> {
    const entries = await stores.reader.listOutbox({ paymentId, limit: 20 });
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
    expect(await stores.rawOutbox(payment.id)).not.toMatch(/4242 ?4242 ?4242 ?4242/);
  });
}
