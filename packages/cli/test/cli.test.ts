import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "@org/payments-core";
import { deriveRefundKey } from "../src/commands/refund.js";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson, runCli } from "./support/run-cli.js";

const operator = { scope: "operator:ana", actor: "operator:ana" };
let keys = 0;
const key = (label: string) => ({ scope: "host", idempotencyKey: `${label}-${++keys}-${Date.now()}` });

async function paid(service: PaymentService, amount: number, extra: Record<string, unknown> = {}) {
  const { payment } = await service.createPayment({ owner: "user_1", amount, currency: "USD", ...extra }, key("create"));
  return (await service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, key("confirm"))).payment;
}

for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;
    let gateway: Awaited<ReturnType<Backend["open"]>>["gateway"];

    beforeAll(async () => {
      backend = await createBackend(name);
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it("refuses every command on an unmigrated database with exit 4 and a hint, then migrates it from empty", async () => {
      const before = await backend.cli(["payments", "list"]);
      expect(before.code).toBe(EXIT.schemaOutOfDate);
      expect(before.stderr).toMatch(/^error\[schema_out_of_date\]: /);
      expect(before.stderr).toContain("fix: run `payments-cli migrate");
      if (name === "sqlite") expect(existsSync(backend.url)).toBe(false); // a mistyped path never becomes an empty database
      const status = await backend.cli(["migrate", "--status", "--json"]);
      expect(status.code).toBe(EXIT.schemaOutOfDate);
      if (name === "sqlite") expect(existsSync(backend.url)).toBe(false); // --status only reads
      const { current: none, pending } = parseJson<{ current: string | null; pending: string[] }>(status);
      expect(none).toBeNull();
      expect(pending[0]).toBe("0001_initial");
      const migrated = await backend.cli(["migrate", "--json"]);
      expect(migrated.code).toBe(0);
      expect(parseJson(migrated)).toMatchObject({ applied: pending, current: pending.at(-1) });
      const again = await backend.cli(["migrate"]);
      expect(again.stdout).toContain("is up to date");
      const current = await backend.cli(["migrate", "--status", "--json"]);
      expect(current.code).toBe(0);
      expect(parseJson(current)).toMatchObject({ current: pending.at(-1), pending: [] });
      ({ service, gateway } = await backend.open());
    });

    it("lists and shows payments seeded through the core, with filters and paging", async () => {
      const first = await paid(service, 5000, { references: { booking: "BK-1" } });
      const { payment: declined } = await service.createPayment({ owner: "user_2", amount: 700, currency: "USD" }, key("c"));
      await expect(service.confirmPayment(declined.id, { paymentMethodId: "pm_card_visa_chargeDeclined" }, key("d"))).rejects.toThrow();
      const { payment: pending } = await service.createPayment({ owner: "user_3", amount: 123456, currency: "EUR" }, key("p"));

      const all = parseJson(await backend.cli(["payments", "list", "--json"]));
      expect(all.items.map((p: { id: string }) => p.id)).toEqual([pending.id, declined.id, first.id]);
      expect(parseJson(await backend.cli(["payments", "list", "--status", "failed", "--json"])).items).toMatchObject([{ id: declined.id }]);
      expect(parseJson(await backend.cli(["payments", "list", "--reference", "booking=BK-1", "--json"])).items).toMatchObject([{ id: first.id }]);
      expect(parseJson(await backend.cli(["payments", "list", "--owner", "user_3", "--json"])).items).toHaveLength(1);
      const page = parseJson(await backend.cli(["payments", "list", "--limit", "2", "--json"]));
      expect(page.items).toHaveLength(2);
      const next = parseJson(await backend.cli(["payments", "list", "--limit", "2", "--cursor", page.nextCursor, "--json"]));
      expect(next).toMatchObject({ items: [{ id: first.id }], nextCursor: null });

      const table = await backend.cli(["payments", "list"]);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain("EUR 1,234.56");
      expect(table.stdout).toMatch(new RegExp(`${first.id}\\s+succeeded\\s+USD 50.00`));
      expect(table.stdout).not.toContain("\u001b["); // not a terminal: no colour

      const shown = await backend.cli(["payments", "show", first.id]);
      expect(shown.stdout).toContain("refundable");
      expect(shown.stdout).toContain(first.receiptNumber!);
      expect(shown.stdout).toMatch(/processing\s+succeeded/);
      const json = parseJson(await backend.cli(["payments", "show", first.id, "--json"]));
      expect(json).toMatchObject({ payment: { id: first.id, status: "succeeded" }, refundable: 5000, refunds: [] });
      expect(json.history.map((h: { to: string }) => h.to)).toEqual(["pending", "processing", "succeeded"]);

      const missing = await backend.cli(["payments", "show", "pay_nope"]);
      expect(missing.code).toBe(EXIT.notFound);
      expect(missing.stderr).toContain("error[not_found]");
    });

    it("asks before refunding: 'n' changes nothing (exit 5), 'y' refunds and shows what remains", async () => {
      const payment = await paid(service, 10_000);
      const declined = await backend.cli(["refund", payment.id, "--amount", "25.00", "--reason", "late pickup"], "n\n");
      expect(declined.code).toBe(EXIT.aborted);
      expect(declined.stderr).toContain("Refund USD 25.00 of payment");
      expect(declined.stderr).toMatch(/refundable\s+USD 100.00 now, USD 75.00 after this refund/);
      expect(declined.stderr).toContain("error[aborted]");
      const noAnswer = await backend.cli(["refund", payment.id, "--amount", "25.00", "--reason", "late pickup"]);
      expect(noAnswer.code).toBe(EXIT.aborted); // a script without --yes and without input never moves money
      expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 0, version: payment.version });

      const accepted = await backend.cli(["refund", payment.id, "--amount", "25.00", "--reason", "late pickup"], "y\n");
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain(`refunded USD 25.00 on ${payment.id}`);
      expect(accepted.stdout).toContain("USD 75.00 still refundable");
      expect(await service.getPayment(payment.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 2500 });
      const history = await service.getPaymentDetails(payment.id);
      expect(history.refunds).toMatchObject([{ actor: "operator:ana", reason: "late pickup", status: "succeeded" }]);
    });

    it("refuses an over-refund or a sub-cent amount with nothing changed", async () => {
      const payment = await paid(service, 3000);
      const over = await backend.cli(["refund", payment.id, "--amount", "30.01", "--reason", "x", "--yes"]);
      expect(over.code).toBe(EXIT.refused);
      expect(over.stderr).toContain("error[refund_exceeds_captured]: a refund of USD 30.01 exceeds the USD 30.00 still refundable");
      const precise = await backend.cli(["refund", payment.id, "--amount", "10.005", "--reason", "x", "--yes"]);
      expect(precise.code).toBe(EXIT.usage);
      expect(precise.stderr).toContain("error[invalid_amount]");
      const negative = await backend.cli(["refund", payment.id, "--amount", "-1", "--reason", "x", "--yes"]);
      expect(negative.code).toBe(EXIT.usage);
      expect(await service.getPayment(payment.id)).toMatchObject({ amountRefunded: 0, amountRefundReserved: 0, version: payment.version });
      expect(await service.listRefunds(payment.id)).toEqual([]);
      expect(gateway.listObjects().find((o) => o.id === payment.providerPaymentId)?.refunds).toEqual([]);
    });

    it("a re-run of the same refund replays instead of refunding twice; a re-run of a full refund says nothing is left", async () => {
      const payment = await paid(service, 8000);
      const args = ["refund", payment.id, "--amount", "30.00", "--reason", "goodwill", "--yes", "--json"];
      const first = parseJson(await backend.cli(args));
      expect(first).toMatchObject({ replayed: false, refund: { amount: 3000, status: "succeeded" }, refundable: 5000 });
      const rerun = await backend.cli(args);
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toContain("already made under key");
      expect(parseJson(rerun)).toMatchObject({ replayed: true, refund: { id: first.refund.id }, idempotencyKey: first.idempotencyKey });
      const human = await backend.cli(args.filter((a) => a !== "--json"));
      expect(human.stdout).toContain("replayed: an earlier run already made this refund");

      const full = await backend.cli(["refund", payment.id, "--reason", "trip canceled", "--yes"]);
      expect(full.code).toBe(0);
      expect(full.stdout).toContain("refunded USD 50.00");
      const fullAgain = await backend.cli(["refund", payment.id, "--reason", "trip canceled", "--yes"]);
      expect(fullAgain.code).toBe(EXIT.refused);
      expect(fullAgain.stderr).toContain(`nothing is left to refund on ${payment.id}: USD 80.00 captured, USD 80.00 refunded`);
      const object = gateway.listObjects().find((o) => o.id === payment.providerPaymentId)!;
      expect(object.refunds.map((r) => r.amount)).toEqual([3000, 5000]);
    });

    it("a refund interrupted after the provider acted is finished once by re-running the same command", async () => {
      const partial = await paid(service, 6000);
      gateway.injectFault({ kind: "lose_response", operation: "refund" });
      await expect(
        service.refundPayment(partial.id, { amount: 1000, reason: "late" }, { ...operator, idempotencyKey: deriveRefundKey(partial.id, 1000, "late") }),
      ).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
      const resumed = await backend.cli(["refund", partial.id, "--amount", "10.00", "--reason", "late", "--yes"]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain("resuming an interrupted refund");
      expect(await service.getPayment(partial.id)).toMatchObject({ amountRefunded: 1000, amountRefundReserved: 0 });

      // The same for a full refund: its reservation makes the payment look empty, yet the re-run finishes it.
      const full = await paid(service, 4000);
      gateway.injectFault({ kind: "lose_response", operation: "refund" });
      await expect(
        // What the CLI sends for a full refund: the amount it resolved, under the key derived from it.
        service.refundPayment(full.id, { amount: 4000, reason: "canceled" }, { ...operator, idempotencyKey: deriveRefundKey(full.id, 4000, "canceled") }),
      ).rejects.toMatchObject({ code: "gateway_outcome_unknown" });
      const finished = await backend.cli(["refund", full.id, "--reason", "canceled", "--yes"]);
      expect(finished.code).toBe(0);
      expect(finished.stdout).toContain("refunded USD 40.00");
      expect(await service.getPayment(full.id)).toMatchObject({ status: "refunded", amountRefunded: 4000 });
      for (const p of [partial, full]) {
        expect(gateway.listObjects().find((o) => o.id === p.providerPaymentId)!.refunds).toHaveLength(1);
      }
    });

    it("recover finishes a confirm whose response was lost, charging once", async () => {
      const { payment } = await service.createPayment({ owner: "user_9", amount: 1999, currency: "USD" }, key("c"));
      gateway.injectFault({ kind: "lose_response", operation: "createPayment" });
      await expect(service.confirmPayment(payment.id, { paymentMethodId: "pm_card_visa" }, key("k"))).rejects.toMatchObject({
        code: "gateway_outcome_unknown",
      });
      expect(await service.getPayment(payment.id)).toMatchObject({ status: "processing" });
      const waiting = parseJson(await backend.cli(["recover", "--json"])); // default --older-than 5m: too fresh
      expect(waiting).toMatchObject({ examined: 0 });
      const recovered = await backend.cli(["recover", "--older-than", "0s"]);
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toMatch(/1 settled, 0 still pending/);
      expect(recovered.stdout).toMatch(new RegExp(`${payment.id}\\s+host \\S+\\s+settled`));
      expect(await service.getPayment(payment.id)).toMatchObject({ status: "succeeded", amountCaptured: 1999 });
      expect(gateway.chargesFor(payment.id)).toBe(1);
      expect(parseJson(await backend.cli(["recover", "--older-than", "0s", "--json"]))).toMatchObject({ examined: 0, settled: [] });
    });

    it("renders receipts as text, json and html, to stdout or a file", async () => {
      const payment = await paid(service, 4599, { description: "Ride <to> the airport" });
      const text = await backend.cli(["receipt", payment.id]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`RECEIPT ${payment.receiptNumber}`);
      expect(text.stdout).toContain("USD 45.99");
      const json = parseJson(await backend.cli(["receipt", payment.id, "--format", "json"]));
      expect(json).toMatchObject({ number: payment.receiptNumber, total: 4599, currency: "USD" });
      expect(parseJson(await backend.cli(["receipt", payment.id, "--json"]))).toEqual(json);
      const out = join(backend.dir, "receipt.html");
      const written = await backend.cli(["receipt", payment.id, "--format", "html", "--out", out]);
      expect(written.stdout).toContain(`wrote receipt ${payment.receiptNumber} (html)`);
      const html = readFileSync(out, "utf8");
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain("Ride &lt;to&gt; the airport");
      const bad = await backend.cli(["receipt", payment.id, "--format", "pdf"]);
      expect(bad.code).toBe(EXIT.usage);
      const { payment: pending } = await service.createPayment({ owner: "u", amount: 100, currency: "USD" }, key("c"));
      expect((await backend.cli(["receipt", pending.id])).code).toBe(EXIT.notFound);
    });

    it("stats count by status and provider with revenue net of refunds per currency", async () => {
      const stats = parseJson(await backend.cli(["stats", "--json"]));
      const local = await service.stats();
      expect(stats).toEqual(JSON.parse(JSON.stringify(local)));
      const usd = stats.byCurrency.find((c: { currency: string }) => c.currency === "USD");
      expect(BigInt(usd.netRevenue)).toBe(BigInt(usd.captured) - BigInt(usd.refunded));
      const human = await backend.cli(["stats", "--since", "1d"]);
      expect(human.stdout).toMatch(/CURRENCY\s+PAYMENTS\s+CAPTURED\s+REFUNDED\s+NET/);
      expect((await backend.cli(["stats", "--since", "yesterday"])).code).toBe(EXIT.usage);
    });

    it("sweep lists authorizations near expiry and cancels them only with --apply and consent", async () => {
      const auth = await paid(service, 2500, { captureMethod: "manual" });
      // Authorizations last 7 days here: within 8 days it is due, within 1 day it is not.
      expect(parseJson(await backend.cli(["sweep", "--within", "1d", "--json"])).authorizations).toEqual([]);
      const listed = await backend.cli(["sweep", "--within", "8d"]);
      expect(listed.stdout).toContain(auth.id);
      expect(listed.stdout).toContain("dry run");
      expect((await backend.cli(["sweep", "--within", "8d", "--apply"], "n\n")).code).toBe(EXIT.aborted);
      expect(await service.getPayment(auth.id)).toMatchObject({ status: "authorized" });
      const applied = parseJson(await backend.cli(["sweep", "--within", "8d", "--apply", "--yes", "--json"]));
      expect(applied.authorizations).toMatchObject([{ paymentId: auth.id, result: "canceled" }]);
      expect(await service.getPayment(auth.id)).toMatchObject({ status: "canceled" });
    });

    it("purge removes only housekeeping rows past their age", async () => {
      const result = await backend.cli(["purge", "--older-than", "30d", "--json"]);
      expect(result.code).toBe(0);
      expect(parseJson(result)).toMatchObject({ idempotencyRecords: 0, outboxEvents: 0, webhookEvents: 0, statisticsRefreshed: true });
      expect((await backend.cli(["purge", "--older-than", "30 days"])).code).toBe(EXIT.usage);
      // A webhook purged inside the providers' retry window would be applied again on redelivery.
      const tooShort = await backend.cli(["purge", "--webhooks-older-than", "2d"]);
      expect(tooShort.code).toBe(EXIT.usage);
      expect(tooShort.stderr).toContain("retention_too_short");
      // The library's retention when no age is given: 7 days for both.
      const defaults = parseJson(await backend.cli(["purge", "--json"]));
      expect(Date.parse(defaults.eventsBefore as string) - Date.parse(defaults.webhooksBefore as string)).toBe(0);
      expect(Date.now() - Date.parse(defaults.eventsBefore as string)).toBeGreaterThanOrEqual(7 * 86_400_000);
    });
  });
}

describe("payments-cli without a database", () => {
  it("quotes fares and cancellation fees from a tariff file", async () => {
    const dir = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "fare-"));
    const tariff = join(dir, "tariff.json");
    writeFileSync(
      tariff,
      JSON.stringify({ name: "city", currency: "EUR", baseFare: 250, perKm: 120, perMinute: 30, minimumFare: 700, bookingFee: 100, cancellationFee: 500, taxRate: "0.10", maxSurge: "2.5" }),
    );
    const env = { PAYMENTS_DATABASE_URL: join(dir, "none.db") };
    const quote = await runCli(["fare", "quote", "--tariff", tariff, "--distance-m", "12500", "--seconds", "1260", "--surge", "1.5", "--json"], { env });
    expect(quote.code).toBe(0);
    const body = parseJson(quote);
    expect(body.total).toBe(body.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0));
    expect(body).toMatchObject({ currency: "EUR", surge: "1.5", distanceMeters: 12500 });
    const human = await runCli(["fare", "quote", "--tariff", tariff, "--distance-m", "12500", "--seconds", "1260"], { env });
    expect(human.stdout).toMatch(/Total EUR \d+\.\d\d/);
    const cancel = parseJson(await runCli(["fare", "cancel", "--tariff", tariff, "--json"], { env }));
    expect(cancel).toMatchObject({ subtotal: 500, tax: 50, total: 550 });
    expect((await runCli(["fare", "quote", "--tariff", tariff, "--distance-m", "1.5", "--seconds", "60"], { env })).code).toBe(EXIT.usage);
    expect((await runCli(["fare", "quote", "--tariff", tariff, "--distance-m", "100", "--seconds", "60", "--surge", "3"], { env })).code).toBe(EXIT.usage);
    expect((await runCli(["fare", "cancel", "--tariff", join(dir, "missing.json")], { env })).code).toBe(EXIT.notFound);
  });

  it("documents usage errors with exit 2, --json error bodies, help with examples, and never prints secrets", async () => {
    const unknown = await runCli(["refund", "pay_x", "--reason", "r", "--frobnicate"]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/^error\[usage\]: unknown option '--frobnicate'\n {2}fix: /);
    for (const command of [["migrate"], ["payments", "list"], ["payments", "show"], ["refund"], ["recover"], ["reconcile"], ["receipt"], ["fare", "quote"], ["fare", "cancel"], ["stats"], ["sweep"], ["purge"], ["events"], ["events", "list"], ["events", "retry"], ["events", "skip"], ["events", "dispatch"], ["webhooks"], ["webhooks", "list"], ["webhooks", "show"], ["webhooks", "replay"], ["webhooks", "process"]]) {
      const help = await runCli([...command, "--help"]);
      expect(help.code, command.join(" ")).toBe(0);
      expect(help.stdout, command.join(" ")).toMatch(/Examples?:\n {2}\$ payments-cli /);
    }
    expect((await runCli([])).code).toBe(EXIT.usage);
    const secret = "postgres://app:hunter2@127.0.0.1:1/payments";
    const down = await runCli(["payments", "list", "--json"], { env: { PAYMENTS_DATABASE_URL: secret, STRIPE_SECRET_KEY: "sk_test_abcdef123" } });
    expect(down.code).toBe(EXIT.error);
    expect(parseJson(down)).toMatchObject({ error: { code: "database_unreachable", exitCode: 1 } });
    expect(down.stdout + down.stderr).not.toContain("hunter2");
    expect(down.stdout + down.stderr).not.toContain("sk_test_abcdef123");
    const debug = await runCli(["payments", "list", "--debug"], { env: { PAYMENTS_DATABASE_URL: secret } });
    expect(debug.stderr).toContain("    at ");
    expect(debug.stderr).not.toContain("hunter2");
  });
});
