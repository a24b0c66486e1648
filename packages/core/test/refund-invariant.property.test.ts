import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SimulatedFault } from "../src/simulated/index.js";
import { ctx, paidPayment, setup } from "./helpers.js";

type Step = { amount: number; fault: Exclude<SimulatedFault["kind"], "delay"> | "none"; retry: boolean };

const step = fc.record({
  amount: fc.integer({ min: 1, max: 4000 }),
  fault: fc.constantFrom<Step["fault"]>("none", "none", "lose_response", "server_error", "rate_limited"),
  retry: fc.boolean(),
});

describe("refund accounting", () => {
  it("refunded + reserved ≤ captured for any interleaving of refunds, faults, retries and recovery", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), async (waves) => {
        const { service, gateway, clock } = setup();
        const payment = await paidPayment(service, 10_000);
        const check = async () => {
          const p = await service.getPayment(payment.id);
          expect(p.amountRefunded + p.amountRefundReserved).toBeLessThanOrEqual(p.amountCaptured);
          expect(p.amountRefunded).toBeGreaterThanOrEqual(0);
          expect(p.amountRefundReserved).toBeGreaterThanOrEqual(0);
        };
        let n = 0;
        for (const wave of waves) {
          // Each wave runs concurrently; faults are queued for refund calls in arrival order.
          for (const s of wave) if (s.fault !== "none") gateway.injectFault({ kind: s.fault, operation: "refund" } as SimulatedFault);
          const keys = wave.map(() => `refund-${n++}`);
          await Promise.allSettled(wave.map((s, i) => service.refundPayment(payment.id, { amount: s.amount, reason: "prop" }, ctx(keys[i]!, "admin"))));
          await check();
          await Promise.allSettled(
            wave.flatMap((s, i) => (s.retry ? [service.refundPayment(payment.id, { amount: s.amount, reason: "prop" }, ctx(keys[i]!, "admin"))] : [])),
          );
          await check();
        }
        // Faults queued for refunds that were refused before reaching the provider must not hit recovery.
        gateway.clearFaults();
        clock.advance(3_600_000);
        await service.recoverStale({ olderThanMs: 0 });
        await check();
        const settled = await service.getPayment(payment.id);
        const { refunds } = await service.getPaymentDetails(payment.id);
        const object = gateway.listObjects().find((o) => o.paymentId === payment.id)!;
        // After recovery nothing is in flight, and our books agree with the provider's.
        expect(settled.amountRefundReserved).toBe(0);
        expect(settled.amountRefunded).toBe(refunds.filter((r) => r.status === "succeeded").reduce((s, r) => s + r.amount, 0));
        expect(object.amountRefunded).toBe(settled.amountRefunded);
      }),
      { numRuns: 60 },
    );
  });
});
