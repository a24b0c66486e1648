import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dispute, Payment, PaymentService } from "@org/payments-core";
import type { SimulatedGateway } from "@org/payments-core/simulated";
import { EXIT } from "../src/errors/exit-codes.js";
import { BACKENDS, type Backend, backendAvailable, createBackend } from "./support/backends.js";
import { parseJson } from "./support/run-cli.js";
import { paidPayment } from "./support/seed.js";

/**
 * The bank opens a dispute at the (simulated) provider and its signed webhook is delivered to the service, as a
 * host's webhook route would: the dispute is recorded by the core's one writer, not planted in the store.
 */
async function openDispute(service: PaymentService, gateway: SimulatedGateway, payment: Payment, options: Parameters<SimulatedGateway["openDispute"]>[1] = {}): Promise<string> {
  const providerDisputeId = gateway.openDispute(payment.providerPaymentId!, options);
  await deliver(service, gateway, providerDisputeId, "dispute.created");
  return providerDisputeId;
}

async function deliver(service: PaymentService, gateway: SimulatedGateway, providerDisputeId: string, type?: string): Promise<void> {
  const { rawBody, headers } = gateway.disputeWebhookFor(providerDisputeId, type);
  await service.handleWebhook("simulated", rawBody, headers);
}

/** `disputes list` and `disputes show`, and the disputes in `payments show`, `stats` and `reconcile`, on both SQL stores. */
for (const name of BACKENDS) {
  const available = await backendAvailable(name);
  describe.skipIf(!available)(`payments-cli disputes on ${name}`, () => {
    let backend: Backend;
    let service: PaymentService;
    let gateway: SimulatedGateway;
    let usd: Payment;
    let eur: Payment;
    let won: Dispute;
    let open: Dispute;
    let euro: Dispute;
    let openedAt: string;

    beforeAll(async () => {
      backend = await createBackend(name);
      expect((await backend.cli(["migrate"])).code).toBe(0);
      ({ service, gateway } = await backend.open());
      usd = await paidPayment(service, 5000);
      eur = await paidPayment(service, 2500, { currency: "EUR" });
      const first = await openDispute(service, gateway, usd, { reason: "product_not_received", amount: 1200 });
      gateway.moveDispute(first, "under_review");
      await deliver(service, gateway, first);
      gateway.moveDispute(first, "won");
      await deliver(service, gateway, first);
      await openDispute(service, gateway, usd, { reason: "duplicate", amount: 800 });
      await openDispute(service, gateway, eur, { inquiry: true });
      const all = (await service.listDisputes({}, { limit: 10 })).items;
      expect(all).toHaveLength(3);
      [euro, open, won] = all as [Dispute, Dispute, Dispute];
      expect(won.status).toBe("won");
      openedAt = won.openedAt;
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    const listed = async (...flags: string[]): Promise<string[]> => {
      const result = await backend.cli(["disputes", "list", "--json", ...flags]);
      expect(result.code, result.stderr).toBe(0);
      return parseJson<{ items: Dispute[] }>(result).items.map((d) => d.id);
    };

    it("lists disputes newest first, each filter narrowing the list, and pages with --limit and --cursor", async () => {
      expect(await listed()).toEqual([euro.id, open.id, won.id]);
      expect(await listed("--status", "won")).toEqual([won.id]);
      expect(await listed("--status", "needs_response, warning_needs_response")).toEqual([euro.id, open.id]);
      expect(await listed("--payment", usd.id)).toEqual([open.id, won.id]);
      expect(await listed("--currency", "eur")).toEqual([euro.id]);
      expect(await listed("--provider", "simulated", "--payment", usd.id, "--status", "needs_response")).toEqual([open.id]);
      expect(await listed("--provider", "stripe")).toEqual([]);
      expect(await listed("--opened-from", openedAt)).toEqual([euro.id, open.id, won.id]);
      expect(await listed("--opened-to", openedAt)).toEqual([]);
      expect(await listed("--opened-from", "1h", "--opened-to", "2099-01-01")).toEqual([euro.id, open.id, won.id]);
      // A decided dispute takes no more evidence; the open ones are due in 7 days.
      expect(await listed("--evidence-due-before", "2099-01-01")).toEqual([euro.id, open.id]);
      expect(await listed("--evidence-due-before", "0s")).toEqual([]);

      const first = await backend.cli(["disputes", "list", "--json", "--limit", "2"]);
      const page = parseJson<{ items: Dispute[]; nextCursor: string | null }>(first);
      expect(page.items.map((d) => d.id)).toEqual([euro.id, open.id]);
      expect(page.nextCursor).toEqual(expect.any(String));
      expect(await listed("--limit", "2", "--cursor", page.nextCursor!)).toEqual([won.id]);
    });

    it("prints a table with the amount as money, the reason, the evidence due and the opening time", async () => {
      const result = await backend.cli(["disputes", "list", "--payment", usd.id]);
      expect(result.code, result.stderr).toBe(0);
      const [header, , ...rows] = result.stdout.trimEnd().split("\n");
      expect(header!.split(/\s{2,}/)).toEqual(["ID", "PAYMENT", "PROVIDER", "STATUS", "AMOUNT", "REASON", "EVIDENCE DUE", "OPENED"]);
      expect(rows[0]).toMatch(new RegExp(`^${open.id}\\s+${usd.id}\\s+simulated\\s+needs_response\\s+USD 8\\.00\\s+duplicate\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+\\d{4}-`));
      expect(rows[1]).toMatch(new RegExp(`^${won.id}\\s+${usd.id}\\s+simulated\\s+won\\s+USD 12\\.00\\s+product_not_received\\s+-\\s+\\d{4}-`));
      expect(rows[2]).toBe("2 shown");
    });

    it("exits 2 with a stable code for an unknown option or a malformed value, listing nothing", async () => {
      for (const [flags, code] of [
        [["--opened-since", "1h"], "usage"],
        [["--owner", "user_1"], "usage"],
        [["--status", "won,lots"], "invalid_status"],
        [["--status", "succeeded"], "invalid_status"],
        [["--currency", "EURO"], "invalid_currency"],
        [["--opened-from", "2026-02-30"], "validation_error"],
        [["--opened-from", "1h", "--opened-to", "2h"], "validation_error"],
        [["--evidence-due-before", "next week"], "validation_error"],
        [["--limit", "0"], "invalid_number"],
        [["--limit", "501"], "invalid_number"],
        [["--cursor", "not-a-cursor"], "invalid_cursor"],
      ] as const) {
        const result = await backend.cli(["disputes", "list", ...flags]);
        expect(result.code, `${flags.join(" ")}: ${result.stderr}`).toBe(EXIT.usage);
        expect(result.stderr, flags.join(" ")).toMatch(new RegExp(`^error\\[${code}\\]`));
        expect(result.stdout, flags.join(" ")).toBe("");
      }
    });

    it("shows a dispute by our id or by the provider's, with its status history and its payment", async () => {
      for (const args of [[won.id], [won.providerDisputeId, "--provider", "simulated"], [won.providerDisputeId]]) {
        const shown = await backend.cli(["disputes", "show", "--json", ...args]);
        expect(shown.code, `${args.join(" ")}: ${shown.stderr}`).toBe(0);
        const body = parseJson<{ dispute: Dispute; payment: { id: string; status: string } }>(shown);
        expect(body.dispute.id).toBe(won.id);
        expect(body.dispute.statusHistory.map((h) => h.status)).toEqual(["needs_response", "under_review", "won"]);
        expect(body.payment).toEqual({ id: usd.id, status: "succeeded" });
      }
      const human = await backend.cli(["disputes", "show", won.id]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/^status\s+won$/m);
      expect(human.stdout).toMatch(/^amount\s+USD 12\.00$/m);
      expect(human.stdout).toContain(`${usd.id} (succeeded)`);
      expect(human.stdout).toMatch(/Status history\nAT\s+STATUS\s+PROVIDER STATUS\n[- ]+\n.*needs_response.*\n.*under_review.*\n.*won/);
    });

    it("answers not found (exit 7) for a dispute no one has, or one another provider does not know", async () => {
      for (const args of [["dp_nobody"], [won.providerDisputeId, "--provider", "stripe"], [won.id, "--provider", "simulated"]]) {
        const result = await backend.cli(["disputes", "show", ...args]);
        expect(result.code, args.join(" ")).toBe(EXIT.notFound);
        expect(result.stderr, args.join(" ")).toMatch(/^error\[not_found\]: dispute \S+ (of \S+ )?not found/);
        expect(result.stdout).toBe("");
      }
    });

    it("payments show lists the payment's disputes beside its refunds", async () => {
      const json = await backend.cli(["payments", "show", "--json", usd.id]);
      expect(json.code, json.stderr).toBe(0);
      expect(parseJson<{ disputes: Dispute[] }>(json).disputes.map((d) => d.id)).toEqual([won.id, open.id]);
      const human = await backend.cli(["payments", "show", usd.id]);
      expect(human.stdout).toMatch(/Refunds\nnone\n\nDisputes\nDISPUTE\s+STATUS\s+AMOUNT\s+REASON\s+EVIDENCE DUE\s+OPENED\n/);
      expect(human.stdout).toMatch(new RegExp(`${won.id}\\s+won\\s+USD 12\\.00\\s+product_not_received`));
      const none = await backend.cli(["payments", "show", (await paidPayment(service, 100)).id]);
      expect(none.stdout).toMatch(/Disputes\nnone\n$/);
    });

    it("stats counts disputes by status and sums them per currency by outcome", async () => {
      const json = await backend.cli(["stats", "--json"]);
      expect(json.code, json.stderr).toBe(0);
      expect(parseJson(json).disputes).toEqual({
        byStatus: { needs_response: 1, warning_needs_response: 1, won: 1 },
        byCurrency: [
          { currency: "EUR", count: 1, disputed: "2500", open: "2500", won: "0", lost: "0" },
          { currency: "USD", count: 2, disputed: "2000", open: "800", won: "1200", lost: "0" },
        ],
      });
      const human = await backend.cli(["stats"]);
      expect(human.stdout).toMatch(/DISPUTE STATUS\s+COUNT\n[- ]+\nneeds_response\s+1\nwarning_needs_response\s+1\nwon\s+1\n/);
      expect(human.stdout).toMatch(/CURRENCY\s+DISPUTES\s+DISPUTED\s+OPEN\s+WON\s+LOST\n[- ]+\nEUR\s+1\s+EUR 25\.00\s+EUR 25\.00\s+EUR 0\.00\s+EUR 0\.00\nUSD\s+2\s+USD 20\.00\s+USD 8\.00\s+USD 12\.00\s+USD 0\.00\n$/);
      const outside = await backend.cli(["stats", "--until", "2020-01-01"]);
      expect(outside.stdout).toMatch(/no disputes\n$/);
    });

    it("reconcile shows the provider's disputes it compared, a dispute whose webhooks were lost, and records it with --apply", async () => {
      const lost = await paidPayment(service, 3000);
      const providerDisputeId = gateway.openDispute(lost.providerPaymentId!, { reason: "fraudulent" });
      const dry = await backend.cli(["reconcile", "--provider", "simulated", "--since", "1h"]);
      expect(dry.code, dry.stderr).toBe(EXIT.drift);
      expect(dry.stdout).toMatch(/^disputes: compared 4 provider dispute\(s\); 1 drift, 0 recorded$/m);
      expect(dry.stdout).toMatch(new RegExp(`missing_locally\\s+-\\s+${providerDisputeId}\\s+${lost.id}\\s+-\\s+needs_response USD 30\\.00\\s+proposed`));
      expect(dry.stdout).toMatch(/re-run with --apply to correct 1\n$/);
      expect(parseJson((await backend.cli(["reconcile", "--provider", "simulated", "--since", "1h", "--json"]))).disputes).toMatchObject({ examined: 4, recorded: 0 });

      const applied = await backend.cli(["reconcile", "--provider", "simulated", "--since", "1h", "--apply"]);
      expect(applied.stdout).toMatch(/^disputes: compared 4 provider dispute\(s\); 1 drift, 1 recorded$/m);
      const again = await backend.cli(["reconcile", "--provider", "simulated", "--since", "1h"]);
      expect(again.code, again.stdout).toBe(EXIT.ok);
      expect(again.stdout).toMatch(/disputes: compared 4 provider dispute\(s\); 0 drift, 0 recorded\nno drift\n$/);
      expect(await listed("--payment", lost.id)).toHaveLength(1);
    });
  });
}
