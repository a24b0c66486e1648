import { ManualClock, createMemoryStore, createPaymentService, isPaymentError, type PaymentError, type PaymentService } from "@org/payments-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/**
 * Saved payment methods end to end: the core service on the memory store, the Stripe adapter, the real SDK and the
 * fake. Stripe's test cards: pm_card_visa saves and charges; pm_card_authenticationRequiredOnSetup (…3155) asks for
 * 3-D Secure on setup only; pm_card_authenticationRequired (…3184) asks on every charge, off-session ones included;
 * pm_card_chargeCustomerFail (…0341) saves but every charge is declined.
 */

const clock = new ManualClock(new Date());
let rig: StripeTestRig;
let service: PaymentService;
let seq = 0;
const owner = "rider_1";
const ctx = (label: string, scope = owner) => ({ scope, idempotencyKey: `${label}-${++seq}` });

beforeAll(async () => {
  rig = await startStripeRig({ fake: { now: () => clock.now().getTime() }, timeoutMs: 1000 });
});
afterAll(() => rig.close());
beforeEach(() => {
  rig.fake.reset();
  clock.set(new Date());
  service = createPaymentService({ store: createMemoryStore(), gateways: [rig.gateway], clock });
});

async function failure(promise: Promise<unknown>): Promise<PaymentError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(isPaymentError(error)).toBe(true);
  return error as PaymentError;
}

async function newCustomer() {
  return (await service.createCustomer({ owner, email: "rider@example.com", name: "A. Rider" }, ctx("cus"))).value;
}

async function customerWithCard(card = "pm_card_visa") {
  const customer = await newCustomer();
  const { paymentMethod } = await service.savePaymentMethod(customer.id, { paymentMethodId: card }, ctx("save"));
  return { customer, method: paymentMethod };
}

async function offSessionCharge(customerId: string, key = `fare-${++seq}`, amount = 1800) {
  const { payment } = await service.createPayment({ owner, amount, currency: "USD", customerId, offSession: true }, ctx(`${key}-create`, "service"));
  return service.confirmPayment(payment.id, {}, ctx(`${key}-confirm`, "service"));
}

const posts = () => rig.fake.requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/"));

describe("saved payment methods on Stripe, through the service", () => {
  it("saves a card: a Stripe customer naming ours, a SetupIntent naming our method, the card's brand, last four and expiry, never its number", async () => {
    const { customer, method } = await customerWithCard();
    expect(method).toMatchObject({ status: "active", provider: "stripe", type: "card", brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 });
    // Stripe made a PaymentMethod of its own from the test id; that is the token kept.
    expect(method.providerPaymentMethodId).toMatch(/^pm_(?!card_)/);
    const [stripeCustomer] = rig.fake.customers();
    expect(stripeCustomer).toMatchObject({ email: "rider@example.com", name: "A. Rider", metadata: { customer_id: customer.id } });
    expect((await service.getCustomer(customer.id)).providerCustomerIds).toEqual({ stripe: stripeCustomer?.id });
    expect((await service.getCustomer(customer.id)).defaultPaymentMethodId).toBe(method.id);
    const [si] = rig.fake.setupIntents();
    expect(si).toMatchObject({ id: method.providerSetupId, status: "succeeded", usage: "off_session", customer: stripeCustomer?.id, metadata: { saved_payment_method_id: method.id } });
    expect(rig.fake.paymentMethods()).toMatchObject([{ id: method.providerPaymentMethodId, customer: stripeCustomer?.id }]);
    // Every POST went under an idempotency key, the customer's derived from the setup's.
    const keys = posts().map((r) => r.idempotencyKey);
    expect(keys.every((k) => typeof k === "string" && k.length > 0)).toBe(true);
    expect(keys[0]).toBe(`${keys[1]}:customer`);
    // A second save reuses the Stripe customer.
    await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_mastercard" }, ctx("save-2"));
    expect(rig.fake.customers()).toHaveLength(1);
  });

  it("a card whose bank asks for authentication on saving: requires_action with the SetupIntent's client secret, active once the customer did", async () => {
    const customer = await newCustomer();
    const { paymentMethod: waiting } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_authenticationRequiredOnSetup" }, ctx("save"));
    const [si] = rig.fake.setupIntents();
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "use_sdk", clientSecret: si?.client_secret }, providerSetupId: si?.id });
    rig.fake.completeSetupAction(si!.id);
    const { paymentMethod: saved } = await service.confirmSavedPaymentMethod(waiting.id, ctx("save-confirm"));
    expect(saved).toMatchObject({ status: "active", last4: "3155", nextAction: null });
    // Set up for off-session use, this card is then charged without the customer.
    expect((await offSessionCharge(customer.id)).payment).toMatchObject({ status: "succeeded", amountCaptured: 1800 });
  });

  it("a SetupIntent the customer authenticated but left for the server is confirmed by the resume, under its key", async () => {
    const customer = await newCustomer();
    const { paymentMethod: waiting } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_authenticationRequiredOnSetup", returnUrl: "https://rides.example/saved" }, ctx("save"));
    expect(waiting.nextAction).toMatchObject({ type: "redirect", url: expect.stringContaining("/_fake/3ds/") });
    rig.fake.completeSetupAction(waiting.providerSetupId!, "leave_for_confirm");
    const { paymentMethod: saved } = await service.confirmSavedPaymentMethod(waiting.id, ctx("save-confirm"));
    expect(saved.status).toBe("active");
    const confirm = posts().find((r) => r.path.endsWith("/confirm"));
    expect(confirm?.idempotencyKey).toBeTruthy();
  });

  it("a card refused on saving: the decline, and a failed method", async () => {
    const customer = await newCustomer();
    const error = await failure(service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa_chargeDeclinedInsufficientFunds" }, ctx("save")));
    expect({ code: error.code, declineCode: error.declineCode }).toEqual({ code: "insufficient_funds", declineCode: "insufficient_funds" });
    const [method] = await service.listSavedPaymentMethods(customer.id);
    expect(method).toMatchObject({ status: "failed", lastError: { code: "insufficient_funds" } });
  });

  it("charges the default method off-session: Stripe's customer and saved PaymentMethod, off_session, one PaymentIntent", async () => {
    const { customer, method } = await customerWithCard();
    const { payment } = await offSessionCharge(customer.id);
    expect(payment).toMatchObject({ status: "succeeded", offSession: true, customerId: customer.id, paymentMethodId: method.id, amountCaptured: 1800 });
    const [pi] = rig.fake.paymentIntents();
    const stripeCustomer = (await service.getCustomer(customer.id)).providerCustomerIds["stripe"];
    expect(pi).toMatchObject({ customer: stripeCustomer, payment_method: method.providerPaymentMethodId, metadata: { payment_id: payment.id, customer_id: customer.id } });
  });

  it("an off-session charge the bank wants authenticated: requires_action with authentication_required and the client secret, then paid once the customer came back", async () => {
    const customer = await newCustomer();
    const { paymentMethod: waiting } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("save"));
    rig.fake.completeSetupAction(waiting.providerSetupId!);
    await service.confirmSavedPaymentMethod(waiting.id, ctx("save-confirm"));
    const { payment } = await offSessionCharge(customer.id);
    const [pi] = rig.fake.paymentIntents();
    expect(pi).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "authentication_required" } });
    expect(payment).toMatchObject({
      status: "requires_action",
      lastError: { code: "authentication_required", declineCode: "authentication_required" },
      nextAction: { type: "use_sdk", clientSecret: pi?.client_secret },
    });
    // The host brings the customer back; Stripe.js confirms the same PaymentIntent on session and they authenticate.
    rig.fake.completeAction(payment.providerPaymentId!);
    const { payment: paid } = await service.confirmPayment(payment.id, {}, ctx("resume"));
    expect(paid).toMatchObject({ status: "succeeded", amountCaptured: 1800, lastError: null });
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it("other off-session declines stay declines", async () => {
    const { customer } = await customerWithCard("pm_card_chargeCustomerFail");
    const error = await failure(offSessionCharge(customer.id));
    expect({ code: error.code, declineCode: error.declineCode }).toEqual({ code: "card_declined", declineCode: "generic_decline" });
  });

  it("saves the card while paying: setup_future_usage with a Stripe customer made first, then charged off-session", async () => {
    const customer = await newCustomer();
    const { payment } = await service.createPayment({ owner, amount: 2500, currency: "USD", customerId: customer.id }, ctx("deposit"));
    const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa", savePaymentMethod: true }, ctx("deposit-confirm"));
    expect(paid.status).toBe("succeeded");
    const [stripeCustomer] = rig.fake.customers();
    expect(rig.fake.paymentIntents()[0]).toMatchObject({ setup_future_usage: "off_session", customer: stripeCustomer?.id });
    const [method] = await service.listSavedPaymentMethods(customer.id);
    expect(method).toMatchObject({ status: "active", brand: "visa", last4: "4242", providerPaymentMethodId: expect.stringMatching(/^pm_(?!card_)/) });
    expect((await service.getCustomer(customer.id)).providerCustomerIds).toEqual({ stripe: stripeCustomer?.id });
    expect(rig.fake.paymentMethods()[0]).toMatchObject({ customer: stripeCustomer?.id });
    expect((await offSessionCharge(customer.id)).payment).toMatchObject({ status: "succeeded", paymentMethodId: method?.id });
  });

  it("detaches a method at Stripe; a charge of it is then refused before Stripe is asked", async () => {
    const { customer, method } = await customerWithCard();
    const { paymentMethod: detached } = await service.detachPaymentMethod(method.id, ctx("detach"));
    expect(detached.status).toBe("detached");
    expect(rig.fake.paymentMethods()[0]).toMatchObject({ id: method.providerPaymentMethodId, customer: null });
    await failure(service.createPayment({ owner, amount: 700, currency: "USD", customerId: customer.id, paymentMethodId: method.id, offSession: true }, ctx("after")));
    expect(rig.fake.paymentIntents()).toHaveLength(0);
  });

  it("a setup whose answer was lost (Stripe acted, answered a 500 saved for the key) is found by our method id, not made twice", async () => {
    const customer = await newCustomer();
    rig.fake.injectFault({ kind: "answer_lost", method: "POST", path: "/v1/setup_intents" });
    const saveCtx = ctx("save-lost");
    const lost = await failure(service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, saveCtx));
    expect(lost.code).toBe("gateway_outcome_unknown");
    const { paymentMethod } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, saveCtx);
    expect(paymentMethod).toMatchObject({ status: "active", last4: "4242" });
    expect(rig.fake.setupIntents()).toHaveLength(1);
    expect(rig.fake.customers()).toHaveLength(1);
    expect(rig.fake.requests.some((r) => r.method === "GET" && r.path === "/v1/setup_intents")).toBe(true);
  });

  it("a customer create whose answer was lost is replayed under its derived key: one Stripe customer", async () => {
    const customer = await newCustomer();
    // Twice, because stripe-node itself retries a reset connection once with the same key.
    rig.fake.injectFault({ kind: "drop_after_commit", method: "POST", path: "/v1/customers", times: 2 });
    const saveCtx = ctx("save-cus-lost");
    expect((await failure(service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, saveCtx))).code).toBe("gateway_outcome_unknown");
    expect(rig.fake.customers()).toHaveLength(1);
    const { paymentMethod } = await service.savePaymentMethod(customer.id, { paymentMethodId: "pm_card_visa" }, saveCtx);
    expect(paymentMethod.status).toBe("active");
    expect(rig.fake.customers()).toHaveLength(1);
    expect(rig.fake.setupIntents()).toHaveLength(1);
  });

  it("racers: two off-session confirms under one key make one PaymentIntent", async () => {
    const { customer } = await customerWithCard();
    const { payment } = await service.createPayment({ owner, amount: 900, currency: "USD", customerId: customer.id, offSession: true }, ctx("race-create", "service"));
    const confirmCtx = ctx("race-confirm", "service");
    const settled = await Promise.allSettled([service.confirmPayment(payment.id, {}, confirmCtx), service.confirmPayment(payment.id, {}, confirmCtx)]);
    expect(settled.some((s) => s.status === "fulfilled")).toBe(true);
    for (const s of settled) if (s.status === "rejected") expect(s.reason).toMatchObject({ code: "idempotency_key_in_use" });
    expect(rig.fake.paymentIntents()).toHaveLength(1);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
  });
});
