import type { Command } from "commander";
import { type Customer, type CustomerFilter, MAX_PAGE_LIMIT } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { safeForTerminal } from "../errors/safe-text.js";
import { when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface ListOptions {
  owner?: string;
  email?: string;
  deleted?: boolean;
  live?: boolean;
  limit: string;
  cursor?: string;
}

/** The options as the core's `CustomerFilter`: `--deleted` (only deleted customers) or `--live` (only the others), never both. */
function customerFilter(options: ListOptions): CustomerFilter {
  if (options.deleted && options.live) {
    throw new CliError("conflicting_options", "--deleted and --live exclude each other", EXIT.usage, "pass one of them, or neither for both");
  }
  return { owner: options.owner, email: options.email, deleted: options.deleted ? true : options.live ? false : undefined };
}

export function registerCustomersList(customers: Command, session: CliSession): void {
  customers
    .command("list")
    .description("customers, newest first, with filters and paging")
    .option("--owner <owner>", "only this owner's customers (the user id, exactly)")
    .option("--email <address>", "only customers with this email (exactly as stored)")
    .option("--deleted", "only deleted customers")
    .option("--live", "only customers that are not deleted")
    .option("--limit <n>", `page size, 1–${MAX_PAGE_LIMIT}`, "20")
    .option("--cursor <cursor>", "the next-page cursor printed by the previous page")
    .addHelpText("after", "\nExamples:\n  $ payments-cli customers list --owner rider_42 --live\n  $ payments-cli customers list --email rider@example.com --json\n")
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      const filter = customerFilter(options);
      const limit = parseCount(options.limit, "--limit", { min: 1, max: MAX_PAGE_LIMIT });
      await withRuntime(context, async ({ service }) => {
        const page = await service.listCustomers(filter, { limit, cursor: options.cursor });
        const { colours } = context.out;
        // A customer typed its name and email: shown as any such text is (controls escaped).
        // No count of saved methods: it would be one more query per row, and `customers show` lists them.
        const columns: Array<Column<Customer>> = [
          { header: "ID", value: (c) => c.id },
          { header: "OWNER", value: (c) => c.owner },
          { header: "EMAIL", value: (c) => safeForTerminal(c.email ?? "-") },
          { header: "NAME", value: (c) => safeForTerminal(c.name ?? "-") },
          { header: "DEFAULT METHOD", value: (c) => c.defaultPaymentMethodId ?? "-" },
          { header: "CREATED", value: (c) => when(c.createdAt) },
          { header: "DELETED", value: (c) => when(c.deletedAt), style: (text, c) => (c.deletedAt === null ? text : colours.red(text)) },
        ];
        context.out.result(page, () => {
          const footer =
            page.nextCursor === null ? `${page.items.length} shown\n` : `${page.items.length} shown; next page: --cursor ${page.nextCursor}\n`;
          return `${renderTable(columns, page.items, colours.bold)}${colours.dim(footer)}`;
        });
      });
    });
}
