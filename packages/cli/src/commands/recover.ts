import type { Command } from "commander";
import { EXIT } from "../errors/exit-codes.js";
import { renderTable } from "../output/table.js";
import { formatDuration, parseDuration } from "../parse/duration.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

export function registerRecover(program: Command, session: CliSession): void {
  program
    .command("recover")
    .description("finish operations left at gateway_pending by a crash or a timeout (re-sends the identical request)")
    .option("--older-than <duration>", "only operations untouched for this long", "5m")
    .option("--limit <n>", "at most this many operations", "500")
    .option("--flagged", "also settle operations whose attempts are spent (flagged for an operator): one more try, looked up first")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli recover --older-than 1m\n  $ payments-cli recover --flagged\n\nExit code 8 when the provider still gives no answer for some, or flagged operations wait for --flagged.\n",
    )
    .action(async (options: { olderThan: string; limit: string; flagged?: boolean }, command: Command) => {
      const context = contextFor(command, session);
      const olderThanMs = parseDuration(options.olderThan, "--older-than");
      const limit = parseCount(options.limit, "--limit", { min: 1, max: 10_000 });
      await withRuntime(context, async ({ service, operator }) => {
        context.out.progress("recovering…");
        const report = await service.recoverStale({ olderThanMs, limit, actor: operator.actor, includeFlagged: options.flagged === true });
        const rows = [
          ...report.settled.map((s) => ({ ...s, result: s.ok ? "settled" : `settled: ${s.code ?? "error"}` })),
          ...report.stillPending.map((s) => ({ ...s, result: `still pending: ${s.code}` })),
          ...report.flagged.map((f) => ({
            ...f,
            result: `flagged: ${f.attempts} attempt(s), last ${f.lastError ?? "?"}, first sent ${f.firstSentAt ?? "?"}; settle with --flagged`,
          })),
        ];
        context.out.result(report, () => {
          const flagged = report.flagged.length > 0 ? `, ${report.flagged.length} flagged for an operator` : "";
          const head = `examined ${report.examined} operation(s) pending for over ${formatDuration(olderThanMs)}: ${report.settled.length} settled, ${report.stillPending.length} still pending${flagged}, ${report.skipped} held by another process\n`;
          if (rows.length === 0) return head;
          const table = renderTable(
            [
              { header: "PAYMENT", value: (r: (typeof rows)[number]) => r.paymentId ?? "-" },
              { header: "KEY", value: (r) => `${r.scope} ${r.key}` },
              { header: "RESULT", value: (r) => r.result },
            ],
            rows,
            context.out.colours.bold,
          );
          return `${head}${table}`;
        });
        return report.stillPending.length > 0 || report.flagged.length > 0 ? EXIT.gatewayUnavailable : EXIT.ok;
      });
    });
}
