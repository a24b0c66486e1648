import type { Command } from "commander";
import {
  MAX_PAGE_LIMIT,
  PAYMENT_STATUSES,
  PaymentError,
  type Payment,
  type PaymentFilter,
  assertAcceptableText,
  recordKeyProblem,
  recordKeyProblemMessage,
} from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";
import { statusColour } from "../output/colours.js";
import { money, when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseWindow } from "../parse/date.js";
import { parseCount } from "../parse/integer.js";
import { parseStatusList } from "../parse/status-list.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface ListOptions {
  status?: string;
  provider?: string;
  owner?: string;
  since?: string;
  until?: string;
  reference?: string;
  limit: string;
  cursor?: string;
}

function parseReference(text: string): { key: string; value: string } {
  const at = text.indexOf("=");
  if (at < 1) throw new CliError("invalid_reference", `--reference ${quoteValue(text)} is not key=value`, EXIT.usage, "e.g. --reference booking=BK-1001");
  const key = text.slice(0, at);
  // The rules payments' references were created under (core's record rules): a key no payment can have is a mistake.
  const problem = recordKeyProblem(key, { min: 1, max: 64 });
  if (problem !== null) {
    throw new PaymentError("validation_error", `--reference key ${recordKeyProblemMessage(problem)}`, {
      details: { field: "--reference", issues: [{ path: "--reference", message: `key ${recordKeyProblemMessage(problem)}` }] },
    });
  }
  return { key, value: assertAcceptableText(text.slice(at + 1), "--reference value", { max: 500, refuseCardNumbers: "identifier" }) };
}

export function registerPaymentsList(payments: Command, session: CliSession): void {
  payments
    .command("list")
    .description("list payments, newest first, with filters and paging")
    .option("--status <statuses>", "comma-separated statuses, e.g. succeeded,partially_refunded")
    .option("--provider <name>", "only this provider's payments")
    .option("--owner <id>", "only this owner's (user's) payments")
    .option("--since <date>", "created at or after: 2026-03-01, an ISO 8601 time with a zone, or a duration ago (24h)")
    .option("--until <date>", "created before (same forms as --since; after --since)")
    .option("--reference <key=value>", "a business reference, e.g. booking=BK-1001")
    .option("--limit <n>", `page size, 1–${MAX_PAGE_LIMIT}`, "20")
    .option("--cursor <cursor>", "the next-page cursor printed by the previous page")
    .addHelpText("after", "\nExamples:\n  $ payments-cli payments list --status failed --since 24h\n  $ payments-cli payments list --reference booking=BK-1001 --json\n")
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      const window = parseWindow(options, context.now);
      const filter: PaymentFilter = {
        status: options.status ? parseStatusList(options.status, PAYMENT_STATUSES) : undefined,
        provider: options.provider,
        owner: options.owner,
        createdFrom: window.since?.toISOString(),
        createdTo: window.until?.toISOString(),
        reference: options.reference ? parseReference(options.reference) : undefined,
      };
      const limit = parseCount(options.limit, "--limit", { min: 1, max: MAX_PAGE_LIMIT });
      await withRuntime(context, async ({ service }) => {
        const page = await service.listPayments(filter, { limit, cursor: options.cursor });
        const { colours } = context.out;
        const columns: Array<Column<Payment>> = [
          { header: "ID", value: (p) => p.id },
          { header: "STATUS", value: (p) => p.status, style: (text, p) => statusColour(colours, p.status)(text) },
          { header: "AMOUNT", value: (p) => money(p.amount, p.currency), align: "right" },
          { header: "REFUNDED", value: (p) => (p.amountRefunded > 0 ? money(p.amountRefunded, p.currency) : "-"), align: "right" },
          { header: "PROVIDER", value: (p) => p.provider },
          { header: "OWNER", value: (p) => p.owner },
          { header: "CREATED", value: (p) => when(p.createdAt) },
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
