import type { Command } from "commander";
import { DISPUTE_STATUSES, MAX_PAGE_LIMIT, type Dispute, type DisputeFilter, assertWindow } from "@org/payments-core";
import { statusColour } from "../output/colours.js";
import { money, when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseCurrency } from "../parse/currency.js";
import { parseInstant } from "../parse/date.js";
import { parseCount } from "../parse/integer.js";
import { parseStatusList } from "../parse/status-list.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface ListOptions {
  status?: string;
  provider?: string;
  payment?: string;
  currency?: string;
  openedFrom?: string;
  openedTo?: string;
  evidenceDueBefore?: string;
  limit: string;
  cursor?: string;
}

/** The options as the core's `DisputeFilter`, every value checked here first, so a typo is exit 2, never an empty list. */
function disputeFilter(options: ListOptions, now: Date): DisputeFilter {
  const openedFrom = options.openedFrom === undefined ? undefined : parseInstant(options.openedFrom, "--opened-from", now);
  const openedTo = options.openedTo === undefined ? undefined : parseInstant(options.openedTo, "--opened-to", now);
  assertWindow(openedFrom, openedTo, { from: "--opened-from", to: "--opened-to" });
  // The same forms as every date flag, so a duration is that long ago: `--evidence-due-before 0s` is what is overdue.
  const evidenceDueBefore = options.evidenceDueBefore === undefined ? undefined : parseInstant(options.evidenceDueBefore, "--evidence-due-before", now);
  return {
    status: options.status ? parseStatusList(options.status, DISPUTE_STATUSES, "dispute status") : undefined,
    provider: options.provider,
    paymentId: options.payment,
    currency: options.currency === undefined ? undefined : parseCurrency(options.currency),
    openedFrom: openedFrom?.toISOString(),
    openedTo: openedTo?.toISOString(),
    evidenceDueBefore: evidenceDueBefore?.toISOString(),
  };
}

export function registerDisputesList(disputes: Command, session: CliSession): void {
  disputes
    .command("list")
    .description("disputes across payments, newest first, with filters and paging")
    .option("--status <statuses>", `comma-separated: ${DISPUTE_STATUSES.join(", ")}`)
    .option("--provider <name>", "only this provider's disputes")
    .option("--payment <id>", "only this payment's disputes (our pay_… id)")
    .option("--currency <code>", "only disputes in this currency, e.g. EUR")
    .option("--opened-from <date>", "opened at or after: 2026-03-01, an ISO 8601 time with a zone, or a duration ago (30d)")
    .option("--opened-to <date>", "opened before (same forms; after --opened-from)")
    .option("--evidence-due-before <date>", "evidence due before this time (same forms): what needs an answer soonest")
    .option("--limit <n>", `page size, 1–${MAX_PAGE_LIMIT}`, "20")
    .option("--cursor <cursor>", "the next-page cursor printed by the previous page")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli disputes list --status needs_response,warning_needs_response --evidence-due-before 2026-12-10\n  $ payments-cli disputes list --payment pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --json\n",
    )
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      const filter = disputeFilter(options, context.now);
      const limit = parseCount(options.limit, "--limit", { min: 1, max: MAX_PAGE_LIMIT });
      await withRuntime(context, async ({ service }) => {
        const page = await service.listDisputes(filter, { limit, cursor: options.cursor });
        const { colours } = context.out;
        const columns: Array<Column<Dispute>> = [
          { header: "ID", value: (d) => d.id },
          { header: "PAYMENT", value: (d) => d.paymentId },
          { header: "PROVIDER", value: (d) => d.provider },
          { header: "STATUS", value: (d) => d.status, style: (text, d) => statusColour(colours, d.status)(text) },
          { header: "AMOUNT", value: (d) => money(d.amount, d.currency), align: "right" },
          { header: "REASON", value: (d) => d.reason },
          { header: "EVIDENCE DUE", value: (d) => when(d.evidenceDueBy) },
          { header: "OPENED", value: (d) => when(d.openedAt) },
        ];
        context.out.result(page, () => {
          const footer =
            page.nextCursor === null
              ? `${page.items.length} shown\n`
              : `${page.items.length} shown; next page: --cursor ${page.nextCursor}\n`;
          return `${renderTable(columns, page.items, colours.bold)}${colours.dim(footer)}`;
        });
      });
    });
}
