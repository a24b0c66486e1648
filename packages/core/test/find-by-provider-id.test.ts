import { describe, expect, it } from "vitest";
import { isPaymentError } from "../src/errors/index.js";
import type { PaymentFilter } from "../src/ports/payment-store.js";
import { paidPayment, setup } from "./helpers.js";

async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    if (isPaymentError(error)) return error.code;
    throw error;
  }
  throw new Error("accepted, expected a refusal");
}

describe("service.findPaymentByProviderId", () => {
  it("finds the payment a provider's id names, and nothing for another provider or an unknown id", async () => {
    const { service } = setup();
    const paid = await paidPayment(service);
    expect(paid.providerPaymentId).toEqual(expect.any(String));
    expect((await service.findPaymentByProviderId(paid.provider, paid.providerPaymentId!)).id).toBe(paid.id);
    expect(await codeOf(() => service.findPaymentByProviderId("stripe", paid.providerPaymentId!))).toBe("not_found");
    expect(await codeOf(() => service.findPaymentByProviderId(paid.provider, "pi_unknown"))).toBe("not_found");
    // Text no payment can hold is simply named by none, never a store error.
    expect(await codeOf(() => service.findPaymentByProviderId(paid.provider, "pi_\u0000"))).toBe("not_found");
    expect(await codeOf(() => service.findPaymentByProviderId(paid.provider, ""))).toBe("validation_error");
    expect(await codeOf(() => service.findPaymentByProviderId("", paid.providerPaymentId!))).toBe("validation_error");
  });
});

describe("service.findPaymentByProviderId given a refund's provider id", () => {
  it("finds the refunded payment, as support starts from a re_… as often as from a pi_…", async () => {
    const { service } = setup();
    const paid = await paidPayment(service);
    const { refund } = await service.refundPayment(paid.id, { amount: 500, reason: "late" }, { scope: "admin", idempotencyKey: "refund-1", actor: "admin" });
    expect(refund.providerRefundId).toEqual(expect.any(String));
    expect((await service.findPaymentByProviderId(paid.provider, refund.providerRefundId!)).id).toBe(paid.id);
    expect(await codeOf(() => service.findPaymentByProviderId("stripe", refund.providerRefundId!))).toBe("not_found");
  });
});

describe("service.listPayments refuses a filter it does not have", () => {
  it("answers validation_error for an unknown key instead of every payment", async () => {
    const { service } = setup();
    await paidPayment(service);
    const refused = await codeOf(() => service.listPayments({ custmerId: "cus_1" } as PaymentFilter));
    expect(refused).toBe("validation_error");
    expect((await service.listPayments({ customerId: "cus_1" })).items).toEqual([]);
    expect((await service.listPayments({})).items).toHaveLength(1);
  });
});
