import { PaymentService, createMemoryStore, formatMoney, isPaymentError } from "@org/payments-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACME_SIGNATURE_HEADER } from "./acme-fake/index.js";
import { TEST_TIMEOUT_MS, startAcmeRig, type AcmeRig } from "./acme-harness.js";

/*
 * End to end: the core's PaymentService on the in-memory store, charging and refunding through the Acme adapter
 * against the fake. What the kit proves answer by answer, this proves as the service uses it.
 */

let rig: AcmeRig;
let service: PaymentService;
const shopper = (key: string) => ({ scope: "user_42", actor: "user_42", idempotencyKey: key });
const admin = (key: string) => ({ scope: "admin_1", actor: "admin_1", idempotencyKey: key });

/** What Acme itself holds for our payment: every charge made with its reference. */
async function chargesAtAcme(paymentId: string): Promise<Array<{ id: string; amount: number; status: string }>> {
  const response = await fetch(`${rig.fake.url}/v1/charges?reference=${paymentId}`, { headers: { authorization: `Bearer ${rig.fake.apiKey}` } });
  return ((await response.json()) as { data: Array<{ id: string; amount: number; status: string }> }).data;
}

beforeAll(async () => {
  rig = await startAcmeRig();
  service = new PaymentService({ store: createMemoryStore(), gateways: [rig.gateway] });
});
afterAll(() => rig.fake.close());

describe("PaymentService on Acme Pay", () => {
  it("charges once, replays a retried confirm, refunds in two parts down to refunded", async () => {
    const { payment } = await service.createPayment({ owner: "user_42", amount: 4599, currency: "USD", description: "Airport transfer" }, shopper("create-1"));
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-1"));
    expect(confirmed.payment).toMatchObject({ status: "succeeded", provider: "acme", amountCaptured: 4599 });

    const again = await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-1"));
    expect(again.replayed).toBe(true);
    expect(await chargesAtAcme(payment.id)).toHaveLength(1);

    const first = await service.refundPayment(payment.id, { amount: 1000, reason: "late pickup" }, admin("refund-1"));
    expect(first.refund).toMatchObject({ amount: 1000, status: "succeeded" });
    expect(first.payment.status).toBe("partially_refunded");
    const rest = await service.refundPayment(payment.id, { reason: "trip canceled" }, admin("refund-2"));
    expect(rest.refund.amount).toBe(3599);
    expect(rest.payment).toMatchObject({ status: "refunded", amountRefunded: 4599 });
    const [atAcme] = await chargesAtAcme(payment.id);
    expect(atAcme).toMatchObject({ amount: 4599 });
  });

  it("a confirm whose answer timed out is an unknown outcome; the retry finds the charge instead of making a second", async () => {
    const { payment } = await service.createPayment({ owner: "user_42", amount: 2500, currency: "USD" }, shopper("create-2"));
    rig.fake.injectFault({ kind: "slow_after_acting", delayMs: TEST_TIMEOUT_MS * 3 });
    const error = await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-2")).catch((e: unknown) => e);
    expect(isPaymentError(error, "gateway_outcome_unknown"), String(error)).toBe(true);

    const retried = await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-2"));
    expect(retried.payment).toMatchObject({ status: "succeeded", amountCaptured: 2500 });
    expect(await chargesAtAcme(payment.id)).toHaveLength(1);
  });

  it("takes KWD in fils and JPY in yen, and refuses below Acme's minimum before anything is stored", async () => {
    const { payment } = await service.createPayment({ owner: "user_42", amount: 1234, currency: "KWD" }, shopper("create-kwd"));
    await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-kwd"));
    expect((await chargesAtAcme(payment.id))[0]).toMatchObject({ amount: 1234, status: "succeeded" });
    expect(formatMoney(1234, "KWD")).toContain("1.234");

    const { payment: yen } = await service.createPayment({ owner: "user_42", amount: 500, currency: "JPY" }, shopper("create-jpy"));
    expect((await service.confirmPayment(yen.id, { paymentMethodId: "tok_visa" }, shopper("confirm-jpy"))).payment.amountCaptured).toBe(500);

    const tooSmall = await service.createPayment({ owner: "user_42", amount: 99, currency: "KWD" }, shopper("create-small")).catch((e: unknown) => e);
    expect(isPaymentError(tooSmall, "amount_too_small"), String(tooSmall)).toBe(true);
  });

  it("applies Acme's signed webhook once, and refuses a forged one", async () => {
    const { payment } = await service.createPayment({ owner: "user_42", amount: 3000, currency: "USD", captureMethod: "manual" }, shopper("create-3"));
    const held = await service.confirmPayment(payment.id, { paymentMethodId: "tok_visa" }, shopper("confirm-3"));
    expect(held.payment.status).toBe("authorized");
    // The merchant's back office captures at Acme directly; Acme tells us by webhook.
    await rig.gateway.capture({ paymentId: payment.id, providerPaymentId: held.payment.providerPaymentId!, amount: 3000, currency: "USD" }, { idempotencyKey: "backoffice" });
    const body = rig.fake.chargeEvent(held.payment.providerPaymentId!);
    const headers = { [ACME_SIGNATURE_HEADER]: rig.fake.sign(body) };

    expect(await service.handleWebhook("acme", body, headers)).toMatchObject({ status: "applied", paymentId: payment.id });
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
    expect((await service.handleWebhook("acme", body, headers)).status).toBe("duplicate");

    const forged = { [ACME_SIGNATURE_HEADER]: rig.fake.sign(body, { secret: "whsec_someone_else" }) };
    const refused = await service.handleWebhook("acme", body, forged).catch((e: unknown) => e);
    expect(isPaymentError(refused, "webhook_signature_invalid")).toBe(true);
  });
});
