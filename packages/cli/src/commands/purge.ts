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
      "\nExample:\n  $ payments-cli purge --older-than 30d\n\nIdempotency records go when their own TTL has passed, and never while an operation is unfinished.\n" +
        "Rows go in small batches, so the service keeps charging meanwhile. Run it on a schedule (e.g. hourly from cron or a\n" +
        "systemd timer): it also refreshes the database's planner statistics, which list filters need as data grows.\n",
    )
    .action(async (options: { olderThan: string }, command: Command) => {
      const context = contextFor(command, session);
      const before = new Date(context.now.getTime() - parseDuration(options.olderThan, "--older-than")).toISOString();
      await withRuntime(context, async ({ store, rawStore }) => {
        const idempotencyRecords = await store.deleteExpiredIdempotencyRecords(context.now.toISOString());
        const outboxEvents = await store.purgeDeliveredOutbox(before);
        const webhookEvents = await store.purgeWebhookEvents(before);
        const statisticsRefreshed = await refreshPlannerStatistics(rawStore);
        const report = { before, idempotencyRecords, outboxEvents, webhookEvents, statisticsRefreshed };
        context.out.result(report, () =>
          renderFields([
            ["expired idempotency records", String(idempotencyRecords)],
            [`outbox events delivered before ${before}`, String(outboxEvents)],
            [`processed webhooks processed before ${before}`, String(webhookEvents)],
            ["planner statistics refreshed", statisticsRefreshed ? "yes" : "no (this store has none)"],
          ]),
        );
      });
    });
}

/**
 * The SQL stores' `optimize()` (ANALYZE / PRAGMA optimize), which is not part of the store port: a store without it
 * (the memory store) has no planner to inform.
 */
async function refreshPlannerStatistics(store: object): Promise<boolean> {
  const optimize = (store as { optimize?: unknown }).optimize;
  if (typeof optimize !== "function") return false;
  await (optimize as () => Promise<void>).call(store);
  return true;
}
