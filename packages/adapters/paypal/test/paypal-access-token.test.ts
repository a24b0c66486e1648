import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { paymentId, rejection } from "./support/drive.js";
import { startPayPalRig, type PayPalTestRig } from "./support/paypal-harness.js";

/**
 * A 401 from the API means PayPal no longer takes our cached access token: it is dropped and the call sent once more
 * with a fresh one. Without that, every call fails until the SDK's own idea of the token's expiry.
 */
let now = new Date();
const rig: PayPalTestRig = await startPayPalRig({ clock: () => now, tokenLifetimeSeconds: 600 }, { now: () => now });
afterAll(() => rig.close());
beforeEach(() => {
  now = new Date();
  rig.fake.reset();
});

const tokenRequests = () => rig.fake.requests.filter((r) => r.path === "/v1/oauth2/token").length;
const orderPosts = () => rig.fake.requests.filter((r) => r.method === "POST" && r.path === "/v2/checkout/orders");

async function create(gateway = rig.gateway) {
  const id = paymentId();
  return gateway.createPayment({ paymentId: id, amount: 2000, currency: "USD", captureMethod: "automatic" }, { idempotencyKey: `${id}:c` });
}

describe("an access token PayPal rejects", () => {
  it("a revoked token is dropped and the call sent once more, under the same PayPal-Request-Id, with a fresh token", async () => {
    const gateway = rig.gatewayWith();
    await create(gateway);
    expect(tokenRequests()).toBe(1);
    rig.fake.revokeTokens();
    const created = await create(gateway);
    expect(created.status).toBe("requires_action");
    expect(tokenRequests()).toBe(2);
    const [, refused, accepted] = orderPosts();
    expect(refused!.requestId).toBe(accepted!.requestId);
    expect(rig.fake.ledger.orders.size).toBe(2);
    // The fresh token is kept: the next call fetches none.
    await create(gateway);
    expect(tokenRequests()).toBe(2);
  });

  it("a token PayPal expired before the SDK's clock says so is replaced", async () => {
    const gateway = rig.gatewayWith();
    await create(gateway);
    now = new Date(now.getTime() + 601_000);
    expect((await create(gateway)).status).toBe("requires_action");
    expect(tokenRequests()).toBe(2);
  });

  it("calls refused together fetch one new token between them", async () => {
    const gateway = rig.gatewayWith();
    const paid = await create(gateway);
    rig.fake.revokeTokens();
    const results = await Promise.all(Array.from({ length: 5 }, () => gateway.retrieve(paid.providerPaymentId)));
    expect(results.every((r) => r.providerPaymentId === paid.providerPaymentId)).toBe(true);
    expect(tokenRequests()).toBe(2);
  });

  it("a second 401 is the answer: gateway_error (retryable, PayPal did not act), and the call is not sent a third time", async () => {
    const gateway = rig.gatewayWith();
    await create(gateway);
    rig.fake.injectFault({ method: "POST", path: "/v2/checkout/orders", times: 2, fault: { kind: "status", status: 401 } });
    const before = orderPosts().length;
    const error = await rejection(create(gateway));
    expect(error.code).toBe("gateway_error");
    expect(orderPosts().length - before).toBe(2);
    expect(rig.fake.ledger.orders.size).toBe(1);
  });
});
