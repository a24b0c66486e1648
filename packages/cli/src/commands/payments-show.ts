import type { Command } from "commander";
import { type Dispute, type HistoryEntry, type Refund, refundableAmount } from "@org/payments-core";
import { statusColour } from "../output/colours.js";
import { money, when } from "../output/format.js";
import { type Column, renderFields, renderTable } from "../output/table.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { LOOKUP_PROVIDERS, paymentByAnyId } from "./payment-by-any-id.js";

/** A row's reason as the operator reads it: a correction says so, an update names the fields it changed. */
function historyReason(h: HistoryEntry): string {
  if (h.kind === "correction") return `${h.reason} (correction)`;
  if (h.kind === "updated") {
    const changed = Array.isArray(h.details?.["changed"]) ? (h.details["changed"] as unknown[]).map(String) : [];
    return changed.length > 0 ? `updated: ${changed.join(", ")}` : h.reason;
  }
  return h.reason;
}

export function registerPaymentsShow(payments: Command, session: CliSession): void {
  payments
    .command("show")
    .description("one payment with its history, refunds, disputes and receipt number")
    .argument("<paymentId>", "the payment id (pay_…), or a provider's id of it (a Stripe pi_…, a PayPal order id)")
    .option("--provider <name>", `read <paymentId> as this provider's id (without it: ours, then ${LOOKUP_PROVIDERS.join(", ")})`)
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli payments show pay_01JQ7Z8M4W6F3T9B2K5N0XR1AD\n  $ payments-cli payments show pi_3QxYz --provider stripe\n",
    )
    .action(async (id: string, options: { provider?: string }, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ service, store }) => {
        const found = await paymentByAnyId(service, id, options.provider);
        const { payment, history, refunds } = await service.getPaymentDetails(found.id);
        const disputes = await store.listPaymentDisputes(payment.id);
        const refundable = refundableAmount(payment);
        const { colours } = context.out;
        const c = payment.currency;
        // A payment waiting for the customer may hold a client secret (it lets its holder finish the payment in a
        // browser): an operator's output has no use for it, in JSON as in the table.
        const printable = payment.nextAction?.clientSecret === undefined ? payment : { ...payment, nextAction: { ...payment.nextAction, clientSecret: undefined } };
        context.out.result({ payment: printable, refundable, history, refunds, disputes }, () => {
          const references = Object.entries(payment.references).map(([k, v]) => `${k}=${v}`).join(", ");
          const fields: Array<[string, string]> = [
            ["id", payment.id],
            ["status", statusColour(colours, payment.status)(payment.status) + (payment.disputed ? colours.red(" (disputed)") : "")],
            ["amount", money(payment.amount, c)],
            ["captured", money(payment.amountCaptured, c)],
            ["refunded", money(payment.amountRefunded, c)],
            ["refundable", money(refundable, c)],
            ["provider", `${payment.provider}${payment.providerPaymentId ? ` ${payment.providerPaymentId}` : ""}`],
            ["capture", payment.captureMethod],
            ["owner", payment.owner],
            // Charged with a customer's saved method without them present: the bank could not ask them anything.
            ["customer", payment.customerId ?? "-"],
            ["off session", payment.offSession ? "yes" : "no"],
            ["references", references || "-"],
            ["receipt", payment.receiptNumber ?? "-"],
            ["created", when(payment.createdAt)],
            ["updated", `${when(payment.updatedAt)} (version ${payment.version})`],
          ];
          if (payment.authorizationExpiresAt) fields.push(["auth expires", when(payment.authorizationExpiresAt)]);
          if (payment.lastError) fields.push(["last error", `${payment.lastError.code}: ${payment.lastError.message}`]);
          const historyColumns: Array<Column<HistoryEntry>> = [
            { header: "AT", value: (h) => when(h.at) },
            { header: "FROM", value: (h) => h.from ?? "-" },
            { header: "TO", value: (h) => h.to, style: (text, h) => statusColour(colours, h.to)(text) },
            { header: "ACTOR", value: (h) => h.actor },
            { header: "REASON", value: historyReason },
          ];
          const refundColumns: Array<Column<Refund>> = [
            { header: "REFUND", value: (r) => r.id },
            { header: "STATUS", value: (r) => r.status, style: (text, r) => statusColour(colours, r.status)(text) },
            { header: "AMOUNT", value: (r) => money(r.amount, r.currency), align: "right" },
            { header: "REASON", value: (r) => r.reason },
            { header: "ACTOR", value: (r) => r.actor },
            { header: "AT", value: (r) => when(r.createdAt) },
          ];
          const disputeColumns: Array<Column<Dispute>> = [
            { header: "DISPUTE", value: (d) => d.id },
            { header: "STATUS", value: (d) => d.status, style: (text, d) => statusColour(colours, d.status)(text) },
            { header: "AMOUNT", value: (d) => money(d.amount, d.currency), align: "right" },
            { header: "REASON", value: (d) => d.reason },
            { header: "EVIDENCE DUE", value: (d) => when(d.evidenceDueBy) },
            { header: "OPENED", value: (d) => when(d.openedAt) },
          ];
          return [
            renderFields(fields),
            colours.bold("History"),
            renderTable(historyColumns, history, colours.bold),
            colours.bold("Refunds"),
            refunds.length === 0 ? "none\n" : renderTable(refundColumns, refunds, colours.bold),
            colours.bold("Disputes"),
            disputes.length === 0 ? "none\n" : renderTable(disputeColumns, disputes, colours.bold),
          ].join("\n");
        });
      });
    });
}
