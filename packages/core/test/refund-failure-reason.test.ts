import { describe, expect, it } from "vitest";
import type { Refund } from "../src/domain/payment.js";
import { failedRefund } from "../src/service/apply-gateway-result.js";

const pending: Refund = {
  id: "ref_1",
  paymentId: "pay_1",
  amount: 500,
  currency: "EUR",
  status: "pending",
  reason: "goodwill",
  actor: "admin",
  providerRefundId: "re_1",
  failure: null,
  createdAt: "2026-03-01T10:00:00.000Z",
  updatedAt: "2026-03-01T10:00:00.000Z",
};
const at = "2026-03-01T11:00:00.000Z";

describe("why a refund failed, as stored and as refund.failed carries it", () => {
  it("a provider reason that is a code is kept as the decline code too (Stripe's failure_reason, PayPal's issue)", () => {
    for (const code of ["lost_or_stolen_card", "charge_disputed", "REFUND_FAILED_INSUFFICIENT_FUNDS"]) {
      expect(failedRefund(pending, { providerRefundId: "re_1", failureReason: code }, at).failure).toEqual({ code: "processing_error", declineCode: code, message: code });
    }
  });

  it("a sentence is only the message; no reason is the fallback text, without a decline code", () => {
    expect(failedRefund(pending, { providerRefundId: "re_1", failureReason: "card account closed" }, at).failure).toEqual({ code: "processing_error", message: "card account closed" });
    expect(failedRefund(pending, { providerRefundId: "re_1" }, at, "gave up").failure).toEqual({ code: "processing_error", message: "gave up" });
  });

  it("a reason holding a card number is masked and never becomes a decline code", () => {
    const failure = failedRefund(pending, { providerRefundId: "re_1", failureReason: "card_4242424242424242" }, at).failure!;
    expect(JSON.stringify(failure)).not.toContain("4242424242424242");
    expect(failure).not.toHaveProperty("declineCode");
  });
});
