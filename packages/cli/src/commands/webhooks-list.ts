import type { Command } from "commander";
import { INBOX_STATUSES, type InboxEvent } from "@org/payments-core";
import { statusColour } from "../output/colours.js";
import { when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseCount } from "../parse/integer.js";
import { parseStatusList } from "../parse/status-list.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface ListOptions {
  status?: string;
  payment?: string;
  provider?: string;
  limit: string;
}

export function registerWebhooksList(webhooks: Command, session: CliSession): void {
  webhooks
    .command("list")
    .description("provider webhooks in the inbox, oldest first")
    .option("--status <statuses>", `comma-separated: ${INBOX_STATUSES.join(", ")}`)
    .option("--payment <id>", "only events naming this payment")
    .option("--provider <name>", "only this provider's events")
    .option("--limit <n>", "at most this many, 1–1000", "50")
    .addHelpText("after", "\nExamples:\n  $ payments-cli webhooks list --status held,orphaned,failed\n  $ payments-cli webhooks list --payment pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --json\n")
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      const status = options.status ? parseStatusList(options.status, INBOX_STATUSES, "webhook status") : undefined;
      const limit = parseCount(options.limit, "--limit", { min: 1, max: 1000 });
      await withRuntime(context, async ({ store }) => {
        const events = await store.listInboxEvents({ status, paymentId: options.payment, provider: options.provider, limit });
        const { colours } = context.out;
        const columns: Array<Column<InboxEvent>> = [
          { header: "EVENT", value: (e) => e.eventId },
          { header: "PROVIDER", value: (e) => e.provider },
          { header: "TYPE", value: (e) => e.type },
          { header: "STATUS", value: (e) => e.status, style: (text, e) => statusColour(colours, e.status)(text) },
          { header: "PAYMENT", value: (e) => e.paymentId ?? e.providerPaymentId ?? "-" },
          { header: "ATTEMPTS", value: (e) => String(e.attempts), align: "right" },
          { header: "RECEIVED", value: (e) => when(e.receivedAt) },
          { header: "OUTCOME / ERROR", value: (e) => e.lastError ?? e.outcome ?? "-" },
        ];
        context.out.result(events, () => `${renderTable(columns, events, colours.bold)}${colours.dim(`${events.length} shown\n`)}`);
      });
    });
}
