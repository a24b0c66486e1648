import { describe, expect, it } from "vitest";
import { refundableAmount } from "../src/domain/refunds.js";
import { PaymentError } from "../src/errors/index.js";
import type { CreateGatewayPaymentRequest, GatewayCallOptions, GatewayPayment, PaymentGateway } from "../src/ports/payment-gateway.js";
import { classifyGatewayError } from "../src/service/gateway-answer.js";
import { SimulatedGateway } from "../src/simulated/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

/** What a refused request must leave untouched: the payment row, its history and its events. */
async function footprint(service: ReturnType<typeof setup>["service"], paymentId: string) {
  const details = await service.getPaymentDetails(paymentId);
  const events = (await service.store.listOutbox({ limit: 1000 })).filter((e) => e.event.paymentId === paymentId);
  return { payment: details.payment, history: details.history.length, events: events.length };
}

async function newPayment(service: ReturnType<typeof setup>["service"]) {
  return (await service.createPayment({ owner: "user_1", amount: 2500, currency: "USD" }, ctx(`create-${Math.random()}`))).payment;
}

/**
 * A provider that saves a 5xx for the key like Stripe does: `lose` makes the next create act (or not) and then answer
 * 500, and every later request under that key gets the same saved 500.
 */
class SavesServerErrors implements PaymentGateway {
  readonly provider: string;
  readonly capabilities: SimulatedGateway["capabilities"];
  readonly poisonedKeys = new Set<string>();
  readonly keysSeen: string[] = [];
  lose: "after_acting" | "before_acting" | null = null;
  constructor(readonly inner: SimulatedGateway) {
    this.provider = inner.provider;
    this.capabilities = inner.capabilities;
  }
  async createPayment(request: CreateGatewayPaymentRequest, options: GatewayCallOptions): Promise<GatewayPayment> {
    this.keysSeen.push(options.idempotencyKey);
    const saved = () => new PaymentError("gateway_outcome_unknown", "HTTP 500 (replayed)", { details: { sameKeyReplays: true } });
    if (this.poisonedKeys.has(options.idempotencyKey)) throw saved();
    const lose = this.lose;
    this.lose = null;
    if (lose === "before_acting") {
      this.poisonedKeys.add(options.idempotencyKey);
      throw saved();
    }
    const created = await this.inner.createPayment(request, options);
    if (lose === "after_acting") {
      this.poisonedKeys.add(options.idempotencyKey);
      throw saved();
    }
    return created;
  }
  resumePayment: PaymentGateway["resumePayment"] = (r, o) => this.inner.resumePayment(r, o);
  capture: PaymentGateway["capture"] = (r, o) => this.inner.capture(r, o);
  cancel: PaymentGateway["cancel"] = (r, o) => this.inner.cancel(r, o);
  refund: PaymentGateway["refund"] = (r, o) => this.inner.refund(r, o);
  retrieve: PaymentGateway["retrieve"] = (id) => this.inner.retrieve(id);
  findByPaymentId: PaymentGateway["findByPaymentId"] = (id) => this.inner.findByPaymentId(id);
  listTransactions: PaymentGateway["listTransactions"] = (w) => this.inner.listTransactions(w);
  parseWebhook: PaymentGateway["parseWebhook"] = (b, h) => this.inner.parseWebhook(b, h);
}

describe("the gateway answer taxonomy", () => {
  it("classifies every thrown code into exactly one kind; anything unrecognised may have acted", () => {
    expect(classifyGatewayError(new PaymentError("insufficient_funds", "x"))).toBe("declined");
    expect(classifyGatewayError(new PaymentError("validation_error", "x"))).toBe("invalid_request");
    expect(classifyGatewayError(new PaymentError("amount_too_small", "x"))).toBe("invalid_request");
    expect(classifyGatewayError(new PaymentError("gateway_rate_limited", "x"))).toBe("retryable");
    expect(classifyGatewayError(new PaymentError("gateway_error", "x"))).toBe("retryable");
    expect(classifyGatewayError(new PaymentError("gateway_outcome_unknown", "x"))).toBe("unknown_outcome");
    expect(classifyGatewayError(new Error("socket hang up"))).toBe("unknown_outcome");
    expect(classifyGatewayError(new PaymentError("internal", "x"))).toBe("unknown_outcome");
  });
});

describe("a refused confirm changes nothing", () => {
  for (const [name, input] of [
    ["no payment method", {}],
    ["an unknown payment method", { paymentMethodId: "pm_bogus" }],
    ["a card number as the payment method", { paymentMethodId: "4242424242424242" }],
    ["a card number with spaces", { paymentMethodId: "4242 4242 4242 4242" }],
  ] as const) {
    it(`${name}: 400, the payment untouched and still confirmable`, async () => {
      const { service } = setup();
      const payment = await newPayment(service);
      const before = await footprint(service, payment.id);
      const error = await service.confirmPayment(payment.id, input, ctx("confirm-bad")).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "validation_error" });
      expect(JSON.stringify((error as PaymentError).toJSON())).not.toMatch(/4242/);
      expect(await footprint(service, payment.id)).toEqual(before);
      // The key was not spent on the refused request either: the same key with a correct request goes through.
      const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-bad"));
      expect(paid.status).toBe("succeeded");
    });
  }

  it("a request the provider itself refuses as invalid returns the payment to pending, with its own event; a new confirm succeeds under a new gateway key", async () => {
    const { service, gateway } = setup({ wrapGateway: (g) => Object.assign(g, { checkPaymentMethod: () => null }) });
    const payment = await newPayment(service);
    const error = await service.confirmPayment(payment.id, { paymentMethodId: "pm_bogus" }, ctx("confirm-1")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "validation_error" });
    const refused = await service.getPaymentDetails(payment.id);
    expect(refused.payment.status).toBe("pending");
    expect(refused.history.map((h) => h.to)).toEqual(["pending", "processing", "pending"]);
    const events = (await service.store.listOutbox({ limit: 100 })).map((e) => e.event.type);
    expect(events).toContain("payment.confirmation_refused");
    expect(events).not.toContain("payment.failed");
    // The same key replays the refusal; a new key with a correct request charges once.
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_bogus" }, ctx("confirm-1"))).rejects.toMatchObject({ code: "validation_error", replayed: true });
    const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("confirm-2"));
    expect(paid.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a decline still fails the payment", async () => {
    const { service } = setup();
    const payment = await newPayment(service);
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, ctx("c"))).rejects.toMatchObject({ code: "card_declined" });
    expect((await service.getPayment(payment.id)).status).toBe("failed");
  });
});

describe("indefinite answers are bounded", () => {
  it("a provider that keeps refusing before acting (rate limits) resolves the operation as refused once the attempts are spent", async () => {
    const { service, gateway } = setup({ gatewayRetryPolicy: { maxAttempts: 3 } });
    const payment = await newPayment(service);
    for (let i = 0; i < 3; i++) gateway.injectFault({ kind: "rate_limited", operation: "createPayment" });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_rate_limited" });
      expect((await service.getPayment(payment.id)).status).toBe("processing");
    }
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_rate_limited" });
    // Spent: nothing moved at the provider, so the payment is confirmable again and the key's answer is final.
    expect((await service.getPayment(payment.id)).status).toBe("pending");
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ replayed: true });
    expect((await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c2"))).payment.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("an outcome that stays unknown is flagged for an operator, skipped by automatic recovery, and settled by an operator's run", async () => {
    const { service, gateway, store, clock } = setup({ gatewayRetryPolicy: { maxAttempts: 2 } });
    const payment = await newPayment(service);
    gateway.injectFault({ kind: "server_error", operation: "createPayment" });
    gateway.injectFault({ kind: "server_error", operation: "createPayment" });
    for (let i = 0; i < 2; i++) {
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    }
    const [record] = await store.listPendingIdempotencyRecords(new Date(clock.now().getTime() + 1).toISOString(), 10);
    expect(record).toMatchObject({ gatewayAttempts: 2, flaggedAt: expect.any(String), lastGatewayError: { code: "gateway_outcome_unknown" } });
    clock.advance(120_000);
    const automatic = await service.recoverStale({ olderThanMs: 60_000 });
    expect(automatic.flagged).toMatchObject([{ paymentId: payment.id, attempts: 2, lastError: "gateway_outcome_unknown" }]);
    expect(automatic.settled).toEqual([]);
    expect((await service.getPayment(payment.id)).status).toBe("processing");
    const operator = await service.recoverStale({ olderThanMs: 60_000, includeFlagged: true, actor: "operator:ops" });
    expect(operator.settled).toMatchObject([{ paymentId: payment.id, ok: true }]);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });
});

describe("an unknown outcome is looked up before anything is sent again", () => {
  it("a saved 5xx after the provider acted: the retry finds the charge by our payment id and settles it, with no second charge", async () => {
    let saving!: SavesServerErrors;
    const { service, gateway } = setup({ wrapGateway: (g) => (saving = new SavesServerErrors(g)) });
    const payment = await newPayment(service);
    saving.lose = "after_acting";
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(paid.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
    expect(saving.keysSeen).toHaveLength(1);
  });

  it("a saved 5xx before the provider acted: the lookup finds nothing, so the retry sends under a fresh key instead of replaying the 500 for a day", async () => {
    let saving!: SavesServerErrors;
    const { service, gateway } = setup({ wrapGateway: (g) => (saving = new SavesServerErrors(g)) });
    const payment = await newPayment(service);
    saving.lose = "before_acting";
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(paid.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
    expect(new Set(saving.keysSeen).size).toBe(2);
  });
});

describe("refunds the provider refuses or fails", () => {
  it("a refund refused outright fails at once and releases its reservation", async () => {
    const { service, gateway } = setup();
    const paid = await paidPayment(service, 5000);
    gateway.injectFault({ kind: "refuse_refund", operation: "refund" });
    const { refund, payment } = await service.refundPayment(paid.id, { amount: 1000, reason: "goodwill" }, ctx("r1", "admin"));
    expect(refund).toMatchObject({ status: "failed", failure: { message: expect.stringContaining("charge_disputed") } });
    expect(payment).toMatchObject({ amountRefundReserved: 0, amountRefunded: 0, status: "succeeded" });
  });

  it("a refund.failed webhook after the refund succeeded reverses it: refundable again, refund.failed and payment.corrected, no second payment.succeeded", async () => {
    const { service, gateway } = setup();
    const paid = await paidPayment(service, 5000);
    const { refund } = await service.refundPayment(paid.id, { amount: 5000, reason: "trip canceled" }, ctx("r1", "admin"));
    expect((await service.getPayment(paid.id)).status).toBe("refunded");
    const before = (await service.store.listOutbox({ limit: 100 })).length;
    const event = {
      kind: "refund" as const,
      provider: "simulated",
      eventId: "evt_refund_failed",
      type: "refund.failed",
      occurredAt: "2026-03-01T11:00:00.000Z",
      paymentId: paid.id,
      refund: { providerRefundId: refund.providerRefundId!, refundId: refund.id, providerPaymentId: paid.providerPaymentId!, amount: 5000, currency: "USD", status: "failed" as const, failureReason: "lost_or_stolen_card" },
    };
    gateway.parseWebhook = async () => event;
    expect((await service.handleWebhook("simulated", "{}", {})).status).toBe("applied");
    const after = await service.getPaymentDetails(paid.id);
    expect(after.payment).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundReserved: 0 });
    expect(after.refunds[0]).toMatchObject({ status: "failed", failure: { message: "lost_or_stolen_card" } });
    expect(after.history.at(-1)).toMatchObject({ kind: "correction", from: "refunded", to: "succeeded" });
    const added = (await service.store.listOutbox({ limit: 100 })).slice(before).map((e) => e.event.type);
    expect(added).toEqual(["refund.failed", "payment.corrected"]);
    // The money is refundable again by our records (the provider decides whether a new refund can go through).
    expect(refundableAmount(after.payment)).toBe(5000);
  });
});

describe("outside text we keep is made storable, never refused", () => {
  it("a provider message with NUL, a lone surrogate and a card number is stored masked; recording the answer cannot fail", async () => {
    const { service, gateway } = setup();
    const payment = await newPayment(service);
    const dirty = "declined\u0000 for card 4242 4242 4242 4242 \ud800 by issuer";
    const original = gateway.createPayment.bind(gateway);
    gateway.createPayment = async (request, options) => {
      const created = await original({ ...request, paymentMethodId: "pm_card_visa_chargeDeclined" }, options);
      return { ...created, failure: { code: "card_declined", declineCode: "do_not_honor", message: dirty } };
    };
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "card_declined" });
    const stored = await service.getPayment(payment.id);
    expect(stored.status).toBe("failed");
    expect(stored.lastError?.message).toBe("declined\ufffd for card [card] \ufffd by issuer");
  });

  it("an unknown outcome whose message holds control characters is still recorded as pending, not refused", async () => {
    const { service, gateway, store, clock } = setup();
    const payment = await newPayment(service);
    const original = gateway.createPayment.bind(gateway);
    gateway.createPayment = async () => {
      gateway.createPayment = original;
      throw new PaymentError("gateway_outcome_unknown", "upstream said \u0000\u001b[31mboom");
    };
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const [record] = await store.listPendingIdempotencyRecords(new Date(clock.now().getTime() + 1).toISOString(), 10);
    expect(record?.lastGatewayError?.message).toBe("upstream said \ufffd\ufffd[31mboom");
    expect((await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).payment.status).toBe("succeeded");
  });
});

describe("what the review found: a retry must never charge twice or give up on money that may have moved", () => {
  it("a saved 5xx after the charge, then a lookup that is itself rate limited: the next retry still looks up first, one charge", async () => {
    let saving!: SavesServerErrors;
    const { service, gateway } = setup({ wrapGateway: (g) => (saving = new SavesServerErrors(g)) });
    const payment = await newPayment(service);
    saving.lose = "after_acting";
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const find = saving.findByPaymentId;
    saving.findByPaymentId = async () => {
      saving.findByPaymentId = find;
      throw new PaymentError("gateway_rate_limited", "429 on the lookup");
    };
    // A lookup that failed is an unknown outcome too, whatever the lookup was told.
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({
      code: "gateway_outcome_unknown",
      details: { lookupFailed: true, lookupError: "gateway_rate_limited" },
    });
    const { payment: paid } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    expect(paid.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("an unknown outcome followed by rate limits until the policy is spent is flagged, never refused: the customer cannot be charged twice", async () => {
    const { service, gateway, clock } = setup({ gatewayRetryPolicy: { maxAttempts: 3 } });
    const payment = await newPayment(service);
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    // The lookups that follow are refused by the provider's rate limit.
    const find = gateway.findByPaymentId.bind(gateway);
    gateway.findByPaymentId = async () => {
      throw new PaymentError("gateway_rate_limited", "429");
    };
    for (let i = 0; i < 2; i++) {
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    }
    expect((await service.getPayment(payment.id)).status).toBe("processing");
    // Flagged: a client retry is answered without asking the provider, and no new confirm can start.
    gateway.findByPaymentId = find;
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown", details: { flagged: true } });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c2"))).rejects.toMatchObject({ code: "invalid_state_transition" });
    clock.advance(1);
    const operator = await service.recoverStale({ olderThanMs: 0, includeFlagged: true });
    expect(operator.settled).toMatchObject([{ paymentId: payment.id, ok: true }]);
    expect((await service.getPayment(payment.id)).status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a fresh key waits out a provider's lookup lag, so a lagging search cannot hide the first charge", async () => {
    let saving!: SavesServerErrors;
    const { service, gateway, clock } = setup({ wrapGateway: (g) => (saving = new SavesServerErrors(g)) });
    Object.assign(saving, { capabilities: { ...saving.capabilities, lookupLagMs: 60_000 } });
    const payment = await newPayment(service);
    saving.lose = "after_acting";
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    // A search index that has not caught up yet sees nothing.
    const find = saving.findByPaymentId;
    saving.findByPaymentId = async () => null;
    clock.advance(10_000);
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown", retryAfterSeconds: 50 });
    expect(saving.keysSeen).toHaveLength(1);
    saving.findByPaymentId = find;
    clock.advance(60_000);
    expect((await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).payment.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a resume whose answer was lost is sent again when the provider object is still processing, not settled as processing", async () => {
    const { service, gateway } = setup();
    const payment = await newPayment(service);
    const { payment: waiting } = await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_authenticationRequired" }, ctx("c"));
    gateway.completeAction(waiting.providerPaymentId!);
    gateway.injectFault({ kind: "server_error", operation: "resumePayment" });
    await expect(service.confirmPayment(payment.id, {}, ctx("r"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const retrieve = gateway.retrieve.bind(gateway);
    gateway.retrieve = async (id) => ({ ...(await retrieve(id)), status: "processing" });
    expect((await service.confirmPayment(payment.id, {}, ctx("r"))).payment.status).toBe("succeeded");
  });

  it("a refund refused after a webhook settled it succeeded stays succeeded: a refusal never un-counts a refund", async () => {
    const { service, gateway, store } = setup();
    const paid = await paidPayment(service, 5000);
    gateway.injectFault({ kind: "lose_response", operation: "refund" });
    const lost = await service.refundPayment(paid.id, { amount: 2000, reason: "late" }, ctx("r", "admin")).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: "gateway_outcome_unknown" });
    const [refund] = await service.listRefunds(paid.id);
    const [object] = gateway.listObjects().filter((o) => o.paymentId === paid.id);
    // The provider's webhook settles it.
    gateway.parseWebhook = async () => ({
      kind: "refund",
      provider: "simulated",
      eventId: "evt_refund_ok",
      type: "refund.succeeded",
      occurredAt: "2026-03-01T10:00:00.000Z",
      paymentId: paid.id,
      refund: { providerRefundId: object!.refunds[0]!.id, refundId: refund!.id, providerPaymentId: object!.id, amount: 2000, currency: "USD", status: "succeeded" },
    });
    await service.handleWebhook("simulated", "{}", {});
    // The retry is then refused by the provider (as after a key drift): the refund must stay succeeded.
    gateway.findByPaymentId = async () => null;
    gateway.refund = async () => {
      throw new PaymentError("refund_exceeds_captured", "already refunded");
    };
    await service.refundPayment(paid.id, { amount: 2000, reason: "late" }, ctx("r", "admin")).catch(() => undefined);
    const after = await store.getPayment(paid.id);
    expect(after).toMatchObject({ amountRefunded: 2000, amountRefundReserved: 0, status: "partially_refunded" });
    expect((await service.listRefunds(paid.id))[0]!.status).toBe("succeeded");
  });
});

describe("what the second review found", () => {
  it("a lookup the provider refuses (not found, not offered) never settles an operation whose outcome is unknown", async () => {
    const { service, gateway } = setup();
    const payment = await newPayment(service);
    gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    const find = gateway.findByPaymentId.bind(gateway);
    gateway.findByPaymentId = async () => {
      throw new PaymentError("not_found", "search is not offered in this region");
    };
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    expect((await service.getPayment(payment.id)).status).toBe("processing");
    gateway.findByPaymentId = find;
    expect((await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).payment.status).toBe("succeeded");
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("taking over a holder that never released counts as a possible send: spent attempts then flag it, never refuse it", async () => {
    const { service, gateway, clock } = setup({ gatewayRetryPolicy: { maxAttempts: 1 } });
    const payment = await newPayment(service);
    const original = gateway.createPayment.bind(gateway);
    // The first holder's request reaches the provider, and the holder never comes back (a crash mid-call).
    gateway.createPayment = async (request, options) => {
      await original(request, options);
      return new Promise<never>(() => undefined);
    };
    void service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    clock.advance(61_000);
    gateway.createPayment = original;
    const find = gateway.findByPaymentId.bind(gateway);
    gateway.findByPaymentId = async () => {
      throw new PaymentError("gateway_rate_limited", "429");
    };
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
    expect((await service.getPayment(payment.id)).status).toBe("processing");
    gateway.findByPaymentId = find;
    clock.advance(1);
    const operator = await service.recoverStale({ olderThanMs: 0, includeFlagged: true });
    expect(operator.settled).toMatchObject([{ paymentId: payment.id, ok: true }]);
    expect(gateway.chargesFor(payment.id)).toBe(1);
  });

  it("a slow call keeps its lock fresh, so a retry meanwhile is told the request is in progress instead of taking it over", async () => {
    const { service, gateway, clock } = setup({ lockTimeoutMs: 3_000 });
    const payment = await newPayment(service);
    gateway.injectFault({ kind: "delay", ms: 1_600, operation: "createPayment" });
    const first = service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(3_500); // past the lock timeout as first taken
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the keep-alive has refreshed it since
    await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, ctx("c"))).rejects.toMatchObject({ code: "idempotency_key_in_use" });
    expect((await first).payment.status).toBe("succeeded");
  });

  it("a refund the provider already holds under its own id is not failed by a later refusal of another attempt", async () => {
    const { service, gateway } = setup();
    const paid = await paidPayment(service, 5000);
    gateway.injectFault({ kind: "fail_refund_later", operation: "refund" });
    const { refund } = await service.refundPayment(paid.id, { amount: 1000, reason: "late" }, ctx("r", "admin"));
    expect(refund).toMatchObject({ status: "pending", providerRefundId: expect.any(String) });
    // A refusal without the provider's refund id (as of a rotated key) arrives for the same refund.
    const event = {
      kind: "refund" as const,
      provider: "simulated",
      eventId: "evt_other_refusal",
      type: "refund.failed",
      occurredAt: "2026-03-01T10:00:00.000Z",
      paymentId: paid.id,
      refund: { providerRefundId: "", refundId: refund.id, providerPaymentId: paid.providerPaymentId!, amount: 1000, currency: "USD", status: "failed" as const, failureReason: "charge_disputed" },
    };
    gateway.parseWebhook = async () => event;
    await service.handleWebhook("simulated", "{}", {});
    expect((await service.listRefunds(paid.id))[0]).toMatchObject({ status: "pending" });
    expect((await service.getPayment(paid.id)).amountRefundReserved).toBe(1000);
  });

  it("an adapter's refusal marked mayHaveActed (an SDK's hidden retry) is an unknown outcome", () => {
    expect(classifyGatewayError(new PaymentError("gateway_rate_limited", "429", { details: { mayHaveActed: true } }))).toBe("unknown_outcome");
  });
});
