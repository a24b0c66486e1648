import type { Command } from "commander";
import type { OutboxEntry } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { statusColour } from "../output/colours.js";
import { when } from "../output/format.js";
import { type Column, renderTable } from "../output/table.js";
import { parseCount } from "../parse/integer.js";
import { parseStatus } from "../parse/status-list.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

const OUTBOX_STATUSES: ReadonlyArray<OutboxEntry["status"]> = ["pending", "delivered", "dead", "skipped"];

interface ListOptions {
  failed?: boolean;
  status?: string;
  payment?: string;
  limit: string;
}

export function registerEventsList(events: Command, session: CliSession): void {
  events
    .command("list")
    .description("outbox events in order, with their delivery status")
    .option("--failed", "only dead-lettered events (they hold back their payment's later events)")
    .option("--status <status>", `one of ${OUTBOX_STATUSES.join(", ")}`)
    .option("--payment <id>", "only this payment's events")
    .option("--limit <n>", "at most this many, 1–1000", "50")
    .addHelpText("after", "\nExamples:\n  $ payments-cli events list --failed\n  $ payments-cli events list --payment pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD --json\n")
    .action(async (options: ListOptions, command: Command) => {
      const context = contextFor(command, session);
      if (options.failed && options.status && options.status !== "dead") {
        throw new CliError("invalid_status", "--failed lists dead events; it cannot be combined with another --status", EXIT.usage, "drop one of the two");
      }
      const typed = options.failed ? "dead" : options.status;
      const status = typed === undefined ? undefined : parseStatus(typed, OUTBOX_STATUSES, "outbox status");
      const limit = parseCount(options.limit, "--limit", { min: 1, max: 1000 });
      await withRuntime(context, async ({ store }) => {
        const entries = await store.listOutbox({ status, paymentId: options.payment, limit });
        const { colours } = context.out;
        const columns: Array<Column<OutboxEntry>> = [
          { header: "SEQ", value: (e) => String(e.sequence), align: "right" },
          { header: "STATUS", value: (e) => e.status, style: (text, e) => statusColour(colours, e.status)(text) },
          { header: "TYPE", value: (e) => e.event.type },
          { header: "PAYMENT", value: (e) => e.event.paymentId },
          { header: "ATTEMPTS", value: (e) => String(e.attempts), align: "right" },
          { header: "AT", value: (e) => when(e.deliveredAt ?? e.event.occurredAt) },
          { header: "LAST ERROR / SKIP REASON", value: (e) => e.skipReason ?? e.lastError ?? "-" },
        ];
        context.out.result(entries, () => {
          const hint = status === "dead" && entries.length > 0 ? colours.dim("retry: payments-cli events retry <seq>   skip: payments-cli events skip <seq> --reason <why>\n") : "";
          return `${renderTable(columns, entries, colours.bold)}${colours.dim(`${entries.length} shown\n`)}${hint}`;
        });
      });
    });
}
