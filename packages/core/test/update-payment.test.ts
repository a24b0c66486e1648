import { describe, expect, it } from "vitest";
import { parsePaymentEvent } from "../src/domain/event-schemas.js";
import { ctx, paidPayment, setup } from "./helpers.js";

async function pendingPayment(service: ReturnType<typeof setup>["service"], extra: Record<string, unknown> = {}) {
  const { payment } = await service.createPayment(
    { owner: "user_1", amount: 2500, currency: "USD", description: "ride", metadata: { seat: "12A", team: "ops" }, ...extra },
    ctx(`create-${Math.random()}`),
  );
  return payment;
}

describe("updatePayment", () => {
  it("before confirmation changes amount, currency, description, metadata (merge patch), references and customer, versioned, with a history row and payment.updated naming the fields", async () => {
    const { service, store } = setup();
    const payment = await pendingPayment(service, { references: { booking: "BK-1" } });
    const { payment: updated, replayed } = await service.updatePayment(
      payment.id,
      {
        amount: 3100,
        currency: "eur",
        description: "ride to the airport",
        metadata: { seat: null, gate: "B7" },
        references: { trip: "T-9" },
        customerId: "cus_1",
        customerEmail: "rider@example.com",
      },
      ctx("update-1"),
    );
    expect(replayed).toBe(false);
    expect(updated).toMatchObject({
      status: "pending",
      amount: 3100,
      currency: "EUR",
      description: "ride to the airport",
      metadata: { team: "ops", gate: "B7" },
      references: { booking: "BK-1", trip: "T-9" },
      customerId: "cus_1",
      customerEmail: "rider@example.com",
      version: payment.version + 1,
    });
    expect(updated.metadata).not.toHaveProperty("seat");
    expect(await service.getPayment(payment.id)).toEqual(updated);
    const history = (await service.getPaymentDetails(payment.id)).history;
    const row = history.at(-1)!;
    expect(row).toMatchObject({ kind: "updated", from: "pending", to: "pending", actor: "user_1" });
    const changed = ["amount", "currency", "description", "metadata", "references", "customerId", "customerEmail"];
    expect(row.details).toEqual({ changed });
    // Names only: no value that could be personal data travels in history or the event.
    expect(JSON.stringify(row)).not.toContain("rider@example.com");
    const events = await store.listOutbox({ paymentId: payment.id, limit: 100 });
    const event = events.at(-1)!.event;
    expect(event.type).toBe("payment.updated");
    expect(event.data.changedFields).toEqual(changed);
    expect(JSON.stringify(event)).not.toContain("rider@example.com");
    expect(() => parsePaymentEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
  });

  it("is idempotent: the same key replays the stored answer, changes once; the key with other changes is idempotency_key_reused", async () => {
    const { service, store } = setup();
    const payment = await pendingPayment(service);
    const first = await service.updatePayment(payment.id, { description: "a" }, ctx("u-1"));
    const again = await service.updatePayment(payment.id, { description: "a" }, ctx("u-1"));
    expect(again).toEqual({ payment: first.payment, replayed: true });
    await expect(service.updatePayment(payment.id, { description: "b" }, ctx("u-1"))).rejects.toMatchObject({ code: "idempotency_key_reused" });
    expect((await service.getPayment(payment.id)).version).toBe(payment.version + 1);
    const updates = (await store.listOutbox({ paymentId: payment.id, limit: 100 })).filter((e) => e.event.type === "payment.updated");
    expect(updates).toHaveLength(1);
  });

  it("a request that changes nothing stores no history row, no event and no new version", async () => {
    const { service, store } = setup();
    const payment = await pendingPayment(service);
    const result = await service.updatePayment(payment.id, { amount: 2500, description: "ride", metadata: { seat: "12A" } }, ctx("same"));
    expect(result.payment).toEqual(payment);
    expect((await service.getPaymentDetails(payment.id)).history).toHaveLength(1);
    expect((await store.listOutbox({ paymentId: payment.id, limit: 100 })).map((e) => e.event.type)).toEqual(["payment.created"]);
  });

  it("after confirmation changes description and metadata, and refuses money, customer and references with payment_not_editable, changing nothing", async () => {
    const { service } = setup();
    const paid = await paidPayment(service, 4000);
    const edited = await service.updatePayment(paid.id, { description: "refund desk note", metadata: { ticket: "Z-1" } }, ctx("after-1"));
    expect(edited.payment).toMatchObject({ status: "succeeded", description: "refund desk note", metadata: { ticket: "Z-1" }, amount: 4000 });
    for (const [i, changes] of [{ amount: 5000 }, { currency: "EUR" }, { customerEmail: "x@example.com" }, { references: { booking: "B" } }, { amount: 5000, description: "d" }].entries()) {
      await expect(service.updatePayment(paid.id, changes, ctx(`after-refused-${i}`))).rejects.toMatchObject({ code: "payment_not_editable", httpStatus: 409 });
    }
    expect(await service.getPayment(paid.id)).toEqual(edited.payment);
    // Stored for replay: the same key answers the same refusal.
    await expect(service.updatePayment(paid.id, { amount: 5000 }, ctx("after-refused-0"))).rejects.toMatchObject({ code: "payment_not_editable", replayed: true });
    // Resending the current amount is no change of amount.
    const same = await service.updatePayment(paid.id, { amount: 4000, description: "again" }, ctx("after-2"));
    expect(same.payment.description).toBe("again");
  });

  it("an itemized payment (from a fare quote) changes its amount only with the new quote's lines, which must add up", async () => {
    const { service } = setup();
    const tariff = { name: "city", currency: "USD", baseFare: 300, perKm: 150, perMinute: 30, minimumFare: 700, bookingFee: 100, taxRate: "0.10" };
    const quote = service.quoteFare(tariff, { distanceMeters: 5000, durationSeconds: 600 });
    const payment = await pendingPayment(service, { amount: quote.total, lineItems: quote.lines, metadata: {} });
    await expect(service.updatePayment(payment.id, { amount: quote.total + 500 }, ctx("stale-lines"))).rejects.toMatchObject({ code: "invalid_amount" });
    const longer = service.quoteFare(tariff, { distanceMeters: 9000, durationSeconds: 900 });
    await expect(service.updatePayment(payment.id, { amount: longer.total + 1, lineItems: longer.lines }, ctx("bad-sum"))).rejects.toMatchObject({ code: "invalid_amount" });
    await expect(service.updatePayment(payment.id, { currency: "EUR" }, ctx("stale-currency"))).rejects.toMatchObject({ code: "invalid_amount" });
    expect(await service.getPayment(payment.id)).toEqual(payment);
    const { payment: updated } = await service.updatePayment(payment.id, { amount: longer.total, lineItems: longer.lines }, ctx("new-quote"));
    expect(updated).toMatchObject({ amount: longer.total, lineItems: longer.lines });
    expect((await service.getPaymentDetails(payment.id)).history.at(-1)!.details).toEqual({ changed: ["amount", "lineItems"] });
    // Confirming charges the new amount.
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-new"));
    expect(confirmed.payment.amountCaptured).toBe(longer.total);
  });

  it("refuses bad input with stable codes and changes nothing: unknown fields, floats, bad metadata keys, card numbers, too many entries", async () => {
    const { service } = setup();
    const payment = await pendingPayment(service);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ status: "succeeded" }, "validation_error"],
      [{ amountCaptured: 1 }, "validation_error"],
      [{ amount: 10.5 }, "invalid_amount"],
      [{ amount: "3000" }, "invalid_amount"],
      [{ amount: 0 }, "invalid_amount"],
      [{ currency: "XXX1" }, "validation_error"],
      [{ metadata: JSON.parse('{"__proto__":"x"}') }, "validation_error"],
      [{ metadata: JSON.parse('{"__proto__":null}') }, "validation_error"],
      [{ metadata: { note: "card 4242 4242 4242 4242" } }, "validation_error"],
      [{ metadata: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"])) }, "validation_error"],
      [{ customerEmail: "not-an-email" }, "validation_error"],
    ];
    for (const [i, [changes, code]] of cases.entries()) {
      await expect(service.updatePayment(payment.id, changes as never, ctx(`bad-${i}`)), JSON.stringify(changes)).rejects.toMatchObject({ code });
    }
    expect(await service.getPayment(payment.id)).toEqual(payment);
    await expect(service.updatePayment("pay_missing", { description: "x" }, ctx("missing"))).rejects.toMatchObject({ code: "not_found" });
  });

  it("two concurrent updates with different keys on one version are both applied in turn, never a lost update", async () => {
    const { service } = setup();
    const payment = await pendingPayment(service);
    await Promise.all([
      service.updatePayment(payment.id, { metadata: { a: "1" } }, ctx("race-a")),
      service.updatePayment(payment.id, { metadata: { b: "2" } }, ctx("race-b")),
    ]);
    const final = await service.getPayment(payment.id);
    expect(final.metadata).toMatchObject({ a: "1", b: "2" });
    expect(final.version).toBe(payment.version + 2);
  });
});
