import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAYMENT_STATUSES, type PaymentStatus } from "../src/domain/payment.js";
import { PAYMENT_TRANSITIONS, TERMINAL_STATUSES, canTransition, correctPayment, isForwardTransition, transitionPayment } from "../src/domain/state-machine.js";
import { samplePayment } from "../src/testing/fixtures.js";

const ctx = { at: "2026-01-01T00:00:00.000Z", actor: "tester", reason: "test", newId: (p: string) => `${p}_1` };

describe("state machine", () => {
  it("is exactly the documented table", () => {
    expect(PAYMENT_TRANSITIONS).toEqual({
      pending: ["processing", "canceled"],
      processing: ["requires_action", "authorized", "succeeded", "failed", "canceled"],
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
    for (const terminal of TERMINAL_STATUSES) expect(PAYMENT_TRANSITIONS[terminal]).toEqual([]);
  });

  it("only the requires_action loop goes back, so forward-only sources never regress", () => {
    for (const from of PAYMENT_STATUSES) {
      for (const to of PAYMENT_TRANSITIONS[from]) {
        if (!(from === "requires_action" && to === "processing")) expect(isForwardTransition(from, to)).toBe(true);
      }
    }
    expect(isForwardTransition("succeeded", "processing")).toBe(false);
  });

  it("a reconcile correction may leave the table but is audited as a correction with evidence", () => {
    const failed = samplePayment({ status: "failed" });
    const result = correctPayment(failed, "succeeded", { ...ctx, reason: "reconcile" }, { amountCaptured: 2500 }, { gatewayStatus: "succeeded" });
    expect(result.payment.status).toBe("succeeded");
    expect(result.history).toMatchObject({ from: "failed", to: "succeeded", kind: "correction", reason: "reconcile", details: { gatewayStatus: "succeeded" } });
    expect(result.events.map((e) => e.type)).toEqual(["payment.succeeded", "payment.corrected"]);
  });
});
