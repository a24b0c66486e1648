import type { Command } from "commander";
import { renderFields } from "../output/table.js";
import { parseDuration } from "../parse/duration.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

export function registerPurge(program: Command, session: CliSession): void {
  program
    .command("purge")
    .description("delete housekeeping rows: expired finished idempotency records, delivered outbox events, processed inbox webhooks")
    .option("--older-than <duration>", "delivered events and processed webhooks older than this", "30d")
    .addHelpText(
      "after",
      "\nExample:\n  $ payments-cli purge --older-than 30d\n\nIdempotency records go when their own TTL has passed, and never while an operation is unfinished.\n",
    )
    .action(async (options: { olderThan: string }, command: Command) => {
      const context = contextFor(command, session);
      const before = new Date(context.now.getTime() - parseDuration(options.olderThan, "--older-than")).toISOString();
      await withRuntime(context, async ({ store }) => {
        const idempotencyRecords = await store.deleteExpiredIdempotencyRecords(context.now.toISOString());
        const outboxEvents = await store.purgeDeliveredOutbox(before);
        const webhookEvents = await store.purgeWebhookEvents(before);
        const report = { before, idempotencyRecords, outboxEvents, webhookEvents };
        context.out.result(report, () =>
          renderFields([
            ["expired idempotency records", String(idempotencyRecords)],
            [`outbox events delivered before ${before}`, String(outboxEvents)],
            [`processed webhooks processed before ${before}`, String(webhookEvents)],
          ]),
        );
      });
    });
}
