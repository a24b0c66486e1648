import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAcmeRig, type AcmeRig } from "./acme-harness.js";

/*
 * Two reading rules of the adapter that the contract kit does not pin: listTransactions follows every page, and
 * findByPaymentId answers the newest of several charges for one payment (a decline, then a second card).
 */

let rig: AcmeRig;

beforeAll(async () => {
  rig = await startAcmeRig({}, { maxPageSize: 2 });
});
afterAll(() => rig.fake.close());

const chargeFor = (paymentId: string, card: string, key: string) =>
  rig.gateway.createPayment({ paymentId, amount: 2000, currency: "USD", captureMethod: "automatic", paymentMethodId: card }, { idempotencyKey: key });

describe("Acme lookups", () => {
  it("listTransactions follows Acme's pages to the last one", async () => {
    const since = new Date(Date.now() - 1_000);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await chargeFor(`pay_page_${i}`, "tok_visa", `page-${i}`)).providerPaymentId);
    const listed = [];
    for await (const payment of rig.gateway.listTransactions({ since, until: new Date(Date.now() + 1_000) })) listed.push(payment.providerPaymentId);
    expect(listed).toEqual(made);
  });

  it("findByPaymentId answers the newest charge: after a decline, the second card's charge is the payment's", async () => {
    const declined = await chargeFor("pay_second_card", "tok_decline", "first-card");
    expect(declined.status).toBe("failed");
    const paid = await chargeFor("pay_second_card", "tok_visa", "second-card");
    const found = await rig.gateway.findByPaymentId("pay_second_card");
    expect(found).toMatchObject({ providerPaymentId: paid.providerPaymentId, status: "succeeded" });
  });
});
