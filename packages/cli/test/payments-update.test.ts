import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaymentService, quoteFare } from "@org/payments-core";
import { deriveUpdateKey } from "../src/commands/payments-update.js";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";

let keys = 0;
const key = (label: string) => ({ scope: "host", idempotencyKey: `${label}-${++keys}-${Date.now()}` });

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli payments update on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ service } = await backend.open());
    });
    afterAll(async () => backend?.dispose());

    const pending = async () =>
      (await service.createPayment({ owner: "user_1", amount: 2500, currency: "USD", metadata: { seat: "12A", draft: "yes" } }, key("create"))).payment;

    it("asks first ('n' and no answer change nothing, exit 5), then applies metadata as a merge patch; a re-run replays", async () => {
      const payment = await pending();
      const args = ["payments", "update", payment.id, "--description", "to the airport", "--metadata", "gate=B7", "--unset-metadata", "draft"];
      const declined = await backend.cli(args, "n\n");
      expect(declined.code).toBe(EXIT.aborted);
      expect(declined.stderr).toContain(`Update payment ${payment.id} (pending, owner user_1)`);
      expect(declined.stderr).toMatch(/metadata\s+gate=B7, -draft/);
      expect((await backend.cli(args)).code).toBe(EXIT.aborted);
      expect(await service.getPayment(payment.id)).toEqual(payment);

      const applied = await backend.cli([...args, "--yes", "--json"]);
      expect(applied.code).toBe(0);
      const result = parseJson(applied);
      expect(result).toMatchObject({ replayed: false, payment: { description: "to the airport", metadata: { seat: "12A", gate: "B7" }, version: payment.version + 1 } });
      expect(result.idempotencyKey).toBe(
        deriveUpdateKey(payment.id, { description: "to the airport", metadata: { "gate": "B7", draft: null } }),
      );
      const again = await backend.cli([...args, "--yes"]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("replayed");
      const details = await service.getPaymentDetails(payment.id);
      expect(details.payment.version).toBe(payment.version + 1);
      expect(details.history.at(-1)).toMatchObject({ kind: "updated", actor: "operator:ana", details: { changed: ["description", "metadata"] } });
      const shown = await backend.cli(["payments", "show", payment.id]);
      expect(shown.stdout).toMatch(/pending\s+pending\s+operator:ana\s+updated: description, metadata/);
    });

    it("reprices a pending payment from a fare quote file, in major units from --amount, and refuses a money change after confirmation (exit 6)", async () => {
      const payment = await pending();
      const tariff = { name: "city", currency: "USD", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 99, taxRate: "0.10" };
      const quote = quoteFare(tariff, { distanceMeters: 12_000, durationSeconds: 1200 });
      const file = join(backend.dir, "quote.json");
      writeFileSync(file, JSON.stringify(quote));
      const repriced = await backend.cli(["payments", "update", payment.id, "--quote", file, "--yes", "--json"]);
      expect(repriced.code).toBe(0);
      expect(parseJson(repriced).payment).toMatchObject({ amount: quote.total, currency: "USD", lineItems: quote.lines });

      const plain = await pending();
      expect((await backend.cli(["payments", "update", plain.id, "--amount", "31.00", "--yes"])).code).toBe(0);
      expect((await service.getPayment(plain.id)).amount).toBe(3100);
      await service.confirmPayment(plain.id, { paymentMethodId: "pm_card_visa" }, key("confirm"));
      const confirmed = await service.getPayment(plain.id);
      const refused = await backend.cli(["payments", "update", plain.id, "--amount", "40.00", "--yes"]);
      expect(refused.code).toBe(EXIT.refused);
      expect(refused.stderr).toContain("error[payment_not_editable]");
      expect(await service.getPayment(plain.id)).toEqual(confirmed);
      const noted = await backend.cli(["payments", "update", plain.id, "--description", "lost umbrella", "--yes"]);
      expect(noted.code).toBe(0);
    });

    it("refuses bad flags with exit 2 and changes nothing; an unknown payment is exit 7", async () => {
      const payment = await pending();
      for (const args of [
        [],
        ["--amount", "10.005"],
        ["--metadata", "novalue"],
        ["--metadata", "=x"],
        ["--currency", "EURO"],
        ["--description", "x", "--clear-description"],
        ["--customer-email", "not-an-email"],
      ]) {
        const result = await backend.cli(["payments", "update", payment.id, ...args, "--yes"]);
        expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(EXIT.usage);
      }
      expect(await service.getPayment(payment.id)).toEqual(payment);
      expect((await backend.cli(["payments", "update", "pay_nope", "--description", "x", "--yes"])).code).toBe(EXIT.notFound);
    });
  });
}
