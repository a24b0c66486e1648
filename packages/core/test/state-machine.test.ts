import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAYMENT_STATUSES, type PaymentStatus } from "../src/domain/payment.js";
import { correctPayment, refuseConfirmation, transitionPayment } from "../src/domain/state-machine.js";
import { PAYMENT_TRANSITIONS, canTransition, pathTo } from "../src/domain/transitions.js";
import type { GatewayPaymentStatus } from "../src/ports/payment-gateway.js";
import { samplePayment } from "../src/testing/fixtures.js";

const ctx = { at: "2026-01-01T00:00:00.000Z", actor: "tester", reason: "test", newId: (p: string) => `${p}_1` };

describe("state machine", () => {
  it("is exactly the documented table", () => {
    expect(PAYMENT_TRANSITIONS).toEqual({
      pending: ["processing", "canceled"],
      processing: ["pending", "requires_action", "authorized", "succeeded", "failed", "canceled"],
      requires_action: ["processing", "authorized", "succeeded", "failed", "canceled"],
      authorized: ["succeeded", "canceled", "failed"],
      succeeded: ["partially_refunded", "refunded"],
      partially_refunded: ["partially_refunded", "refunded"],
      refunded: [],
      failed: [],
      canceled: [],
    });
  });

  it("every transition a random walk takes is in the table, and every edge off the table throws", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PAYMENT_STATUSES), { maxLength: 30 }), (targets) => {
        let payment = samplePayment();
        for (const to of targets) {
          const from = payment.status;
          if (canTransition(from, to)) {
            const result = transitionPayment(payment, to, ctx);
            expect(PAYMENT_TRANSITIONS[from]).toContain(result.payment.status);
            expect(result.history).toMatchObject({ from, to, actor: "tester", kind: "transition" });
            expect(result.payment.version).toBe(payment.version + 1);
            expect(result.events.length).toBeGreaterThan(0);
            payment = result.payment;
          } else {
            expect(() => transitionPayment(payment, to, ctx)).toThrow(expect.objectContaining({ code: "invalid_state_transition" }));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("every status is reachable from pending and terminal statuses have no way out", () => {
    const reached = new Set<PaymentStatus>(["pending"]);
    const queue: PaymentStatus[] = ["pending"];
    while (queue.length) for (const next of PAYMENT_TRANSITIONS[queue.shift()!]) if (!reached.has(next)) reached.add(next), queue.push(next);
    expect([...reached].sort()).toEqual([...PAYMENT_STATUSES].sort());
    for (const terminal of ["refunded", "failed", "canceled"] as const) expect(PAYMENT_TRANSITIONS[terminal]).toEqual([]);
  });

  it("only the requires_action loop and a refused confirm go back, and no provider can report the way back", () => {
    const backEdges: string[] = [];
    for (const from of PAYMENT_STATUSES) {
      for (const to of PAYMENT_TRANSITIONS[from]) if (pathTo(from, to) === null) backEdges.push(`${from}→${to}`);
    }
    expect(backEdges).toEqual(["processing→pending"]);
    // pending is not a status a gateway can report, so webhooks and retries (which follow reported statuses) never
    // take processing → pending; only refuseConfirmation does.
    const reportable: readonly string[] = ["requires_action", "processing", "authorized", "succeeded", "failed", "canceled"] satisfies GatewayPaymentStatus[];
    expect(reportable).not.toContain("pending");
    expect(pathTo("succeeded", "processing")).toBeNull();
  });

  it("a refused confirmation returns to pending with its own event, never a second payment.created", () => {
    const processing = samplePayment({ status: "processing", version: 2 });
    const result = refuseConfirmation(processing, "pending", ctx, { lastError: { code: "validation_error", message: "no such payment method" } });
    expect(result.payment).toMatchObject({ status: "pending", version: 3 });
    expect(result.events.map((e) => e.type)).toEqual(["payment.confirmation_refused"]);
    expect(result.events[0]!.data.error).toEqual({ code: "validation_error", message: "no such payment method" });
    expect(() => refuseConfirmation(samplePayment({ status: "succeeded" }), "pending", ctx, {})).toThrow(/no confirmation to refuse/);
  });

  it("a reconcile correction may leave the table but is audited as a correction with evidence", () => {
    const failed = samplePayment({ status: "failed" });
    const result = correctPayment(failed, "succeeded", { ...ctx, reason: "reconcile" }, { amountCaptured: 2500 }, { gatewayStatus: "succeeded" });
    expect(result.payment.status).toBe("succeeded");
    expect(result.history).toMatchObject({ from: "failed", to: "succeeded", kind: "correction", reason: "reconcile", details: { gatewayStatus: "succeeded" } });
    expect(result.events.map((e) => e.type)).toEqual(["payment.succeeded", "payment.corrected"]);
  });
});
