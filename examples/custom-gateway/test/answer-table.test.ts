import { type GatewayAnswerKind, type PaymentError, type PaymentGateway, classifyGatewayError, isPaymentError } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAcmeGateway } from "../src/index.js";
import { startAcmeRig, type AcmeRig } from "./acme-harness.js";

/*
 * The rows of the README's answer table that the contract kit does not reach: each Acme answer, through the
 * adapter, must be the core code and kind the table says. The kit proves the rest (declines, 3-D Secure, a lost
 * answer, a timeout, refused and failing refunds, idempotency).
 */

let rig: AcmeRig;
let seq = 0;
const newPaymentId = () => `pay_table_${++seq}`;

beforeAll(async () => {
  rig = await startAcmeRig();
});
afterAll(() => rig.fake.close());
beforeEach(() => rig.fake.reset());

function charge(gateway: PaymentGateway, fields: { amount?: number; currency?: string; card?: string; captureMethod?: "automatic" | "manual" } = {}) {
  const paymentId = newPaymentId();
  return gateway.createPayment(
    {
      paymentId,
      amount: fields.amount ?? 2000,
      currency: fields.currency ?? "USD",
      captureMethod: fields.captureMethod ?? "automatic",
      paymentMethodId: fields.card ?? "tok_visa",
    },
    { idempotencyKey: `${paymentId}:confirm` },
  );
}

async function refusalOf(work: Promise<unknown>): Promise<{ code: string; kind: GatewayAnswerKind; error: PaymentError }> {
  const error = await work.then(
    (value) => new Error(`answered ${JSON.stringify(value)} instead of refusing`),
    (e: unknown) => e,
  );
  if (!isPaymentError(error)) throw new Error(`expected a PaymentError, got ${String(error)}`);
  return { code: error.code, kind: classifyGatewayError(error), error };
}

describe("Acme answers the kit does not reach, each mapped as the README's table says", () => {
  it("400 amount_below_minimum → amount_too_small (invalid request), at each currency's own minimum", async () => {
    for (const [currency, minimum] of [["USD", 50], ["JPY", 50], ["KWD", 100]] as const) {
      expect(await refusalOf(charge(rig.gateway, { currency, amount: minimum - 1 }))).toMatchObject({ code: "amount_too_small", kind: "invalid_request" });
      expect((await charge(rig.gateway, { currency, amount: minimum })).amountCaptured).toBe(minimum);
    }
  });

  it("400 currency_not_supported → currency_not_supported (invalid request)", async () => {
    expect(await refusalOf(charge(rig.gateway, { currency: "EUR" }))).toMatchObject({ code: "currency_not_supported", kind: "invalid_request" });
  });

  it("400 unknown_card → validation_error naming paymentMethodId, without the token", async () => {
    const { code, kind, error } = await refusalOf(charge(rig.gateway, { card: "tok_not_a_real_card" }));
    expect({ code, kind }).toEqual({ code: "validation_error", kind: "invalid_request" });
    expect(error.details).toMatchObject({ field: "paymentMethodId", acmeCode: "unknown_card" });
    expect(error.message).not.toContain("tok_not_a_real_card");
  });

  it("400 amount_exceeds_capturable → invalid_amount; 409 invalid_state → invalid_state_transition", async () => {
    const held = await charge(rig.gateway, { captureMethod: "manual" });
    const over = rig.gateway.capture({ paymentId: held.paymentId!, providerPaymentId: held.providerPaymentId, amount: 2001, currency: "USD" }, { idempotencyKey: "cap-over" });
    expect(await refusalOf(over)).toMatchObject({ code: "invalid_amount", kind: "invalid_request" });
    await rig.gateway.cancel({ paymentId: held.paymentId!, providerPaymentId: held.providerPaymentId }, { idempotencyKey: "cancel" });
    const late = rig.gateway.capture({ paymentId: held.paymentId!, providerPaymentId: held.providerPaymentId, amount: 100, currency: "USD" }, { idempotencyKey: "cap-late" });
    expect(await refusalOf(late)).toMatchObject({ code: "invalid_state_transition", kind: "invalid_request" });
  });

  it("400 amount_exceeds_refundable → refund_exceeds_captured; 404 → not_found", async () => {
    const paid = await charge(rig.gateway);
    const refund = rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_over", providerPaymentId: paid.providerPaymentId, amount: 2001, currency: "USD", reason: "over" },
      { idempotencyKey: "refund-over" },
    );
    expect(await refusalOf(refund)).toMatchObject({ code: "refund_exceeds_captured", kind: "invalid_request" });
    expect(await refusalOf(rig.gateway.retrieve("ch_missing"))).toMatchObject({ code: "not_found", kind: "invalid_request" });
  });

  it("429 rate_limited → gateway_rate_limited with Acme's Retry-After (retryable)", async () => {
    rig.fake.injectFault({ kind: "refuse", status: 429, code: "rate_limited", retryAfterSeconds: 7 });
    const { code, kind, error } = await refusalOf(charge(rig.gateway));
    expect({ code, kind }).toEqual({ code: "gateway_rate_limited", kind: "retryable" });
    expect(error.retryAfterSeconds).toBe(7);
  });

  it("503 unavailable → gateway_error (retryable: answered before the request was read)", async () => {
    rig.fake.injectFault({ kind: "refuse", status: 503, code: "unavailable" });
    expect(await refusalOf(charge(rig.gateway))).toMatchObject({ code: "gateway_error", kind: "retryable" });
  });

  it("500 internal → gateway_outcome_unknown (Acme may have acted)", async () => {
    rig.fake.injectFault({ kind: "refuse", status: 500, code: "internal" });
    expect(await refusalOf(charge(rig.gateway))).toMatchObject({ code: "gateway_outcome_unknown", kind: "unknown_outcome" });
  });

  it("a 200 that is not a charge → gateway_outcome_unknown (Acme may have acted; the answer cannot say)", async () => {
    rig.fake.injectFault({ kind: "refuse", status: 200, code: "garbled" });
    expect(await refusalOf(charge(rig.gateway))).toMatchObject({ code: "gateway_outcome_unknown", kind: "unknown_outcome" });
  });

  it("422 idempotency_key_reused → gateway_outcome_unknown with sameKeyReplays", async () => {
    const paymentId = newPaymentId();
    const request = { paymentId, amount: 2000, currency: "USD", captureMethod: "automatic" as const, paymentMethodId: "tok_visa" };
    await rig.gateway.createPayment(request, { idempotencyKey: "reused" });
    const { code, kind, error } = await refusalOf(rig.gateway.createPayment({ ...request, amount: 2100 }, { idempotencyKey: "reused" }));
    expect({ code, kind }).toEqual({ code: "gateway_outcome_unknown", kind: "unknown_outcome" });
    expect(error.details).toMatchObject({ sameKeyReplays: true });
  });

  it("401 unauthenticated → gateway_error, and the API key appears nowhere in the error", async () => {
    const wrongKey = "sk_test_wrong_key_0123456789";
    const gateway = createAcmeGateway({ apiKey: wrongKey, baseUrl: rig.fake.url, webhookSecrets: [] });
    const { code, kind, error } = await refusalOf(charge(gateway));
    expect({ code, kind }).toEqual({ code: "gateway_error", kind: "retryable" });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(wrongKey);
  });

  it("connection refused → gateway_error (nothing was sent); a dropped answer → gateway_outcome_unknown", async () => {
    const closed = await startAcmeRig();
    await closed.fake.close();
    expect(await refusalOf(charge(closed.gateway))).toMatchObject({ code: "gateway_error", kind: "retryable" });
    rig.fake.injectFault({ kind: "drop_after_acting" });
    expect(await refusalOf(charge(rig.gateway))).toMatchObject({ code: "gateway_outcome_unknown", kind: "unknown_outcome" });
  });

  it("a card number given as payment method is refused locally, never sent, never repeated", () => {
    const refused = rig.gateway.checkPaymentMethod?.("4242424242424242");
    expect(refused?.code).toBe("validation_error");
    expect(refused?.message).not.toContain("4242");
    expect(rig.gateway.checkPaymentMethod?.("tok_visa")).toBeNull();
  });
});
