import type { Command } from "commander";
import { type DisputeDrift, type Drift, type DriftSide, assertWindow, formatMoney } from "@org/payments-core";
import { EXIT } from "../errors/exit-codes.js";
import { statusColour } from "../output/colours.js";
import { type Column, renderTable } from "../output/table.js";
import { parseInstant } from "../parse/date.js";
import { parseDuration } from "../parse/duration.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface ReconcileCliOptions {
  provider: string;
  since: string;
  until?: string;
  apply?: boolean;
  stuckAfter: string;
  recover: boolean;
}

function side(s: DriftSide | null): string {
  if (!s) return "-";
  const amounts = s.amountRefunded > 0 ? `${formatMoney(s.amountCaptured, s.currency)} −${formatMoney(s.amountRefunded, s.currency).replace(/^[A-Z]{3} /, "")}` : formatMoney(s.amountCaptured, s.currency);
  return `${s.status} ${amounts}`;
}

function disputeSide(s: DisputeDrift["local"]): string {
  return s ? `${s.status} ${formatMoney(s.amount, s.currency)}` : "-";
}

function action(d: Drift): string {
  if (!d.correction) return "manual";
  const { from, to } = d.correction;
  return from === to ? `fix amounts (${to})` : `${from} → ${to}`;
}

export function registerReconcile(program: Command, session: CliSession): void {
  program
    .command("reconcile")
    .description("compare payments with the provider's records; report drift, and correct it with --apply")
    .requiredOption("--provider <name>", "simulated, stripe or paypal (must be configured)")
    .requiredOption("--since <date>", "window start: 2026-03-01, an ISO time, or a duration ago (24h)")
    .option("--until <date>", "window end, exclusive (default: now)")
    .option("--apply", "correct what can be corrected, as audited `reconcile` corrections (default: dry run)")
    .option("--stuck-after <duration>", "processing (or pending at the provider) this long counts as stuck", "1h")
    .option("--no-recover", "do not run recovery first")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli reconcile --provider stripe --since 24h\n  $ payments-cli reconcile --provider simulated --since 2026-03-01 --until 2026-03-02 --apply\n\nExit code 3 when drift remains (a dry run that found any, or drift that needs a person).\n",
    )
    .action(async (options: ReconcileCliOptions, command: Command) => {
      const context = contextFor(command, session);
      const since = parseInstant(options.since, "--since", context.now);
      const until = options.until ? parseInstant(options.until, "--until", context.now) : undefined;
      // Refused as HTTP and `payments list` refuse it: validation_error, exit 2.
      assertWindow(since, until, { from: "--since", to: "--until" });
      const stuckAfterMs = parseDuration(options.stuckAfter, "--stuck-after");
      await withRuntime(context, async ({ service, operator }) => {
        const report = await service.reconcile({
          provider: options.provider,
          since,
          until,
          apply: options.apply === true,
          actor: operator.actor,
          stuckAfterMs,
          recover: options.recover,
          onProgress: (p) => context.out.progress(`${p.phase}: ${p.done}${p.total === undefined ? "" : `/${p.total}`}`),
        });
        const { colours } = context.out;
        const columns: Array<Column<Drift>> = [
          { header: "KIND", value: (d) => d.kind, style: (text, d) => statusColour(colours, d.kind)(text) },
          { header: "PAYMENT", value: (d) => d.paymentId ?? "-" },
          { header: "PROVIDER ID", value: (d) => d.providerPaymentId ?? "-" },
          { header: "LOCAL", value: (d) => side(d.local) },
          { header: "PROVIDER", value: (d) => side(d.gateway) },
          { header: "ACTION", value: action },
          { header: "OUTCOME", value: (d) => d.outcome, style: (text, d) => statusColour(colours, d.outcome)(text) },
        ];
        const disputeColumns: Array<Column<DisputeDrift>> = [
          { header: "KIND", value: (d) => d.kind, style: (text, d) => statusColour(colours, d.kind)(text) },
          { header: "DISPUTE", value: (d) => d.disputeId ?? "-" },
          { header: "PROVIDER ID", value: (d) => d.providerDisputeId },
          { header: "PAYMENT", value: (d) => d.paymentId ?? "-" },
          { header: "LOCAL", value: (d) => disputeSide(d.local) },
          { header: "PROVIDER", value: (d) => disputeSide(d.gateway) },
          { header: "OUTCOME", value: (d) => d.outcome, style: (text, d) => statusColour(colours, d.outcome)(text) },
        ];
        context.out.result(report, () => {
          const recovery = report.recovery
            ? `recovery: ${report.recovery.settled} settled, ${report.recovery.stillPending} still pending\n`
            : "recovery: skipped\n";
          // Null when the provider has no dispute list: nothing was compared, so no line claims anything about disputes.
          const disputes = report.disputes;
          const disputeDrifts = disputes?.drifts ?? [];
          const disputeLine = disputes
            ? `disputes: compared ${disputes.examined} provider dispute(s); ${disputes.drifts.length} drift, ${disputes.recorded} recorded\n`
            : "";
          const head = `${report.apply ? "reconcile --apply" : "reconcile (dry run)"} ${report.provider} ${report.since} → ${report.until}\n${recovery}compared ${report.examined.local} local payment(s) with ${report.examined.gateway} provider object(s); ${report.inFlight} in flight\n${disputeLine}`;
          if (report.drifts.length === 0 && disputeDrifts.length === 0) return `${head}${colours.green("no drift")}\n`;
          const sections: string[] = [];
          if (report.drifts.length > 0) {
            const counts = Object.entries(report.counts)
              .filter(([, n]) => n > 0)
              .map(([kind, n]) => `${kind} ${n}`)
              .join(", ");
            const details = report.drifts.map((d) => `  ${d.paymentId ?? d.providerPaymentId}: ${d.message}${d.error ? ` (${d.error})` : ""}`).join("\n");
            sections.push(`${renderTable(columns, report.drifts, colours.bold)}\n${details}\n\ndrift: ${counts}\n`);
          }
          if (disputeDrifts.length > 0) {
            const details = disputeDrifts.map((d) => `  ${d.providerDisputeId}: ${d.message}${d.error ? ` (${d.error})` : ""}`).join("\n");
            sections.push(`${renderTable(disputeColumns, disputeDrifts, colours.bold)}\n${details}\n`);
          }
          const correctable = report.drifts.filter((d) => d.correction).length + disputeDrifts.filter((d) => d.outcome === "proposed").length;
          const tail = report.apply
            ? `corrected ${report.corrected}; ${report.unresolved} need a person`
            : `dry run: nothing changed; re-run with --apply to correct ${correctable}`;
          return `${head}${sections.join("\n")}${tail}\n`;
        });
        return report.unresolved > 0 ? EXIT.drift : EXIT.ok;
      });
    });
}
