import type { Command } from "commander";
import {
  MAX_PAGE_LIMIT,
  PAYMENT_STATUSES,
  PaymentError,
  type Payment,
  type PaymentFilter,
  assertAcceptableText,
  assertWindow,
  recordKeyProblem,
  recordKeyProblemMessage,
} from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { quoteValue } from "../errors/safe-text.js";
import { statusColour } from "../output/colours.js";
import { money, when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseCurrency } from "../parse/currency.js";
import { parseInstant, parseWindow } from "../parse/date.js";
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
  updatedSince?: string;
  updatedUntil?: string;
  customer?: string;
  email?: string;
  metadata?: string;
  currency?: string;
  amountMin?: string;
  amountMax?: string;
  disputed?: boolean;
  notDisputed?: boolean;
  limit: string;
  cursor?: string;
}

function parseReference(text: string): { key: string; value: string } {
  return parseKeyValue(text, "--reference", "booking=BK-1001", "identifier");
}

function parseMetadataEntry(text: string): { key: string; value: string } {
  return parseKeyValue(text, "--metadata", "channel=app", true);
}

/** `key=value` under core's record rules: the rules the payments' references and metadata were created under. */
function parseKeyValue(text: string, flag: string, example: string, refuseCardNumbers: true | "identifier"): { key: string; value: string } {
  const at = text.indexOf("=");
  const code = flag === "--reference" ? "invalid_reference" : "invalid_metadata";
  if (at < 1) throw new CliError(code, `${flag} ${quoteValue(text)} is not key=value`, EXIT.usage, `e.g. ${flag} ${example}`);
  const key = text.slice(0, at);
  // A key no payment can have is a mistake, not a search that finds nothing.
  const problem = recordKeyProblem(key, { min: 1, max: 64 });
  if (problem !== null) {
    throw new PaymentError("validation_error", `${flag} key ${recordKeyProblemMessage(problem)}`, {
      details: { field: flag, issues: [{ path: flag, message: `key ${recordKeyProblemMessage(problem)}` }] },
    });
  }
  return { key, value: assertAcceptableText(text.slice(at + 1), `${flag} value`, { max: 500, refuseCardNumbers }) };
}

/** `--disputed` (only disputed payments) or `--not-disputed` (only the others), never both. */
function parseDisputed(options: ListOptions): boolean | undefined {
  if (options.disputed && options.notDisputed) {
    throw new CliError("conflicting_options", "--disputed and --not-disputed exclude each other", EXIT.usage, "pass one of them");
  }
  return options.disputed ? true : options.notDisputed ? false : undefined;
}

/** `--amount-min`/`--amount-max` as whole minor units (cents), min not above max. */
function parseAmountRange(options: ListOptions): { amountMin: number | undefined; amountMax: number | undefined } {
  const amountMin = options.amountMin === undefined ? undefined : parseCount(options.amountMin, "--amount-min");
  const amountMax = options.amountMax === undefined ? undefined : parseCount(options.amountMax, "--amount-max");
  if (amountMin !== undefined && amountMax !== undefined && amountMin > amountMax) {
    throw new CliError("invalid_number", "--amount-min must not be above --amount-max", EXIT.usage, "swap them");
  }
  return { amountMin, amountMax };
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
    .option("--updated-since <date>", "last changed at or after (same forms as --since)")
    .option("--updated-until <date>", "last changed before (same forms as --since; after --updated-since)")
    .option("--customer <id>", "only this customer's payments (the customer id, exactly)")
    .option("--email <address>", "only payments with this customer email (exactly as stored)")
    .option("--metadata <key=value>", "metadata holding this value under this key, e.g. channel=app")
    .option("--currency <code>", "only payments in this currency, e.g. EUR")
    .option("--amount-min <minor>", "amount at least this, in minor units (cents): 1000 is 10.00")
    .option("--amount-max <minor>", "amount at most this, in minor units (cents)")
    .option("--disputed", "only disputed payments")
    .option("--not-disputed", "only payments without a dispute")
    .option("--limit <n>", `page size, 1–${MAX_PAGE_LIMIT}`, "20")
    .option("--cursor <cursor>", "the next-page cursor printed by the previous page")
    .addHelpText("after", "\nExamples:\n  $ payments-cli payments list --status failed --since 24h\n  $ payments-cli payments list --reference booking=BK-1001 --json\n  $ payments-cli payments list --customer cus_42 --currency EUR --amount-min 10000 --disputed\n")
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      const window = parseWindow(options, context.now);
      const updatedFrom = options.updatedSince === undefined ? undefined : parseInstant(options.updatedSince, "--updated-since", context.now);
      const updatedTo = options.updatedUntil === undefined ? undefined : parseInstant(options.updatedUntil, "--updated-until", context.now);
      assertWindow(updatedFrom, updatedTo, { from: "--updated-since", to: "--updated-until" });
      const filter: PaymentFilter = {
        status: options.status ? parseStatusList(options.status, PAYMENT_STATUSES) : undefined,
        provider: options.provider,
        owner: options.owner,
        createdFrom: window.since?.toISOString(),
        createdTo: window.until?.toISOString(),
        reference: options.reference ? parseReference(options.reference) : undefined,
        updatedFrom: updatedFrom?.toISOString(),
        updatedTo: updatedTo?.toISOString(),
        customerId: options.customer,
        customerEmail: options.email,
        metadata: options.metadata === undefined ? undefined : parseMetadataEntry(options.metadata),
        currency: options.currency === undefined ? undefined : parseCurrency(options.currency),
        ...parseAmountRange(options),
        disputed: parseDisputed(options),
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
