import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Payment, PaymentService, PaymentStore } from "@org/payments-core";
import type { SimulatedGateway } from "@org/payments-core/simulated";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { createPayment, hostKey, paidPayment, plant } from "./support/seed.js";

const TWO_HOURS_AGO = () => new Date(Date.now() - 2 * 3_600_000).toISOString();

interface Planted {
  /** paymentId → drift kind that reconcile must report, and nothing else. */
  expected: Map<string, string>;
  /** Those a person must handle: reported, never corrected. */
  manual: Set<string>;
  byCase: Record<string, Payment>;
}

/** Twenty drift cases, every class at least once, beside payments in every state that agree with the provider. */
async function plantDrift(backend: Backend, service: PaymentService, store: PaymentStore, gateway: SimulatedGateway): Promise<Planted> {
  const expected = new Map<string, string>();
  const manual = new Set<string>();
  const byCase: Record<string, Payment> = {};
  const usd = { currency: "USD" };
  const drop = (providerPaymentId: string) => backend.editProvider((state) => delete state.payments[providerPaymentId]);

  // In agreement: each state once, so any report about them is a false alarm.
  const clean = await paidPayment(service, 1000);
  const cleanRefunded = await paidPayment(service, 2000);
  await service.refundPayment(cleanRefunded.id, { amount: 500, reason: "goodwill" }, hostKey("refund"));
  await paidPayment(service, 3000, { captureMethod: "manual" });
  await createPayment(service, 4000);
  const declined = await createPayment(service, 5000);
  await service.confirmPayment(declined.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, hostKey("decline")).catch(() => undefined);
  const canceled = await createPayment(service, 6000);
  await service.cancelPayment(canceled.id, {}, hostKey("cancel"));
  const threeDs = await createPayment(service, 7000);
  await service.confirmPayment(threeDs.id, { paymentMethodId: "pm_card_authenticationRequired" }, hostKey("3ds"));

  const add = async (name: string, kind: string, payment: Payment, isManual = false) => {
    byCase[name] = payment;
    expected.set(payment.id, kind);
    if (isManual) manual.add(payment.id);
  };

  // status_mismatch ×6
  const d1 = await paidPayment(service, 1100); // capture never settled locally
  await add("d1", "status_mismatch", await plant(store, d1.id, { status: "processing", amountCaptured: 0, receiptNumber: null }));
  const d2 = await paidPayment(service, 1200); // marked failed, but the provider charged
  await add("d2", "status_mismatch", await plant(store, d2.id, { status: "failed", amountCaptured: 0, receiptNumber: null, lastError: { code: "processing_error", message: "timeout" } }));
  const d3 = await paidPayment(service, 1300, { captureMethod: "manual" }); // voided in the dashboard
  await gateway.cancel({ paymentId: d3.id, providerPaymentId: d3.providerPaymentId! }, { idempotencyKey: "dashboard-void-3" });
  await add("d3", "status_mismatch", d3);
  const d4 = await paidPayment(service, 1400, { captureMethod: "manual" }); // captured in the dashboard
  await gateway.capture({ paymentId: d4.id, providerPaymentId: d4.providerPaymentId!, amount: 1400, ...usd }, { idempotencyKey: "dashboard-capture-4" });
  await add("d4", "status_mismatch", d4);
  const d5 = await createPayment(service, 1500); // the customer failed 3-D Secure; we missed the webhook
  const { payment: waiting } = await service.confirmPayment(d5.id, { paymentMethodId: "pm_card_authenticationRequired" }, hostKey("3ds"));
  gateway.completeAction(waiting.providerPaymentId!, false);
  await gateway.resumePayment({ paymentId: d5.id, providerPaymentId: waiting.providerPaymentId!, captureMethod: "automatic" }, { idempotencyKey: "resume-5" });
  await add("d5", "status_mismatch", waiting);
  const d6 = await paidPayment(service, 1600, { captureMethod: "manual" }); // authorization never settled locally
  await add("d6", "status_mismatch", await plant(store, d6.id, { status: "processing", authorizationExpiresAt: null }));

  // amount_mismatch ×5
  const d7 = await paidPayment(service, 1700); // partial refund in the dashboard
  await gateway.refund({ paymentId: d7.id, refundId: "", providerPaymentId: d7.providerPaymentId!, amount: 700, reason: "dashboard", ...usd }, { idempotencyKey: "dashboard-refund-7" });
  await add("d7", "amount_mismatch", d7);
  const d8 = await paidPayment(service, 1800); // full refund in the dashboard
  await gateway.refund({ paymentId: d8.id, refundId: "", providerPaymentId: d8.providerPaymentId!, amount: 1800, reason: "dashboard", ...usd }, { idempotencyKey: "dashboard-refund-8" });
  await add("d8", "amount_mismatch", d8);
  const d9 = await paidPayment(service, 1900); // a refund we think succeeded that the provider never made
  await store.transaction(async (tx) => {
    const at = new Date().toISOString();
    await tx.insertRefund({ id: `rf_planted_${d9.id}`, paymentId: d9.id, amount: 900, currency: "USD", status: "succeeded", reason: "bug", actor: "host", providerRefundId: "sim_re_never", failure: null, createdAt: at, updatedAt: at });
  });
  await add("d9", "amount_mismatch", await plant(store, d9.id, { status: "partially_refunded", amountRefunded: 900 }));
  const d10 = await paidPayment(service, 2000, { captureMethod: "manual" }); // the provider captured less than we recorded
  await gateway.capture({ paymentId: d10.id, providerPaymentId: d10.providerPaymentId!, amount: 1500, ...usd }, { idempotencyKey: "partial-capture-10" });
  await add("d10", "amount_mismatch", await plant(store, d10.id, { status: "succeeded", amountCaptured: 2000, authorizationExpiresAt: null }));
  const d11 = await paidPayment(service, 2100); // our refund plus one from the dashboard
  await service.refundPayment(d11.id, { amount: 500, reason: "late" }, hostKey("refund"));
  await gateway.refund({ paymentId: d11.id, refundId: "", providerPaymentId: d11.providerPaymentId!, amount: 600, reason: "dashboard", ...usd }, { idempotencyKey: "dashboard-refund-11" });
  await add("d11", "amount_mismatch", (await service.getPayment(d11.id)));

  // missing_at_gateway ×3
  const d12 = await paidPayment(service, 2200);
  await add("d12", "missing_at_gateway", await plant(store, d12.id, { status: "processing", amountCaptured: 0, receiptNumber: null }));
  drop(d12.providerPaymentId!);
  const d13 = await paidPayment(service, 2300, { captureMethod: "manual" });
  drop(d13.providerPaymentId!);
  await add("d13", "missing_at_gateway", d13);
  const d14 = await paidPayment(service, 2400); // captured here, unknown there: a person checks keys and account
  drop(d14.providerPaymentId!);
  await add("d14", "missing_at_gateway", d14, true);

  // missing_locally ×3 (reported, never invented)
  const card = { currency: "USD", paymentMethodId: "pm_card_visa" };
  await gateway.createPayment({ paymentId: "pay_from_elsewhere_15", amount: 2500, captureMethod: "automatic", ...card }, { idempotencyKey: "elsewhere-15" });
  expected.set("pay_from_elsewhere_15", "missing_locally");
  manual.add("pay_from_elsewhere_15");
  await gateway.createPayment({ paymentId: clean.id, amount: 1000, captureMethod: "automatic", ...card }, { idempotencyKey: "duplicate-16" });
  expected.set(clean.id, "missing_locally"); // a second charge for a payment that is otherwise in order
  manual.add(clean.id);
  await gateway.createPayment({ paymentId: "pay_from_elsewhere_17", amount: 2700, captureMethod: "manual", ...card }, { idempotencyKey: "elsewhere-17" });
  expected.set("pay_from_elsewhere_17", "missing_locally");
  manual.add("pay_from_elsewhere_17");

  // stuck ×3
  const d18 = await createPayment(service, 2800); // processing for hours, nothing at the provider
  await add("d18", "stuck", await plant(store, d18.id, { status: "processing", updatedAt: TWO_HOURS_AGO() }));
  const d19 = await paidPayment(service, 2900); // the provider itself still says processing after hours
  await add("d19", "stuck", await plant(store, d19.id, { status: "processing", amountCaptured: 0, receiptNumber: null, updatedAt: TWO_HOURS_AGO() }), true);
  backend.editProvider((state) => Object.assign(state.payments[d19.providerPaymentId!], { status: "processing", amountCaptured: 0 }));
  const d20 = await createPayment(service, 3000); // requires_action for hours, nothing at the provider
  await add("d20", "stuck", await plant(store, d20.id, { status: "requires_action", updatedAt: TWO_HOURS_AGO() }));
  return { expected, manual, byCase };
}

async function versions(store: PaymentStore): Promise<Record<string, number>> {
  const page = await store.listPayments({}, { limit: 500 });
  return Object.fromEntries(page.items.map((p) => [p.id, p.version]));
}

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli reconcile on ${name}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it("finds all twenty planted drifts with no false alarms, --apply fixes the correctable ones, and a second --apply changes nothing", async () => {
      const { store, service, gateway } = await backend.open();
      const { expected, manual, byCase } = await plantDrift(backend, service, store, gateway);
      expect(expected.size).toBe(20);
      const args = ["reconcile", "--provider", "simulated", "--since", "1h"];

      const dryRun = await backend.cli([...args, "--json"]);
      expect(dryRun.code, dryRun.stderr).toBe(EXIT.drift);
      const report = parseJson(dryRun);
      const found = new Map<string, string>(report.drifts.map((d: { paymentId: string; kind: string }) => [d.paymentId, d.kind]));
      expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
      expect(report.counts).toEqual({ missing_locally: 3, missing_at_gateway: 3, status_mismatch: 6, amount_mismatch: 5, stuck: 3 });
      expect(report.drifts.filter((d: { outcome: string }) => d.outcome === "manual").map((d: { paymentId: string }) => d.paymentId).sort()).toEqual([...manual].sort());
      const human = await backend.cli(args);
      expect(human.stdout).toMatch(/KIND\s+PAYMENT\s+PROVIDER ID\s+LOCAL\s+PROVIDER\s+ACTION\s+OUTCOME/);
      expect(human.stdout).toContain("dry run: nothing changed; re-run with --apply to correct 15");

      const untouched = await versions(store);
      const applied = await backend.cli([...args, "--apply", "--json"]);
      expect(applied.code).toBe(EXIT.drift); // five need a person
      expect(parseJson(applied)).toMatchObject({ apply: true, corrected: 15, unresolved: 5 });

      const status = async (key: string) => service.getPayment(byCase[key]!.id);
      expect(await status("d1")).toMatchObject({ status: "succeeded", amountCaptured: 1100, receiptNumber: expect.stringMatching(/^R-/) });
      expect(await status("d2")).toMatchObject({ status: "succeeded", amountCaptured: 1200, lastError: null });
      expect(await status("d3")).toMatchObject({ status: "canceled" });
      expect(await status("d4")).toMatchObject({ status: "succeeded", amountCaptured: 1400 });
      expect(await status("d5")).toMatchObject({ status: "failed", lastError: { code: "authentication_required" } });
      expect(await status("d6")).toMatchObject({ status: "authorized", authorizationExpiresAt: expect.any(String) });
      expect(await status("d7")).toMatchObject({ status: "partially_refunded", amountRefunded: 700 });
      expect(await status("d8")).toMatchObject({ status: "refunded", amountRefunded: 1800 });
      expect(await status("d9")).toMatchObject({ status: "succeeded", amountRefunded: 0 });
      expect(await service.listRefunds(byCase.d9!.id)).toMatchObject([{ status: "failed" }]);
      expect(await status("d10")).toMatchObject({ status: "succeeded", amountCaptured: 1500 });
      expect(await status("d11")).toMatchObject({ status: "partially_refunded", amountRefunded: 1100 });
      expect((await service.listRefunds(byCase.d11!.id)).map((r) => r.amount).sort()).toEqual([500, 600]);
      for (const key of ["d12", "d13", "d18", "d20"]) expect(await status(key)).toMatchObject({ status: "failed" });
      // The manual ones were not touched.
      const after = await versions(store);
      for (const id of manual) if (untouched[id] !== undefined) expect(after[id]).toBe(untouched[id]);

      const shown = parseJson(await backend.cli(["payments", "show", byCase.d2!.id, "--json"]));
      expect(shown.history.at(-1)).toMatchObject({
        from: "failed",
        to: "succeeded",
        kind: "correction",
        reason: "reconcile",
        actor: "operator:ana",
        details: { drift: "status_mismatch", gateway: { status: "succeeded", amountCaptured: 1200 } },
      });
      const events = (await store.listOutbox({ paymentId: byCase.d2!.id, limit: 100 })).map((e) => e.event.type);
      expect(events.slice(-2)).toEqual(["payment.succeeded", "payment.corrected"]);

      const again = await backend.cli([...args, "--apply", "--json"]);
      expect(again.code).toBe(EXIT.drift);
      const second = parseJson(again);
      expect(second.corrected).toBe(0);
      expect(second.drifts.map((d: { paymentId: string }) => d.paymentId).sort()).toEqual([...manual].sort());
      expect(await versions(store)).toEqual(after);
    });
  });
}
