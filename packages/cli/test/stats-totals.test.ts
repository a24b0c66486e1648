import { formatMoney } from "@org/payments-core";
import { samplePayment } from "@org/payments-core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTotal } from "../src/commands/stats.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { paidPayment } from "./support/seed.js";

const MAX = Number.MAX_SAFE_INTEGER;

describe("formatTotal", () => {
  it("lays a total out as formatMoney does, for every exponent and sign, and stays exact past 2^53", () => {
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 300; i++) {
      const amount = (next() * 4194304 + next()) % MAX;
      const signed = i % 5 === 0 ? -amount : amount;
      for (const currency of ["USD", "JPY", "KWD"]) expect(formatTotal(String(signed), currency)).toBe(formatMoney(signed, currency));
    }
    expect(formatTotal("0", "USD")).toBe("USD 0.00");
    expect(formatTotal("5", "KWD")).toBe("KWD 0.005");
    expect(formatTotal("18014398509481982", "USD")).toBe("USD 180,143,985,094,819.82");
    expect(formatTotal("-9907919180215090100", "JPY")).toBe("-JPY 9,907,919,180,215,090,100");
  });
});

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli stats past 2^53 on ${name}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
    });
    afterAll(async () => backend?.dispose());

    it("prints exact totals for any rows a client can create, past 2^53 and 2^63", async () => {
      const { service, store } = await backend.open();
      for (const key of ["big-1", "big-2"]) {
        await service.createPayment({ owner: "alice", amount: MAX, currency: "USD" }, { scope: "alice", idempotencyKey: key });
      }
      const first = await backend.cli(["stats", "--json"]);
      expect(first.code).toBe(0);
      expect(parseJson(first).rows).toContainEqual(expect.objectContaining({ status: "pending", count: 2, amount: "18014398509481982" }));

      for (let batch = 0; batch < 11; batch++) {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 100; i++) await tx.insertPayment(samplePayment({ status: "succeeded", amount: MAX, amountCaptured: MAX }));
        });
      }
      const captured = (1100n * BigInt(MAX)).toString();
      const json = await backend.cli(["stats", "--json"]);
      expect(json.code).toBe(0);
      expect(parseJson(json).byCurrency).toEqual([{ currency: "USD", count: 1102, captured, refunded: "0", netRevenue: captured }]);
      const human = await backend.cli(["stats"]);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/USD 99,079,191,802,150,901\.00\s+USD 0\.00\s+USD 99,079,191,802,150,901\.00/);
    });

    it("prints exact dispute sums past 2^53: two disputes of 2^53 - 1 cents each", async () => {
      const { service, gateway } = await backend.open();
      for (let i = 0; i < 2; i++) {
        const payment = await paidPayment(service, MAX, { currency: "EUR" });
        const { rawBody, headers } = gateway.disputeWebhookFor(gateway.openDispute(payment.providerPaymentId!), "dispute.created");
        await service.handleWebhook("simulated", rawBody, headers);
      }
      const json = await backend.cli(["stats", "--json"]);
      expect(parseJson(json).disputes.byCurrency).toEqual([{ currency: "EUR", count: 2, disputed: "18014398509481982", open: "18014398509481982", won: "0", lost: "0" }]);
      const human = await backend.cli(["stats"]);
      expect(human.stdout).toMatch(/EUR\s+2\s+EUR 180,143,985,094,819\.82\s+EUR 180,143,985,094,819\.82\s+EUR 0\.00\s+EUR 0\.00\n$/);
    });
  });
}
