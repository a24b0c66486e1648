import { createPaymentService } from "@org/payments-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { createPayment, hostKey } from "./support/seed.js";

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli recover and operations whose attempts are spent (${name})`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(EXIT.ok);
    });
    afterAll(async () => backend?.dispose());

    it("lists a flagged operation without touching it, exits 8, and settles it with --flagged", async () => {
      const { store, gateway } = await backend.open();
      // A host whose policy gives up after one unanswered attempt.
      const service = createPaymentService({ store, gateways: [gateway], gatewayRetryPolicy: { maxAttempts: 1 } });
      const payment = await createPayment(service, 2500);
      gateway.injectFault({ kind: "server_error", operation: "createPayment" });
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, hostKey("confirm"))).rejects.toMatchObject({ code: "gateway_outcome_unknown" });

      const listed = await backend.cli(["recover", "--older-than", "0s", "--json"]);
      expect(listed.code).toBe(EXIT.gatewayUnavailable);
      const report = parseJson<{ flagged: Array<{ paymentId: string; attempts: number; lastError: string }>; settled: unknown[] }>(listed);
      expect(report.flagged).toMatchObject([{ paymentId: payment.id, attempts: 1, lastError: "gateway_outcome_unknown" }]);
      expect(report.settled).toEqual([]);
      expect((await service.getPayment(payment.id)).status).toBe("processing");
      const human = await backend.cli(["recover", "--older-than", "0s"]);
      expect(human.stdout).toMatch(/1 flagged for an operator/);
      expect(human.stdout).toMatch(/settle with --flagged/);

      const settled = await backend.cli(["recover", "--older-than", "0s", "--flagged", "--json"]);
      expect(settled.code).toBe(EXIT.ok);
      expect(parseJson<{ settled: Array<{ paymentId: string; ok: boolean }> }>(settled).settled).toMatchObject([{ paymentId: payment.id, ok: true }]);
      expect((await service.getPayment(payment.id)).status).toBe("succeeded");
      expect(gateway.chargesFor(payment.id)).toBe(1);
    });
  });
}
