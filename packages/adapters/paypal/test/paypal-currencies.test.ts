import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { fromPayPalValue, toPayPalValue } from "../src/index.js";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";
import { approvedPayment, paymentId, rejection } from "./support/drive.js";

const rig: PayPalTestRig = await startPayPalRig();
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

function sentValue(): unknown {
  const create = rig.fake.requests.find((r) => r.method === "POST" && r.path === "/v2/checkout/orders")!;
  return (JSON.parse(create.body) as { purchase_units: Array<{ amount: unknown }> }).purchase_units[0]!.amount;
}

describe("minor units ↔ PayPal decimal strings, exactly", () => {
  it("converts without floats, both ways", () => {
    expect(toPayPalValue(1050, "USD")).toBe("10.50");
    expect(toPayPalValue(1, "EUR")).toBe("0.01");
    expect(toPayPalValue(1234, "JPY")).toBe("1234");
    expect(toPayPalValue(900_719_925_474_099, "USD")).toBe("9007199254740.99");
    expect(fromPayPalValue("9007199254740.99", "USD")).toBe(900_719_925_474_099);
    expect(fromPayPalValue("0.10", "USD")).toBe(10);
    expect(fromPayPalValue("1500", "HUF")).toBe(150_000);
  });

  it("JPY round-trips exactly through PayPal", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake, { amount: 123_457, currency: "JPY" });
    expect(sentValue()).toEqual({ currency_code: "JPY", value: "123457" });
    expect(paid).toMatchObject({ status: "succeeded", currency: "JPY", amount: 123_457, amountCaptured: 123_457 });
    const refund = await rig.gateway.refund(
      { paymentId: paid.paymentId!, refundId: "rf_jpy", providerPaymentId: paid.providerPaymentId, amount: 1, currency: "JPY", reason: "r" },
      { idempotencyKey: "k-jpy" },
    );
    expect(refund.amount).toBe(1);
    expect((await rig.gateway.retrieve(paid.providerPaymentId)).amountRefunded).toBe(1);
  });

  it("HUF and TWD (two decimals in ISO) go to PayPal as whole units and come back exactly", async () => {
    const paid = await approvedPayment(rig.gateway, rig.fake, { amount: 150_000, currency: "HUF" });
    expect(sentValue()).toEqual({ currency_code: "HUF", value: "1500" });
    expect(paid).toMatchObject({ status: "succeeded", amount: 150_000, amountCaptured: 150_000 });
    expect(toPayPalValue(12_300, "TWD")).toBe("123");
  });

  it("a HUF amount with fillér is refused with invalid_amount before PayPal is called", async () => {
    const id = paymentId();
    const error = await rejection(
      rig.gateway.createPayment({ paymentId: id, amount: 150_050, currency: "HUF", captureMethod: "automatic" }, { idempotencyKey: id }),
    );
    expect(error.code).toBe("invalid_amount");
    expect(rig.fake.requests.filter((r) => r.path === "/v2/checkout/orders")).toHaveLength(0);
  });

  it("PayPal takes no three-decimal currency: KWD is refused with currency_not_supported", async () => {
    for (const currency of ["KWD", "BHD", "TND"]) {
      const id = paymentId();
      const error = await rejection(
        rig.gateway.createPayment({ paymentId: id, amount: 1500, currency, captureMethod: "automatic" }, { idempotencyKey: id }),
      );
      expect(error.code, currency).toBe("currency_not_supported");
    }
    expect(rig.fake.requests).toHaveLength(0);
    expect(rig.gateway.capabilities.currencies).not.toContain("KWD");
    expect(rig.gateway.capabilities.minimumAmounts).toMatchObject({ HUF: 100, TWD: 100 });
  });

  it("a currency PayPal does not list (INR) is currency_not_supported", async () => {
    const id = paymentId();
    expect((await rejection(rig.gateway.createPayment({ paymentId: id, amount: 100, currency: "INR", captureMethod: "automatic" }, { idempotencyKey: id }))).code).toBe("currency_not_supported");
  });
});
