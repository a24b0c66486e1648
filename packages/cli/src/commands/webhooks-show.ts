import type { Command } from "commander";
import type { InboxEvent, PaymentStore } from "@org/payments-core";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { statusColour } from "../output/colours.js";
import { when } from "../output/format.js";
import { renderFields } from "../output/table.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

/** The one inbox event an operator means: event ids are the provider's, so two providers could share one. */
export async function findInboxEvent(store: PaymentStore, eventId: string, provider: string | undefined): Promise<InboxEvent> {
  const found = await store.listInboxEvents({ eventId, provider, limit: 2 });
  if (found.length === 0) {
    throw new CliError("not_found", `no webhook event ${eventId}${provider ? ` from ${provider}` : ""} in the inbox`, EXIT.notFound, "see `payments-cli webhooks list`");
  }
  if (found.length > 1) {
    throw new CliError("ambiguous_event", `event id ${eventId} exists for ${found.map((e) => e.provider).join(" and ")}`, EXIT.usage, "pass --provider <name>");
  }
  return found[0]!;
}

export function registerWebhooksShow(webhooks: Command, session: CliSession): void {
  webhooks
    .command("show")
    .description("one stored webhook: its status, attempts, what applying it did, and the parsed event")
    .argument("<eventId>", "the provider's event id (evt_…, WH-…)")
    .option("--provider <name>", "when two providers used the same event id")
    .addHelpText("after", "\nExample:\n  $ payments-cli webhooks show evt_1Qx2Yz\n")
    .action(async (eventId: string, options: { provider?: string }, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ store }) => {
        const event = await findInboxEvent(store, eventId, options.provider);
        const { colours } = context.out;
        context.out.result(event, () =>
          [
            renderFields([
              ["event", event.eventId],
              ["provider", event.provider],
              ["type", event.type],
              ["status", statusColour(colours, event.status)(event.status)],
              ["payment", event.paymentId ?? "-"],
              ["provider payment", event.providerPaymentId ?? "-"],
              ["attempts", String(event.attempts)],
              ["received", when(event.receivedAt)],
              ["processed", when(event.processedAt)],
              ["outcome", event.outcome ?? "-"],
              ["last error", event.lastError ?? "-"],
            ]),
            colours.bold("Event (as parsed and stored; no signature)"),
            `${JSON.stringify(event.event, null, 2)}\n`,
          ].join("\n"),
        );
      });
    });
}
