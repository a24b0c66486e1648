import { describe, expect, it } from "vitest";
import { ctx, paidPayment, setup } from "./helpers.js";

describe("payment flows through the service", () => {
  it("automatic capture: pending → processing → succeeded, with history, a receipt number and events", async () => {
    const { service, store } = setup();
    const payment = await paidPayment(service, 2500);
    expect(payment).toMatchObject({ status: "succeeded", amountCaptured: 2500, receiptNumber: "R-2026-000001" });
    const details = await service.getPaymentDetails(payment.id);
    expect(details.history.map((h) => [h.from, h.to])).toEqual([[null, "pending"], ["pending", "processing"], ["processing", "succeeded"]]);
    const events = await store.listOutbox({ paymentId: payment.id, limit: 100 });
    expect(events.map((e) => e.event.type)).toEqual(["payment.created", "payment.processing", "payment.succeeded"]);
  });

  it("a decline leaves the payment failed and answers with the card error code", async () => {
    const { service } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 2500, currency: "USD" }, ctx("c1"));
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa_chargeDeclinedInsufficientFunds" }, ctx("c2"))).rejects.toMatchObject({
      code: "insufficient_funds",
      declineCode: "insufficient_funds",
      httpStatus: 402,
    });
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "failed", lastError: { code: "insufficient_funds" } });
    // failed is terminal: confirming again is a state error
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c3"))).rejects.toMatchObject({ code: "invalid_state_transition" });
  });

  it("requires_action loops back to processing and succeeds after the customer completes 3-D Secure", async () => {
    const { service, gateway } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 2500, currency: "USD" }, ctx("c1"));
    const first = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("c2"));
    expect(first.payment).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    // Resuming before the customer acted keeps it waiting.
    const early = await service.confirmPayment(payment.id, {}, ctx("c3"));
    expect(early.payment.status).toBe("requires_action");
    gateway.completeAction(first.payment.providerPaymentId!);
    const resumed = await service.confirmPayment(payment.id, {}, ctx("c4"));
    expect(resumed.payment).toMatchObject({ status: "succeeded", nextAction: null });
    const history = (await service.getPaymentDetails(payment.id)).history.map((h) => h.to);
    expect(history).toEqual(["pending", "processing", "requires_action", "processing", "requires_action", "processing", "succeeded"]);
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("manual capture authorizes with an expiry, then captures part and releases the rest", async () => {
    const { service, clock } = setup();
    const authorized = await paidPayment(service, 8000, "manual");
    expect(authorized.status).toBe("authorized");
    expect(Date.parse(authorized.authorizationExpiresAt!)).toBeGreaterThan(clock.now().getTime());
    await expect(service.capturePayment(authorized.id, { amount: 9000 }, ctx("cap0", "admin"))).rejects.toMatchObject({ code: "invalid_amount" });
    const captured = await service.capturePayment(authorized.id, { amount: 6000 }, ctx("cap", "admin"));
    expect(captured.payment).toMatchObject({ status: "succeeded", amountCaptured: 6000 });
    await expect(service.refundPayment(authorized.id, { amount: 6001, reason: "too much" }, ctx("r", "admin"))).rejects.toMatchObject({
      code: "refund_exceeds_captured",
    });
  });

  it("cancels a pending payment locally and an authorization at the provider", async () => {
    const { service, gateway } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("c1"));
    expect((await service.cancelPayment(payment.id, {}, ctx("x1"))).payment.status).toBe("canceled");
    const authorized = await paidPayment(service, 100, "manual");
    expect((await service.cancelPayment(authorized.id, { reason: "customer left" }, ctx("x2"))).payment.status).toBe("canceled");
    expect(gateway.listObjects().find((o) => o.paymentId === authorized.id)?.status).toBe("canceled");
    await expect(service.cancelPayment(authorized.id, {}, ctx("x3"))).rejects.toMatchObject({ code: "invalid_state_transition" });
  });

  it("rejects bad amounts and unknown fields with stable codes and stores nothing", async () => {
    const { service, store } = setup();
    const bad: Array<[unknown, string]> = [
      [10.5, "invalid_amount"],
      ["1000", "invalid_amount"],
      [Number.MAX_SAFE_INTEGER + 1, "invalid_amount"],
      [0, "invalid_amount"],
      [-5, "invalid_amount"],
      [Number.NaN, "invalid_amount"],
    ];
    for (const [amount, code] of bad) {
      await expect(service.createPayment({ owner: "u", amount: amount as number, currency: "USD" }, ctx(`k${String(amount)}`))).rejects.toMatchObject({ code });
    }
    await expect(service.createPayment({ owner: "u", amount: 100, currency: "XYZ" }, ctx("cur"))).rejects.toMatchObject({ code: "validation_error" });
    await expect(service.createPayment({ owner: "u", amount: 100, currency: "USD", status: "succeeded" } as never, ctx("extra"))).rejects.toMatchObject({
      code: "validation_error",
    });
    await expect(
      service.createPayment({ owner: "u", amount: 100, currency: "USD", lineItems: [{ code: "a", description: "A", amount: 99 }] }, ctx("lines")),
    ).rejects.toMatchObject({ code: "invalid_amount" });
    expect((await store.listPayments({}, { limit: 10 })).items).toHaveLength(0);
  });

  it("attaches fare lines to a payment and its receipt, which adds up", async () => {
    const { service } = setup();
    const quote = service.quoteFare(
      { name: "city", currency: "USD", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 99, taxRate: "0.0875" },
      { distanceMeters: 5400, durationSeconds: 780 },
    );
    const { payment } = await service.createPayment({ owner: "u", amount: quote.total, currency: "USD", lineItems: quote.lines }, ctx("c"));
    await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("p"));
    await service.refundPayment(payment.id, { amount: 100, reason: "detour" }, ctx("r", "admin"));
    const receipt = await service.getReceipt(payment.id);
    expect(receipt.lines).toEqual(quote.lines);
    expect(receipt).toMatchObject({ total: quote.total, tax: quote.tax, amountRefunded: 100, netPaid: quote.total - 100 });
    const text = await service.renderReceipt(payment.id, "text");
    expect(text).toContain(receipt.number);
    expect(text).toContain("Tax (0.0875)");
    const html = await service.renderReceipt(payment.id, "html");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it("has no receipt before capture", async () => {
    const { service } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, ctx("c"));
    await expect(service.getReceipt(payment.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("stats count by status and report revenue net of refunds per currency", async () => {
    const { service } = setup();
    const a = await paidPayment(service, 1000);
    await paidPayment(service, 2000);
    await service.refundPayment(a.id, { amount: 400, reason: "r" }, ctx("r", "admin"));
    await service.createPayment({ owner: "u", amount: 300, currency: "EUR" }, ctx("eur"));
    const stats = await service.stats();
    expect(stats.byStatus).toEqual({ partially_refunded: 1, succeeded: 1, pending: 1 });
    expect(stats.byCurrency.find((c) => c.currency === "USD")).toEqual({ currency: "USD", count: 2, captured: "3000", refunded: "400", netRevenue: "2600" });
  });

  it("lists payments with filters and a cursor", async () => {
    const { service } = setup();
    for (let i = 0; i < 7; i++) {
      await service.createPayment({ owner: i < 3 ? "alice" : "bob", amount: 100 + i, currency: "USD", references: { booking: `b${i}` } }, ctx(`c${i}`));
    }
    const first = await service.listPayments({ owner: "bob" }, { limit: 3 });
    const second = await service.listPayments({ owner: "bob" }, { limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((p) => p.amount)).toEqual([106, 105, 104, 103]);
    expect(second.nextCursor).toBeNull();
    expect((await service.listPayments({ reference: { key: "booking", value: "b1" } })).items.map((p) => p.owner)).toEqual(["alice"]);
  });
});
