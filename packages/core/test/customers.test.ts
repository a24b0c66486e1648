import { describe, expect, it } from "vitest";
import { decorateGateway } from "../src/decorate/index.js";
import { PaymentError } from "../src/errors/index.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import { ManualClock } from "../src/ports/clock.js";
import { PaymentService } from "../src/service/payment-service.js";
import { SimulatedGateway } from "../src/simulated/index.js";
import { ctx, setup } from "./helpers.js";

type Rig = ReturnType<typeof setup>;

async function customerWithCard(rig: Rig, card = "pm_card_visa", owner = "user_1") {
  const { value: customer } = await rig.service.createCustomer({ owner, email: "rider@example.com", name: "A. Rider" }, ctx(`cus-${Math.random()}`, owner));
  const { paymentMethod } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: card }, ctx(`save-${Math.random()}`, owner));
  return { customer: await rig.service.getCustomer(customer.id), method: paymentMethod };
}

async function offSessionCharge(rig: Rig, customerId: string, amount = 1800, key = `fare-${Math.random()}`) {
  const { payment } = await rig.service.createPayment({ owner: "user_1", amount, currency: "USD", customerId, offSession: true }, ctx(`${key}-create`, "service"));
  return rig.service.confirmPayment(payment.id, {}, ctx(`${key}-confirm`, "service"));
}

describe("saving a payment method without charging", () => {
  it("a card saved becomes the customer's default: the provider's token and what identifies the card, never its number", async () => {
    const rig = setup();
    const { customer, method } = await customerWithCard(rig);
    expect(method).toMatchObject({ status: "active", customerId: customer.id, provider: "simulated", type: "card", brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 });
    expect(method.providerPaymentMethodId).toMatch(/^sim_pm_/);
    expect(customer.defaultPaymentMethodId).toBe(method.id);
    expect(customer.providerCustomerIds["simulated"]).toMatch(/^sim_cus_/);
    expect(await rig.service.listSavedPaymentMethods(customer.id)).toEqual([method]);
    // A second card keeps the first as the default, and is saved under the same provider customer.
    const { paymentMethod: second } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save-2"));
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBe(method.id);
    expect(rig.gateway.listSavedMethods().filter((m) => m.customerId === customer.providerCustomerIds["simulated"])).toHaveLength(2);
    expect(second.status).toBe("active");
  });

  it("a bank that asks the customer to authenticate the saving: requires_action, then active once they did", async () => {
    const rig = setup();
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    const { paymentMethod: waiting } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("save"));
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    rig.gateway.completeSetupAction(waiting.providerSetupId!);
    const { paymentMethod: saved } = await rig.service.confirmSavedPaymentMethod(waiting.id, ctx("save-confirm"));
    expect(saved).toMatchObject({ id: waiting.id, status: "active", nextAction: null });
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBe(saved.id);
  });

  it("a card the bank refuses to save: the decline, and a failed method that is never chargeable", async () => {
    const rig = setup();
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("save"))).rejects.toMatchObject({ code: "card_declined" });
    const [failed] = await rig.service.listSavedPaymentMethods(customer.id);
    expect(failed).toMatchObject({ status: "failed", providerPaymentMethodId: null });
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBeNull();
    await expect(
      rig.service.createPayment({ owner: "user_1", amount: 500, currency: "USD", customerId: customer.id, paymentMethodId: failed!.id, offSession: true }, ctx("pay")),
    ).rejects.toMatchObject({ code: "invalid_state_transition" });
  });

  it("a save whose answer was lost is found by the retry, past the provider's key retention too, never saved twice", async () => {
    const rig = setup({ keyRetentionMs: 60_000 });
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    rig.gateway.injectFault({ kind: "lose_response", operation: "setup" });
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const [pending] = await rig.service.listSavedPaymentMethods(customer.id);
    expect(pending?.status).toBe("pending");
    // The provider has forgotten the key by the time the client retries: only a lookup can tell it saved the card.
    rig.clock.advance(120_000);
    const { paymentMethod } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save"));
    expect(paymentMethod).toMatchObject({ id: pending!.id, status: "active" });
    expect(rig.gateway.listSavedMethods()).toHaveLength(1);
    expect(await rig.service.listSavedPaymentMethods(customer.id)).toHaveLength(1);
  });

  it("refuses a card number, an unknown token and a provider that cannot save, storing nothing", async () => {
    const rig = setup();
    await expect(rig.service.createCustomer({ owner: "user_1", name: "4242 4242 4242 4242" }, ctx("cus-card"))).rejects.toMatchObject({ code: "validation_error" });
    // A card number as the email's local part: refused as in any identifier, and never repeated back.
    const email = rig.service.createCustomer({ owner: "user_1", email: "4242424242424242@example.com" }, ctx("cus-email"));
    await expect(email).rejects.toMatchObject({ code: "validation_error" });
    await expect(email.catch((error: Error) => JSON.stringify({ message: error.message, details: (error as { details?: unknown }).details }))).resolves.not.toContain("4242424242424242");
    await expect(rig.service.createPayment({ owner: "user_1", amount: 100, currency: "USD", customerEmail: "4242424242424242@example.com" }, ctx("pay-email"))).rejects.toMatchObject({ code: "validation_error" });
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "4242424242424242" }, ctx("save-card"))).rejects.toMatchObject({ code: "validation_error" });
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_nope" }, ctx("save-unknown"))).rejects.toMatchObject({ code: "validation_error" });
    expect(await rig.service.listSavedPaymentMethods(customer.id)).toEqual([]);
    expect((await rig.service.listCustomers({ owner: "user_1" })).items).toHaveLength(1);
  });
});

describe("charging a saved method off-session", () => {
  it("a fare charged with the default method, the customer absent", async () => {
    const rig = setup();
    const { customer, method } = await customerWithCard(rig);
    const { payment } = await offSessionCharge(rig, customer.id);
    expect(payment).toMatchObject({ status: "succeeded", offSession: true, customerId: customer.id, paymentMethodId: method.id, amountCaptured: 1800 });
    expect(rig.gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a bank that demands authentication: requires_action with why and where, an event that says so, then paid once the customer came back", async () => {
    const rig = setup();
    const { customer } = await customerWithCard(rig, "pm_card_authenticationRequiredOffSession");
    const { payment } = await offSessionCharge(rig, customer.id);
    expect(payment).toMatchObject({ status: "requires_action", lastError: { code: "authentication_required", declineCode: "authentication_required" } });
    expect(payment.nextAction?.url).toMatch(/^https:/);
    const events = (await rig.store.listOutbox({ paymentId: payment.id, limit: 20 })).map((e) => e.event);
    expect(events.find((e) => e.type === "payment.requires_action")?.data.error).toMatchObject({ code: "authentication_required" });
    rig.gateway.completeAction(payment.providerPaymentId!);
    const { payment: paid } = await rig.service.confirmPayment(payment.id, {}, ctx("resume", "user_1"));
    expect(paid).toMatchObject({ status: "succeeded", lastError: null });
    expect(rig.gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a saved card that has expired since: the decline, as for any charge", async () => {
    const rig = setup();
    const { customer } = await customerWithCard(rig, "pm_card_expiredOffSession");
    await expect(offSessionCharge(rig, customer.id)).rejects.toMatchObject({ code: "expired_card" });
  });

  it("racers: two creates and then two confirms under one key each make one payment and one charge", async () => {
    const rig = setup();
    const { customer } = await customerWithCard(rig);
    const create = () => rig.service.createPayment({ owner: "user_1", amount: 900, currency: "USD", customerId: customer.id, offSession: true }, ctx("fare-create", "service"));
    const created = await Promise.all([create(), create()]);
    expect(created[0].payment.id).toBe(created[1].payment.id);
    const confirm = () => rig.service.confirmPayment(created[0].payment.id, {}, ctx("fare-confirm", "service"));
    const settled = await Promise.allSettled([confirm(), confirm()]);
    const paid = settled.filter((s) => s.status === "fulfilled");
    expect(paid.length).toBeGreaterThanOrEqual(1);
    for (const s of settled) if (s.status === "rejected") expect(s.reason).toMatchObject({ code: "idempotency_key_in_use" });
    expect(rig.gateway.chargesFor(created[0].payment.id)).toBe(1);
    expect((await rig.service.getPayment(created[0].payment.id)).status).toBe("succeeded");
  });

  it("only the owner's live customer and its own active methods: others are not found, a detached one is refused, nothing is created", async () => {
    const rig = setup();
    const { customer, method } = await customerWithCard(rig);
    const { customer: theirs, method: theirMethod } = await customerWithCard(rig, "pm_card_visa", "user_2");
    const attempt = (customerId: string, paymentMethodId?: string) =>
      rig.service.createPayment({ owner: "user_1", amount: 700, currency: "USD", customerId, paymentMethodId, offSession: true }, ctx(`try-${Math.random()}`));
    await expect(attempt(theirs.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(attempt(customer.id, theirMethod.id)).rejects.toMatchObject({ code: "not_found" });
    await rig.service.detachPaymentMethod(method.id, ctx("detach"));
    await expect(attempt(customer.id, method.id)).rejects.toMatchObject({ code: "invalid_state_transition" });
    expect((await rig.service.listPayments({ owner: "user_1" })).items).toEqual([]);
  });
});

describe("saving while paying, detaching and deleting", () => {
  it("a confirm with savePaymentMethod saves the card for the payment's customer, who can then be charged off-session", async () => {
    const rig = setup();
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    const { payment } = await rig.service.createPayment({ owner: "user_1", amount: 2500, currency: "USD", customerId: customer.id }, ctx("deposit"));
    const { payment: paid } = await rig.service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa", savePaymentMethod: true }, ctx("deposit-confirm"));
    expect(paid.status).toBe("succeeded");
    const [saved] = await rig.service.listSavedPaymentMethods(customer.id);
    expect(saved).toMatchObject({ status: "active", last4: "4242" });
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBe(saved!.id);
    const { payment: balance } = await offSessionCharge(rig, customer.id, 7500);
    expect(balance).toMatchObject({ status: "succeeded", paymentMethodId: saved!.id });
  });

  it("detaching removes the method at the provider and as the default; deleting the customer detaches the rest and refuses new ones", async () => {
    const rig = setup();
    const { customer, method } = await customerWithCard(rig);
    const { paymentMethod: second } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save-2"));
    const { paymentMethod: detached } = await rig.service.detachPaymentMethod(method.id, ctx("detach"));
    expect(detached.status).toBe("detached");
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBeNull();
    expect(rig.gateway.listSavedMethods().find((m) => m.id === method.providerPaymentMethodId)?.detached).toBe(true);
    const { customer: deleted } = await rig.service.deleteCustomer(customer.id, ctx("delete"));
    expect(deleted.deletedAt).not.toBeNull();
    expect((await rig.service.getSavedPaymentMethod(second.id)).status).toBe("detached");
    expect(rig.gateway.listSavedMethods().every((m) => m.detached)).toBe(true);
    // The same request again answers the same; a new save is refused.
    expect((await rig.service.deleteCustomer(customer.id, ctx("delete"))).customer).toEqual(deleted);
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save-3"))).rejects.toMatchObject({ code: "invalid_state_transition" });
  });
});

describe("what the review found: nothing chargeable slips through", () => {
  it("another owner's saved method, named on an ordinary payment with their customer id, is not found and charges nothing", async () => {
    const rig = setup();
    const { customer: theirs, method: theirMethod } = await customerWithCard(rig, "pm_card_visa", "user_2");
    const { payment } = await rig.service.createPayment({ owner: "user_1", amount: 900, currency: "USD", customerId: theirs.id }, ctx("mine"));
    await expect(rig.service.confirmPayment(payment.id, { paymentMethodId: theirMethod.id }, ctx("mine-confirm"))).rejects.toMatchObject({ code: "not_found" });
    expect(rig.gateway.chargesFor(payment.id)).toBe(0);
    expect((await rig.service.getPayment(payment.id)).status).toBe("pending");
    // Without a customer, our id is no token the provider knows: refused, nothing charged.
    const { payment: bare } = await rig.service.createPayment({ owner: "user_1", amount: 900, currency: "USD" }, ctx("bare"));
    await expect(rig.service.confirmPayment(bare.id, { paymentMethodId: theirMethod.id }, ctx("bare-confirm"))).rejects.toMatchObject({ code: "validation_error" });
    expect(rig.gateway.chargesFor(bare.id)).toBe(0);
  });

  it("a method detached while its save was at the provider never becomes chargeable, and the next detach removes it there", async () => {
    const rig = setup();
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    rig.gateway.injectFault({ kind: "lose_response", operation: "setup" });
    await expect(rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const [pending] = await rig.service.listSavedPaymentMethods(customer.id);
    await rig.service.detachPaymentMethod(pending!.id, ctx("detach-1"));
    const { paymentMethod: late } = await rig.service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, ctx("save"));
    expect(late).toMatchObject({ id: pending!.id, status: "detaching" });
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBeNull();
    await expect(
      rig.service.createPayment({ owner: "user_1", amount: 500, currency: "USD", customerId: customer.id, paymentMethodId: late.id, offSession: true }, ctx("pay")),
    ).rejects.toMatchObject({ code: "invalid_state_transition" });
    const { paymentMethod: gone } = await rig.service.detachPaymentMethod(late.id, ctx("detach-2"));
    expect(gone.status).toBe("detached");
    expect(rig.gateway.listSavedMethods().every((m) => m.detached)).toBe(true);
  });

  it("a detach the provider refuses stays detaching, and the next request sends it again", async () => {
    let refuse = true;
    const rig = setup({
      wrapGateway: (gateway) =>
        decorateGateway(gateway, (inner) => ({
          detachPaymentMethod: async (request, options) => {
            if (refuse) throw new PaymentError("validation_error", "the provider refused the detach");
            return inner.detachPaymentMethod!(request, options);
          },
        })),
    });
    const { method } = await customerWithCard(rig);
    await expect(rig.service.detachPaymentMethod(method.id, ctx("detach-1"))).rejects.toMatchObject({ code: "validation_error" });
    expect((await rig.service.getSavedPaymentMethod(method.id)).status).toBe("detaching");
    refuse = false;
    const { paymentMethod } = await rig.service.detachPaymentMethod(method.id, ctx("detach-2"));
    expect(paymentMethod.status).toBe("detached");
    expect(rig.gateway.listSavedMethods()[0]?.detached).toBe(true);
  });

  it("a customer deleted while a confirm that saves the card was at the provider: the payment still settles, the card is kept only to be detached", async () => {
    const rig = setup();
    const { value: customer } = await rig.service.createCustomer({ owner: "user_1" }, ctx("cus"));
    const { payment } = await rig.service.createPayment({ owner: "user_1", amount: 2500, currency: "USD", customerId: customer.id }, ctx("deposit"));
    rig.gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    const confirm = () => rig.service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa", savePaymentMethod: true }, ctx("deposit-confirm"));
    await expect(confirm()).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    await rig.service.deleteCustomer(customer.id, ctx("delete"));
    const { payment: paid } = await confirm();
    expect(paid.status).toBe("succeeded");
    const [kept] = await rig.service.listSavedPaymentMethods(customer.id);
    expect(kept).toMatchObject({ status: "detaching" });
    expect((await rig.service.getCustomer(customer.id)).defaultPaymentMethodId).toBeNull();
  });

  it("an off-session payment takes its saved method's provider when the caller names none", async () => {
    const clock = new ManualClock("2026-03-01T10:00:00.000Z");
    const main = new SimulatedGateway({ clock });
    const other = new SimulatedGateway({ clock, provider: "other" });
    const service = new PaymentService({ store: new MemoryPaymentStore(), gateways: [main, other], clock });
    const { value: customer } = await service.createCustomer({ owner: "user_1" }, ctx("cus"));
    await service.savePaymentMethod(customer.id, { provider: "other", paymentMethodId: "pm_card_visa" }, ctx("save"));
    const { payment } = await service.createPayment({ owner: "user_1", amount: 700, currency: "USD", customerId: customer.id, offSession: true }, ctx("pay"));
    expect(payment.provider).toBe("other");
    expect((await service.confirmPayment(payment.id, {}, ctx("pay-confirm"))).payment.status).toBe("succeeded");
  });
});
