import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { key, newPaymentId, startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

/** The adapter's saved-method calls one by one, with the real SDK against the fake. */

let rig: StripeTestRig;
let n = 0;
// Our ids are `spm_`/`cus_` + ULID, as the core makes them; the ULID's time bounds the recovery list.
const spm = () => newPaymentId().replace("pay_", "spm_");
const ours = () => `cus_ours${++n}`;

beforeAll(async () => {
  rig = await startStripeRig();
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

const gateway = () => {
  const g = rig.gateway;
  if (!g.setupPaymentMethod || !g.resumeSetup || !g.findSetupBySavedMethodId || !g.detachPaymentMethod) throw new Error("no saved methods");
  return { ...g, setupPaymentMethod: g.setupPaymentMethod, resumeSetup: g.resumeSetup, findSetupBySavedMethodId: g.findSetupBySavedMethodId, detachPaymentMethod: g.detachPaymentMethod };
};

function setupRequest(paymentMethodId: string, providerCustomerId: string | null = null) {
  return { savedPaymentMethodId: spm(), customerId: ours(), providerCustomerId, customerEmail: null, customerName: null, paymentMethodId, returnUrl: null };
}

describe("Stripe saved payment methods, call by call", () => {
  it("declares the capability", () => {
    expect(rig.gateway.capabilities.savedPaymentMethods).toBe(true);
  });

  it("a setup declined by the bank is a failed setup with the decline mapped, not a throw", async () => {
    const setup = await gateway().setupPaymentMethod(setupRequest("pm_card_chargeDeclinedExpiredCard"), { idempotencyKey: key("seti") });
    expect(setup).toMatchObject({ status: "failed", failure: { code: "expired_card", declineCode: "expired_card" } });
    expect(setup.providerSetupId).toMatch(/^seti_/);
    expect(setup.providerCustomerId).toMatch(/^cus_/);
  });

  it("authentication failed on setup: resumeSetup answers failed with authentication_required", async () => {
    const g = gateway();
    const waiting = await g.setupPaymentMethod(setupRequest("pm_card_authenticationRequired"), { idempotencyKey: key("seti") });
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "use_sdk" } });
    rig.fake.completeSetupAction(waiting.providerSetupId, "fail");
    const resumed = await g.resumeSetup(
      { savedPaymentMethodId: "spm_x", providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId },
      { idempotencyKey: key("resume") },
    );
    expect(resumed).toMatchObject({ status: "failed", failure: { code: "authentication_required", declineCode: "setup_intent_authentication_failure" } });
  });

  it("a known customer is used as it is: no customer is created", async () => {
    const g = gateway();
    const first = await g.setupPaymentMethod(setupRequest("pm_card_visa"), { idempotencyKey: key("a") });
    const second = await g.setupPaymentMethod(setupRequest("pm_card_mastercard", first.providerCustomerId), { idempotencyKey: key("b") });
    expect(second).toMatchObject({ status: "succeeded", providerCustomerId: first.providerCustomerId, method: { brand: "mastercard", last4: "4444" } });
    expect(rig.fake.customers()).toHaveLength(1);
  });

  it("findSetupBySavedMethodId finds the SetupIntent by our method id across pages, and answers null for one never made", async () => {
    const g = gateway();
    const request = setupRequest("pm_card_visa");
    const made = await g.setupPaymentMethod(request, { idempotencyKey: key("seti") });
    // More than a page of others made after it, so the match is on a later page (newest first).
    for (let i = 0; i < 101; i++) await g.setupPaymentMethod(setupRequest("pm_card_visa", made.providerCustomerId), { idempotencyKey: key(`other${i}`) });
    expect(await g.findSetupBySavedMethodId(request.savedPaymentMethodId)).toMatchObject({ providerSetupId: made.providerSetupId, status: "succeeded", method: { last4: "4242" } });
    expect(await g.findSetupBySavedMethodId(spm())).toBeNull();
  });

  it("detach: removes the method from its customer; again, or a method Stripe does not have, is success", async () => {
    const g = gateway();
    const setup = await g.setupPaymentMethod(setupRequest("pm_card_visa"), { idempotencyKey: key("seti") });
    const pm = setup.method?.providerPaymentMethodId as string;
    const request = { savedPaymentMethodId: "spm_x", providerPaymentMethodId: pm, providerCustomerId: setup.providerCustomerId };
    await g.detachPaymentMethod(request, { idempotencyKey: key("detach") });
    expect(rig.fake.paymentMethods()[0]).toMatchObject({ id: pm, customer: null });
    await expect(g.detachPaymentMethod(request, { idempotencyKey: key("detach-again") })).resolves.toBeUndefined();
    await expect(g.detachPaymentMethod({ ...request, providerPaymentMethodId: "pm_gone" }, { idempotencyKey: key("detach-missing") })).resolves.toBeUndefined();
  });

  it("an off-session charge Stripe refuses with authentication_required is requires_action with the client secret; retrieve agrees", async () => {
    const g = gateway();
    const waiting = await g.setupPaymentMethod(setupRequest("pm_card_authenticationRequired"), { idempotencyKey: key("seti") });
    rig.fake.completeSetupAction(waiting.providerSetupId);
    const saved = await g.resumeSetup(
      { savedPaymentMethodId: "spm_x", providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId },
      { idempotencyKey: key("resume") },
    );
    const paymentId = newPaymentId();
    const payment = await g.createPayment(
      {
        paymentId,
        amount: 1500,
        currency: "USD",
        captureMethod: "automatic",
        paymentMethodId: saved.method?.providerPaymentMethodId,
        customerId: "cus_ours",
        providerCustomerId: saved.providerCustomerId,
        offSession: true,
      },
      { idempotencyKey: key("pay") },
    );
    const pi = rig.fake.paymentIntents()[0];
    expect(payment).toMatchObject({
      status: "requires_action",
      failure: { code: "authentication_required", declineCode: "authentication_required" },
      nextAction: { type: "use_sdk", clientSecret: pi?.client_secret },
    });
    expect((await g.retrieve(payment.providerPaymentId)).status).toBe("requires_action");
    // Stripe's `customer` is only ever its own customer; ours rides in metadata.
    expect(pi).toMatchObject({ customer: saved.providerCustomerId, metadata: { payment_id: paymentId, customer_id: "cus_ours" } });
  });

  it("a payment that saves its method answers the saved method and the Stripe customer it made under a derived key", async () => {
    const call = { idempotencyKey: key("pay-save") };
    const payment = await gateway().createPayment(
      { paymentId: newPaymentId(), amount: 1500, currency: "USD", captureMethod: "automatic", paymentMethodId: "pm_card_visa", customerId: "cus_ours", savePaymentMethod: true },
      call,
    );
    const [customer] = rig.fake.customers();
    expect(payment).toMatchObject({ status: "succeeded", providerCustomerId: customer?.id, savedMethod: { type: "card", brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 } });
    expect(customer?.metadata).toEqual({ customer_id: "cus_ours" });
    expect(rig.fake.requests.find((r) => r.path === "/v1/customers")?.idempotencyKey).toBe(`${call.idempotencyKey}:customer`);
  });
});
