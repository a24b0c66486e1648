import { isPaymentError, type PaymentError } from "@org/payments-core";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromStripeAmount, mapStripeError, toStripeAmount } from "../src/index.js";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig();
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

function pay(amount: number, currency: string, captureMethod: "automatic" | "manual" = "automatic") {
  return rig.gateway.createPayment(
    { paymentId: newPaymentId(), amount, currency, captureMethod, paymentMethodId: "pm_card_visa" },
    { idempotencyKey: key("cur") },
  );
}

async function failure(promise: Promise<unknown>): Promise<PaymentError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(isPaymentError(error)).toBe(true);
  return error as PaymentError;
}

describe("Stripe currency units", () => {
  it("JPY (zero-decimal at both) round-trips exactly through capture and refund", async () => {
    const authorized = await pay(5_001, "JPY", "manual");
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ amount: 5_001, currency: "jpy" });
    const captured = await rig.gateway.capture(
      { paymentId: "p", providerPaymentId: authorized.providerPaymentId, amount: 4_999, currency: "JPY" },
      { idempotencyKey: key("cap") },
    );
    expect(captured).toMatchObject({ amount: 5_001, amountCaptured: 4_999, currency: "JPY" });
    const refund = await rig.gateway.refund(
      { paymentId: "p", refundId: "r", providerPaymentId: authorized.providerPaymentId, amount: 1, currency: "JPY", reason: "duplicate" },
      { idempotencyKey: key("ref") },
    );
    expect(refund).toMatchObject({ amount: 1, currency: "JPY" });
    expect((await rig.gateway.retrieve(authorized.providerPaymentId)).amountRefunded).toBe(1);
  });

  it("KWD (three decimals) round-trips exactly when the last digit is 0, and is refused locally otherwise", async () => {
    const paid = await pay(12_340, "KWD");
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ amount: 12_340, currency: "kwd" });
    expect(paid).toMatchObject({ amount: 12_340, amountCaptured: 12_340, currency: "KWD" });
    expect((await rig.gateway.retrieve(paid.providerPaymentId)).amount).toBe(12_340);

    rig.fake.reset();
    expect((await failure(pay(12_345, "KWD"))).code).toBe("invalid_amount");
    expect(rig.fake.requests).toHaveLength(0);
  });

  it("MGA is ISO two-decimal but zero-decimal at Stripe: divided by 100 on the way out, multiplied back", async () => {
    const paid = await pay(500_000, "MGA");
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ amount: 5_000, currency: "mga" });
    expect(paid.amount).toBe(500_000);
    expect((await failure(pay(500_050, "MGA"))).code).toBe("invalid_amount");
  });

  it("ISK and UGX are ISO zero-decimal but two-decimal (…00) at Stripe", async () => {
    const isk = await pay(5, "ISK");
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ amount: 500, currency: "isk" });
    expect(isk.amount).toBe(5);
    rig.fake.reset();
    const ugx = await pay(60_000, "UGX");
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ amount: 6_000_000 });
    expect(ugx.amountCaptured).toBe(60_000);
  });

  it("HUF and TWD keep ISO two-decimal amounts for charges (their zero-decimal rule is for payouts)", () => {
    expect(toStripeAmount(17_550, "HUF")).toBe(17_550);
    expect(toStripeAmount(10_050, "TWD")).toBe(10_050);
  });

  it("conversion is exact and invertible for every special case, with no floats", () => {
    for (const [iso, currency] of [
      [7, "ISK"],
      [900_719_925_474, "UGX"],
      [123_400, "MGA"],
      [1_230, "BHD"],
      [1, "JPY"],
      [9_007_199_254_740_991, "USD"],
    ] as const) {
      expect(fromStripeAmount(toStripeAmount(iso, currency), currency)).toBe(iso);
    }
    expect(() => toStripeAmount(Number.MAX_SAFE_INTEGER, "ISK")).toThrow(/too large/);
    expect(() => fromStripeAmount(550, "ISK")).toThrow();
  });

  it("amounts below Stripe's minimum are amount_too_small before any request", async () => {
    expect(rig.gateway.capabilities.minimumAmounts).toMatchObject({ USD: 50, JPY: 50, GBP: 30 });
    expect((await failure(pay(49, "USD"))).code).toBe("amount_too_small");
    expect((await failure(pay(49, "JPY"))).code).toBe("amount_too_small");
    expect(rig.fake.requests).toHaveLength(0);
    expect((await pay(50, "USD")).status).toBe("succeeded");
  });

  it("Stripe's own amount_too_small answer maps to amount_too_small", () => {
    const error = new Stripe.errors.StripeInvalidRequestError({
      type: "invalid_request_error",
      code: "amount_too_small",
      param: "amount",
      message: "Amount must convert to at least 50 cents.",
      statusCode: 400,
    });
    const mapped = mapStripeError(error, "create");
    expect(mapped.code).toBe("amount_too_small");
    expect(mapped.cause).toBe(error);
  });

  it("a currency Stripe refuses is currency_not_supported (from Stripe, or locally for codes Stripe never takes)", async () => {
    expect((await failure(pay(1_000, "XCD"))).code).toBe("currency_not_supported");
    expect(rig.fake.requests).toHaveLength(1);
    expect((await failure(pay(1_000, "IQD"))).code).toBe("currency_not_supported");
    expect((await failure(pay(1_000, "ABC"))).code).toBe("validation_error");
    expect(rig.fake.requests).toHaveLength(1);
  });
});
