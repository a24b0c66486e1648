import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Payment, PaymentService } from "@org/payments-core";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";

let keys = 0;
const key = (label: string) => ({ scope: "host", idempotencyKey: `${label}-${++keys}-${Date.now()}` });

/** `payments list`'s search flags and `payments show` given a provider's id, on both SQL stores. */
for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli search and lookup on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;
    let small: Payment;
    let large: Payment;
    let euro: Payment;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ service } = await backend.open());
      const create = async (input: Record<string, unknown>) =>
        (await service.createPayment({ owner: "user_1", ...input } as Parameters<PaymentService["createPayment"]>[0], key("create"))).payment;
      small = await create({ amount: 999, currency: "USD", customerId: "cus_a", customerEmail: "ana@example.com", metadata: { channel: "app" } });
      large = await create({ amount: 5000, currency: "USD", customerId: "cus_b", customerEmail: "bo@example.com", metadata: { channel: "web" } });
      euro = await create({ amount: 1000, currency: "EUR", customerId: "cus_a", customerEmail: "ana@example.com", metadata: { channel: "web" } });
      large = (await service.confirmPayment(large.id, { paymentMethodId: "pm_card_visa" }, key("confirm"))).payment;
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    const listed = async (...flags: string[]): Promise<string[]> => {
      const result = await backend.cli(["payments", "list", "--json", "--limit", "500", ...flags]);
      expect(result.code, result.stderr).toBe(0);
      return parseJson<{ items: Payment[] }>(result).items.map((p) => p.id).sort();
    };
    const ids = (...payments: Payment[]) => payments.map((p) => p.id).sort();

    it("each search flag narrows the list, and they combine", async () => {
      expect(await listed("--customer", "cus_a")).toEqual(ids(small, euro));
      expect(await listed("--email", "bo@example.com")).toEqual(ids(large));
      expect(await listed("--customer", "cus_a", "--metadata", "channel=web")).toEqual(ids(euro));
      expect(await listed("--customer", "cus_a", "--currency", "eur")).toEqual(ids(euro));
      expect(await listed("--email", "ana@example.com", "--amount-min", "1000")).toEqual(ids(euro));
      expect(await listed("--customer", "cus_a", "--amount-max", "999")).toEqual(ids(small));
      expect(await listed("--not-disputed", "--customer", "cus_b")).toEqual(ids(large));
      expect(await listed("--disputed")).toEqual([]);
      expect(await listed("--customer", "cus_b", "--updated-since", large.updatedAt)).toEqual(ids(large));
      expect(await listed("--customer", "cus_b", "--updated-until", large.updatedAt)).toEqual([]);
    });

    it("exits 2 for an unknown filter option and for a malformed search value, listing nothing", async () => {
      for (const flags of [
        ["--customer-id", "cus_a"],
        ["--amount", "1000"],
        ["--amount-min", "10.50"],
        ["--amount-min", "-1"],
        ["--amount-min", "10", "--amount-max", "9"],
        ["--currency", "EURO"],
        ["--metadata", "channel"],
        ["--disputed", "--not-disputed"],
        ["--updated-since", "2026-02-30"],
      ]) {
        const result = await backend.cli(["payments", "list", ...flags]);
        expect(result.code, `${flags.join(" ")}: ${result.stderr}`).toBe(EXIT.usage);
        expect(result.stdout, flags.join(" ")).toBe("");
      }
    });

    it("shows a payment given the provider's id, with or without --provider", async () => {
      const providerId = large.providerPaymentId!;
      expect(providerId).toEqual(expect.any(String));
      for (const args of [[providerId], [providerId, "--provider", large.provider], [large.id]]) {
        const shown = await backend.cli(["payments", "show", "--json", ...args]);
        expect(shown.code, shown.stderr).toBe(0);
        expect(parseJson<{ payment: Payment }>(shown).payment.id).toBe(large.id);
      }
      // A refund's provider id names its payment too.
      const { refund } = await service.refundPayment(large.id, { amount: 100, reason: "late" }, { scope: "ops", idempotencyKey: `refund-${name}`, actor: "ops" });
      const byRefund = await backend.cli(["payments", "show", "--json", refund.providerRefundId!]);
      expect(byRefund.code, byRefund.stderr).toBe(0);
      expect(parseJson<{ payment: Payment }>(byRefund).payment.id).toBe(large.id);
      // Named by another provider, or by nobody: not found, exit 7, as for an unknown id of ours.
      expect((await backend.cli(["payments", "show", providerId, "--provider", "stripe"])).code).toBe(EXIT.notFound);
      const nobody = await backend.cli(["payments", "show", "pi_nobody"]);
      expect(nobody.code).toBe(EXIT.notFound);
      expect(nobody.stderr).toMatch(/^error\[not_found\]: payment pi_nobody not found/);
    });
  });
}
