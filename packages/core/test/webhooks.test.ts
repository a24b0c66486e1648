import { describe, expect, it } from "vitest";
import { SIMULATED_SIGNATURE_HEADER, signSimulatedPayload } from "../src/simulated/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

describe("provider webhooks through the service", () => {
  it("applies a signed event once; redeliveries are acknowledged as duplicates", async () => {
    const { service, gateway } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 900, currency: "USD" }, ctx("c"));
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("p"));
    gateway.completeAction(confirmed.payment.providerPaymentId!);
    // The provider finishes the payment on its side and tells us by webhook, before any resume call.
    await gateway.resumePayment(
      { paymentId: payment.id, providerPaymentId: confirmed.payment.providerPaymentId!, captureMethod: "automatic" },
      { idempotencyKey: "provider-side" },
    );
    const { rawBody, headers } = gateway.webhookFor(confirmed.payment.providerPaymentId!);
    const results = await Promise.all(Array.from({ length: 10 }, () => service.handleWebhook("simulated", rawBody, headers)));
    expect(results.filter((r) => r.status === "applied")).toHaveLength(1);
    expect(results.filter((r) => r.status === "duplicate")).toHaveLength(9);
    const after = await service.getPaymentDetails(payment.id);
    expect(after.payment.status).toBe("succeeded");
    expect(after.history.filter((h) => h.to === "succeeded")).toHaveLength(1);
    expect(after.history.at(-1)?.actor).toBe("webhook:simulated");
  });

  it("never moves a payment backwards", async () => {
    const { service, gateway } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 900, currency: "USD" }, ctx("c"));
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("p"));
    const stale = gateway.webhookFor(confirmed.payment.providerPaymentId!); // says requires_action
    gateway.completeAction(confirmed.payment.providerPaymentId!);
    await service.confirmPayment(payment.id, {}, ctx("resume"));
    const result = await service.handleWebhook("simulated", stale.rawBody, stale.headers);
    expect(result.status).toBe("ignored");
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
  });

  it("rejects a tampered body or a bad signature with webhook_signature_invalid and records nothing", async () => {
    const { service, gateway } = setup();
    const paid = await paidPayment(service, 500);
    const { rawBody, headers } = gateway.webhookFor(paid.providerPaymentId!);
    await expect(service.handleWebhook("simulated", rawBody.replace("500", "501"), headers)).rejects.toMatchObject({
      code: "webhook_signature_invalid",
      httpStatus: 400,
    });
    await expect(service.handleWebhook("simulated", rawBody, { "simulated-signature": "t=1,v1=00" })).rejects.toMatchObject({
      code: "webhook_signature_invalid",
    });
    await expect(service.handleWebhook("simulated", JSON.stringify(JSON.parse(rawBody), null, 2), headers)).rejects.toMatchObject({
      code: "webhook_signature_invalid",
    });
    // The genuine event is still new: nothing was recorded by the failures.
    expect((await service.handleWebhook("simulated", rawBody, headers)).status).not.toBe("duplicate");
  });

  it("refuses a stale signature", async () => {
    const { service, gateway, clock } = setup();
    const paid = await paidPayment(service, 500);
    const { rawBody, headers } = gateway.webhookFor(paid.providerPaymentId!);
    clock.advance(301_000);
    await expect(service.handleWebhook("simulated", rawBody, headers)).rejects.toMatchObject({ code: "webhook_signature_invalid" });
  });
});

describe("webhooks for payments we do not know yet", () => {
  it("are stored and held (not applied, not dropped); a redelivery is held again, not a duplicate", async () => {
    const { service, gateway } = setup();
    const paid = await paidPayment(service, 500);
    const { rawBody, headers } = gateway.webhookFor(paid.providerPaymentId!);
    const other = setup();
    // Same provider event, delivered to a service whose store has never seen the payment.
    const first = await other.service.handleWebhook("simulated", rawBody, headers);
    expect(first.status).toBe("held");
    const again = await other.service.handleWebhook("simulated", rawBody, headers);
    expect(again.status).toBe("held");
    const [row] = await other.store.listInboxEvents({ eventId: first.eventId, limit: 1 });
    expect(row).toMatchObject({ status: "held", attempts: 2, paymentId: paid.id, providerPaymentId: paid.providerPaymentId });
    expect((await service.handleWebhook("simulated", rawBody, headers)).status).toBe("ignored");
    expect((await service.handleWebhook("simulated", rawBody, headers)).status).toBe("duplicate");
  });

  it("a late processing event does not pull a payment waiting for 3-D Secure out of requires_action", async () => {
    const { service, gateway, clock } = setup();
    const { payment } = await service.createPayment({ owner: "u", amount: 1000, currency: "USD" }, ctx("c"));
    const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("k"));
    expect(confirmed.payment.status).toBe("requires_action");
    // An event from before the 3-D Secure step, delivered late: the object as it was while the provider processed.
    const object = gateway.listObjects()[0]!;
    const rawBody = JSON.stringify({
      id: "evt_late",
      type: "payment.processing",
      created: clock.now().toISOString(),
      data: { object: { ...object, status: "processing" } },
    });
    const signature = signSimulatedPayload(rawBody, "whsec_simulated_development", Math.floor(clock.now().getTime() / 1000));
    const result = await service.handleWebhook("simulated", rawBody, { [SIMULATED_SIGNATURE_HEADER]: signature });
    expect(result.status).toBe("ignored");
    expect(await service.getPayment(payment.id)).toMatchObject({ status: "requires_action" });
    // The customer finishes the step and the resume charges the payment.
    gateway.completeAction(object.id);
    const resumed = await service.confirmPayment(payment.id, {}, ctx("k2"));
    expect(resumed.payment.status).toBe("succeeded");
  });
});
