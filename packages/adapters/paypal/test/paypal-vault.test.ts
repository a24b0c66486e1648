import type { GatewaySetup, SetupGatewayRequest } from "@org/payments-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { paymentId, rejection } from "./support/drive.js";
import { startPayPalRig, violationsIn, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * Saved payment methods on PayPal's Vault v3, over HTTP with the real SDK against the fake: setup tokens, payment
 * tokens, orders charging a saved token (`vault_id`, `stored_credential`) and saving one while paying
 * (`store_in_vault`). Every answer the fake sends is held to PayPal's published schemas when the rig closes.
 */
const rig: PayPalTestRig = await startPayPalRig();
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

let seq = 0;
const spm = () => `spm_test${++seq}`;
const vault = () => rig.fake.ledger.vault;
const bodyOf = (method: string, path: string | RegExp) => {
  const found = rig.fake.requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)));
  return found.map((r) => ({ requestId: r.requestId, body: r.body ? (JSON.parse(r.body) as Record<string, any>) : undefined }));
};

function setupRequest(overrides: Partial<SetupGatewayRequest> = {}): SetupGatewayRequest {
  return {
    savedPaymentMethodId: spm(),
    customerId: "cus_1",
    providerCustomerId: null,
    customerEmail: null,
    customerName: null,
    paymentMethodId: "card",
    returnUrl: "https://shop.example/saved",
    ...overrides,
  };
}

async function savedCard(): Promise<GatewaySetup> {
  const request = setupRequest();
  return rig.gateway.setupPaymentMethod!(request, { idempotencyKey: `${request.savedPaymentMethodId}:setup` });
}

describe("saving a payment method in PayPal's vault", () => {
  it("declares the capability and saves a card: setup token under the call's key, payment token under a derived one", async () => {
    expect(rig.gateway.capabilities.savedPaymentMethods).toBe(true);
    const request = setupRequest();
    const setup = await rig.gateway.setupPaymentMethod!(request, { idempotencyKey: `${request.savedPaymentMethodId}:setup` });
    const token = [...vault().paymentTokens.values()][0]!;
    expect(setup).toEqual({
      providerSetupId: [...vault().setupTokens.keys()][0],
      providerCustomerId: token.customerId,
      status: "succeeded",
      nextAction: null,
      failure: null,
      method: { providerPaymentMethodId: token.id, type: "card", brand: "visa", last4: "1111", expMonth: 12, expYear: 2030 },
    });
    const [created] = bodyOf("POST", "/v3/vault/setup-tokens");
    expect(created!.requestId).toBe(`${request.savedPaymentMethodId}:setup`);
    // PayPal assigns the customer: none is sent for a customer it does not know yet.
    expect(created!.body).toEqual({
      payment_source: { card: { verification_method: "SCA_WHEN_REQUIRED", experience_context: { return_url: "https://shop.example/saved", cancel_url: "https://shop.example/saved" } } },
    });
    const [exchanged] = bodyOf("POST", "/v3/vault/payment-tokens");
    expect(exchanged!.requestId).toBe(`${request.savedPaymentMethodId}:setup:payment-token`);
    expect(exchanged!.body).toEqual({ payment_source: { token: { id: setup.providerSetupId, type: "SETUP_TOKEN" } }, customer: { id: setup.providerCustomerId } });
  });

  it("a customer PayPal knows already is named on the setup token and keeps its id", async () => {
    const first = await savedCard();
    const request = setupRequest({ providerCustomerId: first.providerCustomerId });
    const second = await rig.gateway.setupPaymentMethod!(request, { idempotencyKey: `${request.savedPaymentMethodId}:setup` });
    expect(second.providerCustomerId).toBe(first.providerCustomerId);
    expect(bodyOf("POST", "/v3/vault/setup-tokens")[1]!.body!["customer"]).toEqual({ id: first.providerCustomerId });
  });

  it("a PayPal wallet needs the payer's agreement: requires_action with the approve link, then resumed into a payment token", async () => {
    const request = setupRequest({ paymentMethodId: null });
    const waiting = await rig.gateway.setupPaymentMethod!(request, { idempotencyKey: `${request.savedPaymentMethodId}:setup` });
    expect(waiting).toMatchObject({ status: "requires_action", method: null, nextAction: { type: "redirect" } });
    expect(waiting.nextAction!.url).toBe(`https://www.sandbox.paypal.com/agreements/approve?approval_session_id=${waiting.providerSetupId}`);
    expect(bodyOf("POST", "/v3/vault/setup-tokens")[0]!.body!["payment_source"]).toEqual({
      paypal: {
        usage_type: "MERCHANT",
        customer_type: "CONSUMER",
        permit_multiple_payment_tokens: false,
        experience_context: { return_url: "https://shop.example/saved", cancel_url: "https://shop.example/saved", shipping_preference: "NO_SHIPPING" },
      },
    });
    expect(vault().paymentTokens.size).toBe(0);
    // Resumed before the payer agreed: still waiting, nothing saved.
    const early = await rig.gateway.resumeSetup!(
      { savedPaymentMethodId: request.savedPaymentMethodId, providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId },
      { idempotencyKey: `${request.savedPaymentMethodId}:resume_setup:2` },
    );
    expect(early.status).toBe("requires_action");
    rig.fake.approveSetupToken(waiting.providerSetupId);
    const saved = await rig.gateway.resumeSetup!(
      { savedPaymentMethodId: request.savedPaymentMethodId, providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId },
      { idempotencyKey: `${request.savedPaymentMethodId}:resume_setup:3` },
    );
    expect(saved).toMatchObject({ status: "succeeded", providerCustomerId: waiting.providerCustomerId, method: { type: "paypal", brand: null, last4: null, expMonth: null, expYear: null } });
    expect(vault().paymentTokens.size).toBe(1);
  });

  it("a card whose bank wants 3-D Secure before saving: the approve (3-D Secure) link, then resumed", async () => {
    rig.fake.planNextSetup({ payerAction: true, card: { brand: "MASTERCARD", lastDigits: "4444", expiry: "2031-03" } });
    const waiting = await savedCard();
    expect(waiting.nextAction?.url).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\/webapps\/helios\?action=authenticate&token=/);
    rig.fake.approveSetupToken(waiting.providerSetupId);
    const saved = await rig.gateway.resumeSetup!(
      { savedPaymentMethodId: "spm_x", providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId },
      { idempotencyKey: "spm_x:resume_setup:2" },
    );
    expect(saved.method).toMatchObject({ type: "card", brand: "mastercard", last4: "4444", expMonth: 3, expYear: 2031 });
  });

  it("a card not entered yet (the card fields attach it): requires_action for the SDK with the setup token id", async () => {
    rig.fake.planNextSetup({ awaitCardFields: true });
    const waiting = await savedCard();
    expect(waiting).toMatchObject({ status: "requires_action", nextAction: { type: "use_sdk", clientSecret: waiting.providerSetupId } });
  });

  it("a wallet without a return page, or a source PayPal cannot save, is refused before anything is sent", async () => {
    const noReturn = setupRequest({ paymentMethodId: null, returnUrl: null });
    expect(await rejection(rig.gateway.setupPaymentMethod!(noReturn, { idempotencyKey: "k1" }))).toMatchObject({ code: "validation_error" });
    const other = setupRequest({ paymentMethodId: "pm_card_visa" });
    expect(await rejection(rig.gateway.setupPaymentMethod!(other, { idempotencyKey: "k2" }))).toMatchObject({ code: "validation_error" });
    expect(bodyOf("POST", /^\/v3\/vault\//)).toEqual([]);
  });

  it.each([
    ["the setup token's answer", "/v3/vault/setup-tokens"],
    ["the payment token's answer", "/v3/vault/payment-tokens"],
  ])("%s lost: sent again under the same key, PayPal answers what it made, and no second token exists", async (_label, path) => {
    const request = setupRequest();
    const key = `${request.savedPaymentMethodId}:setup`;
    rig.fake.injectFault({ method: "POST", path, fault: { kind: "answer_after_success", status: 500 } });
    expect(await rejection(rig.gateway.setupPaymentMethod!(request, { idempotencyKey: key }))).toMatchObject({ code: "gateway_outcome_unknown" });
    // The lookup finds nothing to go by (PayPal has no search of setup tokens): the re-send is the recovery.
    expect(await rig.gateway.findSetupBySavedMethodId!(request.savedPaymentMethodId)).toBeNull();
    const again = await rig.gateway.setupPaymentMethod!(request, { idempotencyKey: key });
    expect(again.status).toBe("succeeded");
    expect(vault().setupTokens.size).toBe(1);
    expect(vault().paymentTokens.size).toBe(1);
    expect(again.method!.providerPaymentMethodId).toBe([...vault().paymentTokens.keys()][0]);
  });

  it("a resume whose payment token answer was lost: the same resume gets the same payment token back", async () => {
    const waiting = await rig.gateway.setupPaymentMethod!(setupRequest({ paymentMethodId: "paypal" }), { idempotencyKey: "r:setup" });
    rig.fake.approveSetupToken(waiting.providerSetupId);
    const resume = { savedPaymentMethodId: "r", providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId };
    rig.fake.injectFault({ method: "POST", path: "/v3/vault/payment-tokens", fault: { kind: "answer_after_success", status: 500 } });
    expect(await rejection(rig.gateway.resumeSetup!(resume, { idempotencyKey: "r:resume_setup:2" }))).toMatchObject({ code: "gateway_outcome_unknown" });
    expect(vault().setupTokens.get(waiting.providerSetupId)!.status).toBe("VAULTED");
    const again = await rig.gateway.resumeSetup!(resume, { idempotencyKey: "r:resume_setup:2" });
    expect(again).toMatchObject({ status: "succeeded", method: { providerPaymentMethodId: [...vault().paymentTokens.keys()][0] } });
    expect(vault().paymentTokens.size).toBe(1);
    // Under another key PayPal refuses the used setup token: a refused request, nothing saved twice.
    expect(await rejection(rig.gateway.resumeSetup!(resume, { idempotencyKey: "r:resume_setup:3" }))).toMatchObject({ code: "validation_error" });
    expect(vault().paymentTokens.size).toBe(1);
  });

  it("detaching deletes the payment token; one already gone is success", async () => {
    const saved = await savedCard();
    const token = saved.method!.providerPaymentMethodId;
    const detach = { savedPaymentMethodId: "spm_d", providerPaymentMethodId: token, providerCustomerId: saved.providerCustomerId };
    await rig.gateway.detachPaymentMethod!(detach, { idempotencyKey: "spm_d:detach" });
    expect(vault().paymentTokens.has(token)).toBe(false);
    await rig.gateway.detachPaymentMethod!(detach, { idempotencyKey: "spm_d:detach" });
    expect(rig.fake.responses.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([204, 404]);
  });

  it("a refusal other than 404 on delete is not success", async () => {
    const saved = await savedCard();
    rig.fake.injectFault({ method: "DELETE", path: /^\/v3\/vault\/payment-tokens\//, fault: { kind: "status", status: 500 } });
    const detach = { savedPaymentMethodId: "spm_d", providerPaymentMethodId: saved.method!.providerPaymentMethodId, providerCustomerId: saved.providerCustomerId };
    expect(await rejection(rig.gateway.detachPaymentMethod!(detach, { idempotencyKey: "k" }))).toMatchObject({ code: "gateway_outcome_unknown" });
  });
});

describe("charging a saved token", () => {
  async function charge(token: string, providerCustomerId: string, options: { offSession?: boolean; manual?: boolean } = {}) {
    const id = paymentId();
    const payment = await rig.gateway.createPayment(
      { paymentId: id, amount: 1800, currency: "USD", captureMethod: options.manual ? "manual" : "automatic", paymentMethodId: token, providerCustomerId, offSession: options.offSession ?? true },
      { idempotencyKey: `${id}:confirm` },
    );
    return { id, payment, order: bodyOf("POST", "/v2/checkout/orders").at(-1)!.body! };
  }

  it("off-session, a card is charged at once with vault_id and a merchant-initiated stored credential", async () => {
    const saved = await savedCard();
    const { id, payment, order } = await charge(saved.method!.providerPaymentMethodId, saved.providerCustomerId);
    expect(order["payment_source"]).toEqual({
      card: {
        vault_id: saved.method!.providerPaymentMethodId,
        stored_credential: { payment_initiator: "MERCHANT", payment_type: "UNSCHEDULED", usage: "SUBSEQUENT" },
      },
    });
    expect(payment).toMatchObject({ paymentId: id, status: "succeeded", amountCaptured: 1800, paymentMethodType: "card", failure: null });
    expect(rig.fake.ledger.orders.get(payment.providerPaymentId)!.storedCredential).toMatchObject({ payment_initiator: "MERCHANT" });
  });

  it("with the customer present the stored credential says CUSTOMER; manual capture authorizes", async () => {
    const saved = await savedCard();
    const { payment, order } = await charge(saved.method!.providerPaymentMethodId, saved.providerCustomerId, { offSession: false, manual: true });
    expect(order["payment_source"].card.stored_credential.payment_initiator).toBe("CUSTOMER");
    expect(order["intent"]).toBe("AUTHORIZE");
    expect(payment).toMatchObject({ status: "authorized", amountCapturable: 1800 });
  });

  it("a saved wallet is charged under paypal.vault_id, with no stored_credential (Orders v2 has none for a wallet)", async () => {
    const waiting = await rig.gateway.setupPaymentMethod!(setupRequest({ paymentMethodId: "paypal" }), { idempotencyKey: "w:setup" });
    rig.fake.approveSetupToken(waiting.providerSetupId);
    const saved = await rig.gateway.resumeSetup!({ savedPaymentMethodId: "w", providerSetupId: waiting.providerSetupId, providerCustomerId: waiting.providerCustomerId }, { idempotencyKey: "w:resume" });
    const { payment, order } = await charge(saved.method!.providerPaymentMethodId, saved.providerCustomerId);
    expect(order["payment_source"]).toEqual({ paypal: { vault_id: saved.method!.providerPaymentMethodId } });
    expect(payment).toMatchObject({ status: "succeeded", paymentMethodType: "paypal" });
  });

  it("the bank wants the payer: requires_action, authentication_required with PayPal's PAYER_ACTION_REQUIRED, the payer-action link; then captured", async () => {
    const saved = await savedCard();
    rig.fake.setOffSession(saved.method!.providerPaymentMethodId, { kind: "payer_action" });
    const { id, payment } = await charge(saved.method!.providerPaymentMethodId, saved.providerCustomerId);
    expect(payment).toMatchObject({
      status: "requires_action",
      failure: { code: "authentication_required", declineCode: "PAYER_ACTION_REQUIRED" },
      nextAction: { type: "redirect", url: `https://www.sandbox.paypal.com/checkoutnow?token=${payment.providerPaymentId}` },
    });
    rig.fake.approveOrder(payment.providerPaymentId);
    const paid = await rig.gateway.resumePayment({ paymentId: id, providerPaymentId: payment.providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: `${id}:resume:2` });
    expect(paid).toMatchObject({ status: "succeeded", amountCaptured: 1800 });
    expect(rig.fake.ledger.captures.size).toBe(1);
  });

  it("declined: the capture comes back DECLINED and the payment fails with the processor's code", async () => {
    const saved = await savedCard();
    rig.fake.setOffSession(saved.method!.providerPaymentMethodId, { kind: "declined", responseCode: "5400" });
    const { payment } = await charge(saved.method!.providerPaymentMethodId, saved.providerCustomerId);
    expect(payment).toMatchObject({ status: "failed", failure: { code: "expired_card", declineCode: "5400" } });
  });

  it("a token deleted since is not found, and no order is made", async () => {
    const saved = await savedCard();
    await rig.gateway.detachPaymentMethod!({ savedPaymentMethodId: "s", providerPaymentMethodId: saved.method!.providerPaymentMethodId, providerCustomerId: null }, { idempotencyKey: "s:d" });
    const id = paymentId();
    const attempt = rig.gateway.createPayment(
      { paymentId: id, amount: 1800, currency: "USD", captureMethod: "automatic", paymentMethodId: saved.method!.providerPaymentMethodId, providerCustomerId: saved.providerCustomerId, offSession: true },
      { idempotencyKey: `${id}:confirm` },
    );
    expect(await rejection(attempt)).toMatchObject({ code: "not_found" });
    expect(rig.fake.ledger.orders.size).toBe(0);
  });
});

describe("saving while paying", () => {
  it("store_in_vault ON_SUCCESS on the checkout; the captured order answers the vaulted token and its customer", async () => {
    const id = paymentId();
    const created = await rig.gateway.createPayment(
      { paymentId: id, amount: 2500, currency: "USD", captureMethod: "automatic", returnUrl: "https://shop.example/r", cancelUrl: "https://shop.example/c", savePaymentMethod: true, providerCustomerId: null },
      { idempotencyKey: `${id}:confirm` },
    );
    expect(created.status).toBe("requires_action");
    expect(created.savedMethod).toBeUndefined();
    const source = bodyOf("POST", "/v2/checkout/orders")[0]!.body!["payment_source"];
    expect(source.paypal.attributes).toEqual({ vault: { store_in_vault: "ON_SUCCESS", usage_type: "MERCHANT", customer_type: "CONSUMER", permit_multiple_payment_tokens: false } });
    rig.fake.approveOrder(created.providerPaymentId);
    const paid = await rig.gateway.resumePayment({ paymentId: id, providerPaymentId: created.providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: `${id}:resume:2` });
    const token = [...vault().paymentTokens.values()][0]!;
    expect(paid).toMatchObject({
      status: "succeeded",
      savedMethod: { providerPaymentMethodId: token.id, type: "paypal", brand: null, last4: null },
      providerCustomerId: token.customerId,
    });
    // The token saved is chargeable later.
    const later = await rig.gateway.createPayment(
      { paymentId: paymentId(), amount: 900, currency: "USD", captureMethod: "automatic", paymentMethodId: token.id, providerCustomerId: token.customerId, offSession: true },
      { idempotencyKey: "later:confirm" },
    );
    expect(later.status).toBe("succeeded");
  });

  it("a customer PayPal knows is named in attributes.customer", async () => {
    const id = paymentId();
    await rig.gateway.createPayment(
      { paymentId: id, amount: 2500, currency: "USD", captureMethod: "automatic", returnUrl: "https://shop.example/r", savePaymentMethod: true, providerCustomerId: "Cust0mer01" },
      { idempotencyKey: `${id}:confirm` },
    );
    expect(bodyOf("POST", "/v2/checkout/orders")[0]!.body!["payment_source"].paypal.attributes.customer).toEqual({ id: "Cust0mer01" });
  });
});

describe("the fake's vault answers", () => {
  // Runs last: the fake keeps every response since it started, so this sees every vault answer of this file.
  it("hold to Vault v3's and Orders v2's published schemas (setup tokens in each status, payment tokens, replays, errors)", async () => {
    await savedCard();
    rig.fake.planNextSetup({ payerAction: true });
    const waiting = await savedCard();
    await fetch(`${rig.fake.baseUrl}/v3/vault/setup-tokens/${waiting.providerSetupId}`, { headers: { authorization: `Bearer ${rig.fake.issuedTokens.at(-1)}` } });
    await rejection(rig.gateway.resumeSetup!({ savedPaymentMethodId: "x", providerSetupId: "NOPE0000000000000", providerCustomerId: "c" }, { idempotencyKey: "x" }));
    expect(violationsIn(rig.fake)).toEqual([]);
    const vaultAnswers = new Set(rig.fake.responses.filter((r) => r.path.startsWith("/v3/")).map((r) => `${r.method} ${r.status}`));
    expect([...vaultAnswers].sort()).toEqual(["DELETE 204", "DELETE 404", "DELETE 500", "GET 200", "GET 404", "POST 200", "POST 201", "POST 422", "POST 500"]);
  });
});
