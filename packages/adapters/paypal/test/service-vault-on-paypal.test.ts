import { ManualClock, createMemoryStore, createPaymentService, type PaymentService, type PaymentStore } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * Customers and saved payment methods through the whole core service (three phases, idempotency records,
 * recovery) on the real PayPal adapter, over HTTP to the fake, on the memory store.
 */
const clock = new ManualClock(new Date());
const rig: PayPalTestRig = await startPayPalRig({ clock: () => clock.now() }, { now: () => clock.now() });
afterAll(() => rig.close());

let service: PaymentService;
let store: PaymentStore;
let seq = 0;
const owner = "rider_1";
const ctx = (label: string, scope = owner) => ({ scope, idempotencyKey: `${label}-${++seq}` });
const vault = () => rig.fake.ledger.vault;
const RETURN = "https://shop.example/saved";

beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  store = createMemoryStore();
  service = createPaymentService({ store, gateways: [rig.gateway], clock });
});

async function customer() {
  const { value } = await service.createCustomer({ owner, email: "rider@example.com", name: "A. Rider" }, ctx("cus"));
  return value;
}

async function customerWithCard() {
  const cus = await customer();
  const { paymentMethod } = await service.savePaymentMethod(cus.id, { provider: "paypal", paymentMethodId: "card", returnUrl: RETURN }, ctx("save"));
  return { customer: await service.getCustomer(cus.id), method: paymentMethod };
}

async function offSession(customerId: string, amount = 1800, key = `fare-${++seq}`) {
  const { payment } = await service.createPayment({ owner, amount, currency: "USD", customerId, offSession: true }, ctx(`${key}-create`, "service"));
  return { created: payment, confirm: () => service.confirmPayment(payment.id, {}, ctx(`${key}-confirm`, "service")) };
}

const ordersOf = (paymentId: string) => [...rig.fake.ledger.orders.values()].filter((o) => o.customId === paymentId);

describe("saving a payment method at PayPal", () => {
  it("a card saved: active with PayPal's token, brand, last four and expiry; the customer gets PayPal's customer id and a default", async () => {
    const { customer: cus, method } = await customerWithCard();
    const token = [...vault().paymentTokens.values()][0]!;
    expect(method).toMatchObject({ status: "active", provider: "paypal", type: "card", brand: "visa", last4: "1111", expMonth: 12, expYear: 2030, providerPaymentMethodId: token.id });
    expect(cus.providerCustomerIds["paypal"]).toBe(token.customerId);
    expect(cus.defaultPaymentMethodId).toBe(method.id);
  });

  it("a wallet needing the payer's approval: requires_action with the approve link, then confirmed once approved", async () => {
    const cus = await customer();
    const { paymentMethod: waiting } = await service.savePaymentMethod(cus.id, { provider: "paypal", returnUrl: RETURN }, ctx("save"));
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "redirect" } });
    expect(waiting.nextAction!.url).toContain("/agreements/approve?approval_session_id=");
    // PayPal assigned the customer with the setup token: recorded on ours already.
    expect((await service.getCustomer(cus.id)).providerCustomerIds["paypal"]).toBe([...vault().setupTokens.values()][0]!.customerId);
    rig.fake.approveSetupToken(waiting.providerSetupId!);
    const { paymentMethod: saved } = await service.confirmSavedPaymentMethod(waiting.id, ctx("save-confirm"));
    expect(saved).toMatchObject({ status: "active", type: "paypal", brand: null, last4: null });
    expect(vault().paymentTokens.size).toBe(1);
  });

  it("a second method of the same customer is saved for PayPal's customer it already has", async () => {
    const { customer: cus } = await customerWithCard();
    await service.savePaymentMethod(cus.id, { provider: "paypal", paymentMethodId: "card", returnUrl: RETURN }, ctx("save-2"));
    const tokens = [...vault().paymentTokens.values()];
    expect(tokens).toHaveLength(2);
    expect(tokens[1]!.customerId).toBe(tokens[0]!.customerId);
  });

  it("a setup whose answer was lost is recovered by the same request id: one setup token, one payment token", async () => {
    const cus = await customer();
    rig.fake.injectFault({ method: "POST", path: "/v3/vault/payment-tokens", fault: { kind: "answer_after_success", status: 500 } });
    const key = ctx("save-lost");
    await expect(service.savePaymentMethod(cus.id, { provider: "paypal", paymentMethodId: "card", returnUrl: RETURN }, key)).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const { paymentMethod } = await service.savePaymentMethod(cus.id, { provider: "paypal", paymentMethodId: "card", returnUrl: RETURN }, key);
    expect(paymentMethod.status).toBe("active");
    expect(vault().setupTokens.size).toBe(1);
    expect(vault().paymentTokens.size).toBe(1);
    expect(paymentMethod.providerPaymentMethodId).toBe([...vault().paymentTokens.keys()][0]);
    const sent = rig.fake.requests.filter((r) => r.method === "POST" && r.path === "/v3/vault/payment-tokens");
    expect(new Set(sent.map((r) => r.requestId)).size).toBe(1);
  });

  it("detaching deletes PayPal's token; the method is detached", async () => {
    const { method } = await customerWithCard();
    const { paymentMethod } = await service.detachPaymentMethod(method.id, ctx("detach"));
    expect(paymentMethod.status).toBe("detached");
    expect(vault().paymentTokens.size).toBe(0);
  });
});

describe("charging a saved method off-session at PayPal", () => {
  it("a fare charged with the default card: one order, vault_id and a merchant-initiated stored credential", async () => {
    const { customer: cus, method } = await customerWithCard();
    const { confirm } = await offSession(cus.id);
    const { payment } = await confirm();
    expect(payment).toMatchObject({ status: "succeeded", offSession: true, customerId: cus.id, paymentMethodId: method.id, amountCaptured: 1800 });
    const [order] = ordersOf(payment.id);
    expect(order).toMatchObject({ vaultId: method.providerPaymentMethodId, storedCredential: { payment_initiator: "MERCHANT", usage: "SUBSEQUENT" } });
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("PayPal wants the payer: requires_action with authentication_required, the event says so; paid once they came back", async () => {
    const { customer: cus, method } = await customerWithCard();
    rig.fake.setOffSession(method.providerPaymentMethodId!, { kind: "payer_action" });
    const { confirm } = await offSession(cus.id);
    const { payment } = await confirm();
    expect(payment).toMatchObject({ status: "requires_action", lastError: { code: "authentication_required", declineCode: "PAYER_ACTION_REQUIRED" } });
    expect(payment.nextAction?.url).toBe(`https://www.sandbox.paypal.com/checkoutnow?token=${payment.providerPaymentId}`);
    const events = (await store.listOutbox({ paymentId: payment.id, limit: 20 })).map((e) => e.event);
    expect(events.find((e) => e.type === "payment.requires_action")?.data.error).toMatchObject({ code: "authentication_required" });
    rig.fake.approveOrder(payment.providerPaymentId!);
    const { payment: paid } = await service.confirmPayment(payment.id, {}, ctx("resume"));
    expect(paid).toMatchObject({ status: "succeeded", lastError: null, amountCaptured: 1800 });
    expect(ordersOf(payment.id)).toHaveLength(1);
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("declined: the payment fails with the card code and PayPal's processor code", async () => {
    const { customer: cus, method } = await customerWithCard();
    rig.fake.setOffSession(method.providerPaymentMethodId!, { kind: "declined", responseCode: "5400" });
    const { created, confirm } = await offSession(cus.id);
    await expect(confirm()).rejects.toMatchObject({ code: "expired_card", declineCode: "5400" });
    expect((await service.getPayment(created.id)).status).toBe("failed");
  });

  it("racers: two off-session confirms under one key make one order and one capture", async () => {
    const { customer: cus } = await customerWithCard();
    const { payment } = await service.createPayment({ owner, amount: 900, currency: "USD", customerId: cus.id, offSession: true }, ctx("race-create", "service"));
    const key = ctx("race-confirm", "service");
    const settled = await Promise.allSettled([service.confirmPayment(payment.id, {}, key), service.confirmPayment(payment.id, {}, key)]);
    expect(settled.filter((s) => s.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    for (const s of settled) if (s.status === "rejected") expect(s.reason).toMatchObject({ code: "idempotency_key_in_use" });
    expect(ordersOf(payment.id)).toHaveLength(1);
    expect(rig.fake.ledger.captures.size).toBe(1);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
  });
});

describe("saving while paying at PayPal", () => {
  it("the checkout asks PayPal to vault the wallet and the capture answers the token and PayPal's customer", async () => {
    const cus = await customer();
    const { payment } = await service.createPayment({ owner, amount: 2500, currency: "USD", provider: "paypal", customerId: cus.id }, ctx("deposit"));
    const confirmed = await service.confirmPayment(payment.id, { returnUrl: "https://shop.example/r", cancelUrl: "https://shop.example/c", savePaymentMethod: true }, ctx("deposit-confirm"));
    expect(confirmed.payment.status).toBe("requires_action");
    const [order] = ordersOf(payment.id);
    expect(order!.storeInVault).toEqual({ customerId: undefined });
    rig.fake.approveOrder(confirmed.payment.providerPaymentId!);
    const { payment: paid } = await service.confirmPayment(payment.id, {}, ctx("deposit-resume"));
    expect(paid.status).toBe("succeeded");
    // PayPal vaulted the wallet with the capture (ON_SUCCESS), and the adapter answered it with the resume.
    expect(vault().paymentTokens.size).toBe(1);
    const reported = await rig.gateway.retrieve(paid.providerPaymentId!);
    expect(reported.savedMethod).toMatchObject({ type: "paypal", providerPaymentMethodId: [...vault().paymentTokens.keys()][0] });
  });

  // PayPal vaults at the capture, after the buyer approved: the token arrives with the resume, whose answer the core
  // records the saved method from (confirm-payment.ts, settleConfirmation).
  it("the method saved while paying is recorded on the customer by the resume that captured", async () => {
    const cus = await customer();
    const { payment } = await service.createPayment({ owner, amount: 2500, currency: "USD", provider: "paypal", customerId: cus.id }, ctx("deposit"));
    const confirmed = await service.confirmPayment(payment.id, { returnUrl: "https://shop.example/r", savePaymentMethod: true }, ctx("deposit-confirm"));
    rig.fake.approveOrder(confirmed.payment.providerPaymentId!);
    await service.confirmPayment(payment.id, {}, ctx("deposit-resume"));
    const methods = await service.listSavedPaymentMethods(cus.id);
    expect(methods).toHaveLength(1);
    expect((await service.getCustomer(cus.id)).providerCustomerIds["paypal"]).toBe([...vault().paymentTokens.values()][0]!.customerId);
  });
});
