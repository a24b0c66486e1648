import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeRig, type StripeTestRig } from "./support/stripe-harness.js";

// The fake's idempotency layer as Stripe documents its own (docs.stripe.com/api/idempotent_requests and
// /error-low-level#idempotency): the first answer of an endpoint that began executing is saved for the key,
// whatever it is, and replayed; answers given before (parameter validation, rate limits, authentication, a key in
// use) are not. Exercised through the real SDK, so the adapter's tests stand on these rules.
let rig: StripeTestRig;
beforeAll(async () => {
  rig = await startStripeRig();
});
afterAll(() => rig.close());
beforeEach(() => rig.fake.reset());

async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await promise.then(
    () => new Error("expected Stripe to refuse"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeError);
  return error as Stripe.errors.StripeError;
}

const charge = { amount: 2000, currency: "usd", payment_method: "pm_card_visa", confirm: true, automatic_payment_methods: { enabled: true, allow_redirects: "never" as const } };

describe("the Stripe fake's idempotency layer", () => {
  it("saves an endpoint's 400 and replays it for the key, marked Idempotent-Replayed", async () => {
    const pi = await rig.stripe.paymentIntents.create(charge);
    rig.fake.createDispute(pi.id);
    const first = await stripeError(rig.stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: "k-400" }));
    expect(first).toMatchObject({ statusCode: 400, code: "charge_disputed" });
    const again = await stripeError(rig.stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: "k-400" }));
    expect(again).toMatchObject({ statusCode: 400, code: "charge_disputed" });
    expect(again.headers?.["idempotent-replayed"]).toBe("true");
  });

  it("saves a 500 given after the request took effect, replays it, and tells the SDK a retry is pointless", async () => {
    rig.fake.injectFault({ kind: "answer_lost", method: "POST", path: "/v1/payment_intents" });
    const first = await stripeError(rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-500" }));
    expect(first.statusCode).toBe(500);
    expect(first.headers?.["stripe-should-retry"]).toBe("false");
    expect(rig.fake.paymentIntents()).toHaveLength(1);
    const again = await stripeError(rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-500" }));
    expect(again.statusCode).toBe(500);
    expect(again.headers?.["idempotent-replayed"]).toBe("true");
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it("does not save a parameter validation failure: the same key with the parameters corrected executes", async () => {
    const refused = await stripeError(rig.stripe.paymentIntents.create({ ...charge, capture_method: "later" as "manual" }, { idempotencyKey: "k-param" }));
    expect(refused).toMatchObject({ statusCode: 400, param: "capture_method" });
    const pi = await rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-param" });
    expect(pi.status).toBe("succeeded");
  });

  it("saves a refusal the endpoint made (a payment method it looked up and did not find): other parameters are then a mismatch", async () => {
    const refused = await stripeError(rig.stripe.paymentIntents.create({ ...charge, payment_method: "pm_nowhere" }, { idempotencyKey: "k-pm" }));
    expect(refused).toMatchObject({ statusCode: 400, code: "resource_missing", param: "payment_method" });
    const mismatch = await stripeError(rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-pm" }));
    expect(mismatch).toMatchObject({ statusCode: 400, type: "StripeIdempotencyError" });
    expect(rig.fake.paymentIntents()).toHaveLength(0);
  });

  it("answers 409 idempotency_key_in_use to a second request while the first runs, and saves nothing for it", async () => {
    rig.fake.injectFault({ kind: "slow", ms: 250, method: "POST", path: "/v1/payment_intents" });
    const first = rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-409" });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const second = await stripeError(rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-409" }));
    expect(second).toMatchObject({ statusCode: 409, code: "idempotency_key_in_use" });
    const made = await first;
    const third = await rig.stripe.paymentIntents.create(charge, { idempotencyKey: "k-409" });
    expect(third.id).toBe(made.id);
    expect(rig.fake.paymentIntents()).toHaveLength(1);
  });

  it("saves nothing for answers given before the idempotency layer (429, 401)", async () => {
    for (const status of [429, 401]) {
      rig.fake.injectFault({ kind: "status", status, method: "POST" });
      expect((await stripeError(rig.stripe.paymentIntents.create(charge, { idempotencyKey: `k-${status}` }))).statusCode).toBe(status);
      expect((await rig.stripe.paymentIntents.create(charge, { idempotencyKey: `k-${status}` })).status).toBe("succeeded");
    }
  });
});
