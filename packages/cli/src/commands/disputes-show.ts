import type { Command } from "commander";
import type { DisputeStatusChange } from "@org/payments-core";
import { statusColour } from "../output/colours.js";
import { money, when } from "../output/format.js";
import { type Column, renderFields, renderTable } from "../output/table.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { disputeByAnyId } from "./dispute-by-any-id.js";
import { LOOKUP_PROVIDERS } from "./payment-by-any-id.js";

export function registerDisputesShow(disputes: Command, session: CliSession): void {
  disputes
    .command("show")
    .description("one dispute with its status history and its payment's status")
    .argument("<disputeId>", "the dispute id (dp_…), or a provider's id of it (a Stripe dp_…, a PayPal PP-D-…)")
    .option("--provider <name>", `read <disputeId> as this provider's id (without it: ours, then ${LOOKUP_PROVIDERS.join(", ")})`)
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli disputes show dp_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n  $ payments-cli disputes show PP-D-27803 --provider paypal\n",
    )
    .action(async (id: string, options: { provider?: string }, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service, store }) => {
        const dispute = await disputeByAnyId(service, store, id, options.provider);
        const { id: paymentId, status: paymentStatus } = await service.getPayment(dispute.paymentId);
        const payment = { id: paymentId, status: paymentStatus };
        const { colours } = context.out;
        context.out.result({ dispute, payment }, () => {
          const fields: Array<[string, string]> = [
            ["id", dispute.id],
            ["status", statusColour(colours, dispute.status)(dispute.status)],
            ["amount", money(dispute.amount, dispute.currency)],
            ["reason", dispute.reason === dispute.providerReason ? dispute.reason : `${dispute.reason} (${dispute.providerReason})`],
            ["provider", `${dispute.provider} ${dispute.providerDisputeId}`],
            ["payment", `${payment.id} (${statusColour(colours, payment.status)(payment.status)})`],
            ["evidence due", when(dispute.evidenceDueBy)],
            ["opened", when(dispute.openedAt)],
            ["closed", when(dispute.closedAt)],
            ["updated", `${when(dispute.updatedAt)} (version ${dispute.version})`],
          ];
          const historyColumns: Array<Column<DisputeStatusChange>> = [
            { header: "AT", value: (h) => when(h.at) },
            { header: "STATUS", value: (h) => h.status, style: (text, h) => statusColour(colours, h.status)(text) },
            { header: "PROVIDER STATUS", value: (h) => h.providerStatus },
          ];
          return [renderFields(fields), colours.bold("Status history"), renderTable(historyColumns, dispute.statusHistory, colours.bold)].join("\n");
        });
      });
    });
}
