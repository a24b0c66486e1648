import { describe, expect, it, vi } from "vitest";
import { pathTo } from "../src/domain/transitions.js";
import { MemoryPaymentStore } from "../src/memory/memory-store.js";
import type { GatewayWebhookEvent, PaymentGateway } from "../src/ports/payment-gateway.js";
import type { PaymentStore } from "../src/ports/payment-store.js";
import type { PaymentService } from "../src/service/payment-service.js";
import type { SimulatedGateway } from "../src/simulated/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

type Delivery = { rawBody: string; headers: Record<string, string> };

/** Everything the store holds for one payment, to compare deliveries by effect. */
async function effects(service: PaymentService, store: PaymentStore, paymentId: string) {
  const { payment, history, refunds } = await service.getPaymentDetails(paymentId);
  const outbox = await store.listOutbox({ paymentId, limit: 1000 });
  return { payment, history, refunds, outbox };
}

/** A payment waiting for 3-D Secure in our store, and its provider object. */
async function awaitingAction(service: PaymentService, captureMethod: "automatic" | "manual" = "automatic") {
  const { payment } = await service.createPayment({ owner: "u", amount: 9000, currency: "USD", captureMethod }, ctx(`c-${Math.random()}`));
  const confirmed = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx(`p-${payment.id}`));
  expect(confirmed.payment.status).toBe("requires_action");
  return { paymentId: payment.id, providerPaymentId: confirmed.payment.providerPaymentId! };
}

/** The customer completes 3-D Secure and the provider finishes the payment on its side, telling us only by webhook. */
async function providerCompletes(gateway: SimulatedGateway, paymentId: string, providerPaymentId: string) {
  gateway.completeAction(providerPaymentId);
  await gateway.resumePayment({ paymentId, providerPaymentId, captureMethod: "automatic" }, { idempotencyKey: `provider-side-${paymentId}` });
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe("the webhook inbox applies every event exactly once", () => {
  it("one event delivered 10 times in a row and 10 times at once is applied once", async () => {
    for (const mode of ["in a row", "at once"] as const) {
      const { service, gateway, store } = setup();
      const { paymentId, providerPaymentId } = await awaitingAction(service);
      await providerCompletes(gateway, paymentId, providerPaymentId);
      const before = await effects(service, store, paymentId);
      const delivery = gateway.webhookFor(providerPaymentId);
      const deliver = () => service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
      const results =
        mode === "in a row"
          ? await Array.from({ length: 10 }).reduce<Promise<Awaited<ReturnType<typeof deliver>>[]>>(async (acc) => [...(await acc), await deliver()], Promise.resolve([]))
          : await Promise.all(Array.from({ length: 10 }, deliver));
      expect(results.map((r) => r.status).sort(), mode).toEqual(["applied", ...Array(9).fill("duplicate")]);
      const after = await effects(service, store, paymentId);
      expect(after.payment.status).toBe("succeeded");
      // requires_action → succeeded: one history row and one event, once.
      expect(after.history.length - before.history.length, mode).toBe(1);
      expect(after.outbox.length - before.outbox.length, mode).toBe(1);
      expect(after.outbox.filter((e) => e.event.type === "payment.succeeded")).toHaveLength(1);
      const [row] = await store.listInboxEvents({ eventId: results[0]!.eventId, limit: 1 });
      expect(row).toMatchObject({ status: "processed", attempts: 1, paymentId, lastError: null });
      expect(row!.outcome).toContain("applied");
    }
  });

  it("stores the parsed event before applying it, without signatures or client secrets", async () => {
    const { service, gateway, store } = setup();
    const { providerPaymentId } = await awaitingAction(service);
    const delivery = gateway.webhookFor(providerPaymentId);
    const parsed = await gateway.parseWebhook(delivery.rawBody, delivery.headers);
    expect(parsed.kind === "payment" && parsed.payment.nextAction?.clientSecret).toContain("_secret");
    const result = await service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
    const [row] = await store.listInboxEvents({ eventId: result.eventId, limit: 1 });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("_secret");
    expect(stored).not.toContain(delivery.headers["simulated-signature"]!.split("v1=")[1]!);
    expect(row!.event).toMatchObject({ kind: "payment", eventId: result.eventId, payment: { status: "requires_action" } });
  });

  it("a store that cannot store the event makes handleWebhook throw, and nothing is applied", async () => {
    const store = new MemoryPaymentStore();
    const failing: PaymentStore = Object.assign(Object.create(store) as PaymentStore, {
      transaction: <T>(work: Parameters<PaymentStore["transaction"]>[0]) =>
        store.transaction((tx) => work({ ...tx, insertInboxEvent: async () => Promise.reject(new Error("disk full")) }) as Promise<T>),
    });
    const { service, gateway } = setup({ store });
    const { paymentId, providerPaymentId } = await awaitingAction(service);
    await providerCompletes(gateway, paymentId, providerPaymentId);
    const { service: refusing } = setup({ store: failing });
    const delivery = gateway.webhookFor(providerPaymentId);
    await expect(refusing.handleWebhook("simulated", delivery.rawBody, delivery.headers)).rejects.toThrow("disk full");
    expect((await store.getPayment(paymentId))?.status).toBe("requires_action");
    expect(await store.listInboxEvents({ limit: 10 })).toEqual([]);
  });

  it("an event whose applier died after storing it is applied by the sweep once it is stale", async () => {
    const { service, gateway, store, clock } = setup();
    const { paymentId, providerPaymentId } = await awaitingAction(service);
    await providerCompletes(gateway, paymentId, providerPaymentId);
    const delivery = gateway.webhookFor(providerPaymentId);
    const event = await gateway.parseWebhook(delivery.rawBody, delivery.headers);
    // What a crash between the two transactions leaves: the event stored as received, the payment untouched.
    const { toInboxEvent } = await import("../src/service/webhook-handler.js");
    await store.transaction((tx) => tx.insertInboxEvent(toInboxEvent(event, clock.now().toISOString())));
    expect((await service.processHeldWebhooks()).examined).toBe(0);
    clock.advance(61_000);
    const report = await service.processHeldWebhooks();
    expect(report.results.applied).toBe(1);
    expect((await service.getPayment(paymentId)).status).toBe("succeeded");
  });
});

describe("out-of-order events", () => {
  it("every ordering of requires_action, succeeded and a refund we did not make ends in the same state", async () => {
    const finals: unknown[] = [];
    for (const order of permutations([0, 1, 2])) {
      const { service, gateway, store } = setup();
      const retrieve = vi.spyOn(gateway, "retrieve");
      const { paymentId, providerPaymentId } = await awaitingAction(service);
      const requiresAction = gateway.webhookFor(providerPaymentId);
      await providerCompletes(gateway, paymentId, providerPaymentId);
      const succeeded = gateway.webhookFor(providerPaymentId);
      // Made at the provider's dashboard: no refund of ours carries its id.
      await gateway.refund(
        { paymentId, refundId: "re_dashboard", providerPaymentId, amount: 1000, currency: "USD", reason: "dashboard" },
        { idempotencyKey: "dashboard" },
      );
      const refunded = gateway.webhookFor(providerPaymentId, "refund.updated");
      const deliveries: Delivery[] = [requiresAction, succeeded, refunded];
      for (const index of order) await service.handleWebhook("simulated", deliveries[index]!.rawBody, deliveries[index]!.headers);
      const { payment, history, refunds } = await effects(service, store, paymentId);
      // Never backwards: every history row goes forward along the table.
      for (const h of history.slice(1)) expect(pathTo(h.from!, h.to), `order ${order}: ${h.from} → ${h.to}`).toEqual([h.to]);
      expect(history.map((h) => h.to)).toEqual(["pending", "processing", "requires_action", "succeeded"]);
      // The unknown refund made the service ask the gateway (outside any transaction) instead of guessing.
      expect(retrieve).toHaveBeenCalledWith(providerPaymentId);
      const inbox = await store.listInboxEvents({ paymentId, limit: 10 });
      expect(inbox.map((e) => e.status)).toEqual(["processed", "processed", "processed"]);
      expect(inbox.find((e) => e.type === "refund.updated")?.outcome).toMatch(/^fetched/);
      finals.push({ status: payment.status, captured: payment.amountCaptured, refunded: payment.amountRefunded, reserved: payment.amountRefundReserved, receipt: payment.receiptNumber !== null, refunds: refunds.length });
    }
    expect(finals).toHaveLength(6);
    for (const final of finals) expect(final).toEqual({ status: "succeeded", captured: 9000, refunded: 0, reserved: 0, receipt: true, refunds: 0 });
  });

  it("every ordering of requires_action, succeeded and our refund's update settles the refund once", async () => {
    const finals: unknown[] = [];
    for (const order of permutations([0, 1, 2])) {
      const { service, gateway, store } = setup();
      const { paymentId, providerPaymentId } = await awaitingAction(service);
      const requiresAction = gateway.webhookFor(providerPaymentId);
      gateway.completeAction(providerPaymentId);
      await service.confirmPayment(paymentId, {}, ctx(`resume-${paymentId}`));
      const succeeded = gateway.webhookFor(providerPaymentId);
      // The provider refunds, but its answer is lost: our refund stays pending with its amount reserved.
      gateway.injectFault({ kind: "lose_response", operation: "refund" });
      await expect(service.refundPayment(paymentId, { amount: 2500, reason: "detour" }, ctx(`refund-${paymentId}`))).rejects.toMatchObject({
        code: "gateway_outcome_unknown",
      });
      const refundUpdated = gateway.webhookFor(providerPaymentId, "refund.updated");
      const deliveries: Delivery[] = [requiresAction, succeeded, refundUpdated];
      const before = await effects(service, store, paymentId);
      const statuses = [];
      for (const index of order) statuses.push((await service.handleWebhook("simulated", deliveries[index]!.rawBody, deliveries[index]!.headers)).status);
      expect(statuses.filter((s) => s === "applied")).toHaveLength(1);
      const { payment, refunds, history, outbox } = await effects(service, store, paymentId);
      expect(history.length - before.history.length).toBe(1);
      expect(outbox.length - before.outbox.length).toBe(1);
      finals.push({
        status: payment.status,
        captured: payment.amountCaptured,
        refunded: payment.amountRefunded,
        reserved: payment.amountRefundReserved,
        refunds: refunds.map((r) => r.status),
      });
    }
    for (const final of finals) {
      expect(final).toEqual({ status: "partially_refunded", captured: 9000, refunded: 2500, reserved: 0, refunds: ["succeeded"] });
    }
  });

  it("every ordering of requires_action, authorized and succeeded (manual capture) ends captured", async () => {
    const finals: unknown[] = [];
    for (const order of permutations([0, 1, 2])) {
      const { service, gateway } = setup();
      const { paymentId, providerPaymentId } = await awaitingAction(service, "manual");
      const requiresAction = gateway.webhookFor(providerPaymentId);
      gateway.completeAction(providerPaymentId);
      await gateway.resumePayment({ paymentId, providerPaymentId, captureMethod: "manual" }, { idempotencyKey: `provider-resume-${paymentId}` });
      const authorized = gateway.webhookFor(providerPaymentId);
      await gateway.capture({ paymentId, providerPaymentId, amount: 9000, currency: "USD" }, { idempotencyKey: `provider-capture-${paymentId}` });
      const captured = gateway.webhookFor(providerPaymentId);
      const deliveries: Delivery[] = [requiresAction, authorized, captured];
      for (const index of order) await service.handleWebhook("simulated", deliveries[index]!.rawBody, deliveries[index]!.headers);
      const payment = await service.getPayment(paymentId);
      finals.push({ status: payment.status, captured: payment.amountCaptured, receipt: payment.receiptNumber !== null });
    }
    for (const final of finals) expect(final).toEqual({ status: "succeeded", captured: 9000, receipt: true });
  });

  it("an ambiguous event whose gateway fetch fails is stored as failed and applied by a later sweep", async () => {
    const { service, gateway, store } = setup();
    const paid = await paidPayment(service, 4000);
    await gateway.refund(
      { paymentId: paid.id, refundId: "re_elsewhere", providerPaymentId: paid.providerPaymentId!, amount: 100, currency: "USD", reason: "x" },
      { idempotencyKey: "elsewhere" },
    );
    const delivery = gateway.webhookFor(paid.providerPaymentId!, "refund.updated");
    const retrieve = vi.spyOn(gateway, "retrieve").mockRejectedValueOnce(new Error("provider down"));
    const first = await service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
    expect(first.status).toBe("failed");
    const [row] = await store.listInboxEvents({ eventId: first.eventId, limit: 1 });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row!.lastError).toContain("provider down");
    const report = await service.processHeldWebhooks();
    expect(report.results.ignored).toBe(1);
    expect(retrieve).toHaveBeenCalledTimes(2);
    expect((await store.listInboxEvents({ eventId: first.eventId, limit: 1 }))[0]).toMatchObject({ status: "processed", attempts: 2, lastError: null });
  });
});

describe("held events", () => {
  /** A second deployment's store that has not seen the payment yet, sharing the provider. */
  async function eventBeforeItsPayment(orphanAfterMs?: number) {
    const source = setup();
    const { paymentId, providerPaymentId } = await awaitingAction(source.service);
    const snapshot = await source.service.getPayment(paymentId);
    await providerCompletes(source.gateway, paymentId, providerPaymentId);
    const delivery = source.gateway.webhookFor(providerPaymentId);
    const target = setup({ orphanAfterMs });
    const held = await target.service.handleWebhook("simulated", delivery.rawBody, delivery.headers);
    const appear = () => target.store.transaction((tx) => tx.insertPayment(snapshot));
    return { ...target, held, paymentId, appear };
  }

  it("an event before its payment is held, then applied by the sweep when the payment appears", async () => {
    const { service, store, held, paymentId, appear } = await eventBeforeItsPayment();
    expect(held.status).toBe("held");
    expect((await service.processHeldWebhooks()).results.held).toBe(1);
    await appear();
    const report = await service.processHeldWebhooks();
    expect(report.results.applied).toBe(1);
    expect((await service.getPayment(paymentId)).status).toBe("succeeded");
    expect(await store.listInboxEvents({ status: "processed", limit: 10 })).toHaveLength(1);
    expect((await service.processHeldWebhooks()).examined).toBe(0);
  });

  it("a held event is reported orphaned after orphanAfterMs; an operator's replay applies it once the payment exists", async () => {
    const { service, store, clock, held, paymentId, appear } = await eventBeforeItsPayment(10 * 60_000);
    clock.advance(9 * 60_000);
    expect((await service.processHeldWebhooks()).results.held).toBe(1);
    clock.advance(60_000);
    expect((await service.processHeldWebhooks()).results.orphaned).toBe(1);
    expect(await store.listInboxEvents({ status: "orphaned", limit: 10 })).toHaveLength(1);
    // Orphaned events are left to an operator: the sweep does not retry them.
    expect((await service.processHeldWebhooks()).examined).toBe(0);
    expect((await service.replayWebhook("simulated", held.eventId)).status).toBe("orphaned");
    await appear();
    expect((await service.replayWebhook("simulated", held.eventId)).status).toBe("applied");
    expect((await service.replayWebhook("simulated", held.eventId)).status).toBe("duplicate");
    expect((await service.getPayment(paymentId)).status).toBe("succeeded");
    await expect(service.replayWebhook("simulated", "evt_none")).rejects.toMatchObject({ code: "not_found" });
  });

  it("an event naming only the provider's id is held until phase 3 records that id, then applied right after", async () => {
    // Like a PayPal event without custom_id: only the provider's id to go by.
    const withoutOurId = (gateway: SimulatedGateway): PaymentGateway =>
      ({
        provider: gateway.provider,
        capabilities: gateway.capabilities,
        createPayment: (request, options) => gateway.createPayment(request, options),
        resumePayment: (request, options) => gateway.resumePayment(request, options),
        capture: (request, options) => gateway.capture(request, options),
        cancel: (request, options) => gateway.cancel(request, options),
        refund: (request, options) => gateway.refund(request, options),
        retrieve: (id) => gateway.retrieve(id),
        findByPaymentId: (id) => gateway.findByPaymentId(id),
        listTransactions: (window) => gateway.listTransactions(window),
        parseWebhook: async (rawBody, headers): Promise<GatewayWebhookEvent> => {
          const event = await gateway.parseWebhook(rawBody, headers);
          return event.kind === "payment" ? { ...event, payment: { ...event.payment, paymentId: null } } : event;
        },
      });
    const { service, gateway, store, clock } = setup({ wrapGateway: withoutOurId });
    const { payment } = await service.createPayment({ owner: "u", amount: 700, currency: "USD" }, ctx("create"));
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm"))).rejects.toMatchObject({
      code: "gateway_outcome_unknown",
    });
    const [object] = gateway.listObjects();
    const delivery = gateway.webhookFor(object!.id);
    expect((await service.handleWebhook("simulated", delivery.rawBody, delivery.headers)).status).toBe("held");
    // Recovery settles the confirm (phase 3 records the provider's id); the held event applies right after.
    clock.advance(1_000);
    const recovered = await service.recoverStale({ olderThanMs: 0 });
    expect(recovered.settled).toHaveLength(1);
    const [row] = await store.listInboxEvents({ limit: 1 });
    expect(row).toMatchObject({ status: "processed", paymentId: payment.id });
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
  });
});
