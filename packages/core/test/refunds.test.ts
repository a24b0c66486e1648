import { describe, expect, it } from "vitest";
import { isPaymentError } from "../src/errors/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

describe("refunds", () => {
  it("refunds never exceed the captured amount under 20 concurrent partial refunds", async () => {
    const { service, gateway } = setup();
    const payment = await paidPayment(service, 10_000);
    // Slow the provider so the racers really overlap at the gateway.
    for (let i = 0; i < 20; i++) gateway.injectFault({ kind: "delay", ms: 5, operation: "refund" });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => service.refundPayment(payment.id, { amount: 700, reason: `racer ${i}` }, ctx(`refund-${i}`, "admin"))),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(won).toHaveLength(14); // 14 × 700 = 9,800 ≤ 10,000 < 15 × 700
    expect(lost).toHaveLength(6);
    for (const error of lost) expect(isPaymentError(error, "refund_exceeds_captured")).toBe(true);
    const after = await service.getPayment(payment.id);
    expect(after).toMatchObject({ amountRefunded: 9800, amountRefundReserved: 0, status: "partially_refunded" });
    const object = gateway.listObjects().find((o) => o.paymentId === payment.id)!;
    expect(object.amountRefunded).toBe(9800);
    expect(object.refunds).toHaveLength(14);
  });

  it("a full refund without an amount refunds what remains, then nothing is left", async () => {
    const { service } = setup();
    const payment = await paidPayment(service, 5000);
    await service.refundPayment(payment.id, { amount: 1000, reason: "partial" }, ctx("r1", "admin"));
    const full = await service.refundPayment(payment.id, { reason: "rest" }, ctx("r2", "admin"));
    expect(full.refund.amount).toBe(4000);
    expect(full.payment).toMatchObject({ status: "refunded", amountRefunded: 5000 });
    await expect(service.refundPayment(payment.id, { reason: "again" }, ctx("r3", "admin"))).rejects.toMatchObject({
      code: "refund_exceeds_captured",
      message: expect.stringContaining("nothing is left"),
    });
  });

  it("each partial refund gets its own gateway key, so a second refund is never deduplicated into the first", async () => {
    const { service, gateway } = setup();
    const payment = await paidPayment(service, 5000);
    await service.refundPayment(payment.id, { amount: 1000, reason: "same" }, ctx("a", "admin"));
    await service.refundPayment(payment.id, { amount: 1000, reason: "same" }, ctx("b", "admin"));
    expect(gateway.listObjects().find((o) => o.paymentId === payment.id)?.refunds).toHaveLength(2);
  });

  it("requires a reason, refuses non-captured payments and bad amounts, changing nothing", async () => {
    const { service } = setup();
    const payment = await paidPayment(service, 5000);
    await expect(service.refundPayment(payment.id, { reason: "  " }, ctx("x", "admin"))).rejects.toMatchObject({ code: "validation_error" });
    await expect(service.refundPayment(payment.id, { amount: 10.5, reason: "r" }, ctx("y", "admin"))).rejects.toMatchObject({ code: "invalid_amount" });
    await expect(service.refundPayment(payment.id, { amount: 0, reason: "r" }, ctx("z", "admin"))).rejects.toMatchObject({ code: "invalid_amount" });
    const { payment: pending } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("p"));
    await expect(service.refundPayment(pending.id, { reason: "r" }, ctx("w", "admin"))).rejects.toMatchObject({ code: "invalid_state_transition" });
    expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 0, amountRefundReserved: 0, version: payment.version });
  });

  it("a refund the provider refuses releases its reservation and is recorded as failed", async () => {
    const { service, gateway } = setup();
    const payment = await paidPayment(service, 5000);
    // Make the provider disagree about what is refundable (e.g. refunded elsewhere meanwhile).
    const object = gateway.listObjects().find((o) => o.paymentId === payment.id)!;
    await gateway.refund(
      { paymentId: payment.id, refundId: "outside", providerPaymentId: object.id, amount: 4500, currency: "USD", reason: "dashboard" },
      { idempotencyKey: "outside" },
    );
    const result = await service.refundPayment(payment.id, { amount: 1000, reason: "customer" }, ctx("r", "admin"));
    expect(result.refund).toMatchObject({ status: "failed" });
    expect(result.payment).toMatchObject({ amountRefunded: 0, amountRefundReserved: 0, status: "succeeded" });
    const { refunds } = await service.getPaymentDetails(payment.id);
    expect(refunds.map((r) => r.status)).toEqual(["failed"]);
  });
});
