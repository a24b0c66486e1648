import { MIN_WEBHOOK_RETENTION_MS, purgeHousekeeping } from "@org/payments-core";
import type { Command } from "commander";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { renderFields } from "../output/table.js";
import { parseDuration } from "../parse/duration.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

export function registerPurge(program: Command, session: CliSession): void {
  program
    .command("purge")
    .description("delete housekeeping rows: expired finished idempotency records, delivered outbox events, processed inbox webhooks")
    .option("--older-than <duration>", "delivered events and processed webhooks older than this (sets both of the next two)")
    .option("--events-older-than <duration>", "delivered outbox events older than this (default: the library's retention, 7d)")
    .option("--webhooks-older-than <duration>", "processed webhooks older than this, at least 3d (default: the library's retention, 7d)")
    .addHelpText(
      "after",
      "\nExample:\n  $ payments-cli purge --older-than 30d\n\nIdempotency records go when their own TTL has passed, and never while an operation is unfinished.\n" +
        "Rows go in small batches, so the service keeps charging meanwhile. A host built on the library runs the same pass\n" +
        "on a timer (startRetention); without one, run this on a schedule (e.g. hourly from cron or a systemd timer): it also\n" +
        "refreshes the database's planner statistics, which list filters need as data grows.\n",
    )
    .action(async (options: { olderThan?: string; eventsOlderThan?: string; webhooksOlderThan?: string }, command: Command) => {
      const context = contextFor(command, session);
      const duration = (value: string | undefined, flag: string) => (value === undefined ? undefined : parseDuration(value, flag));
      const both = duration(options.olderThan, "--older-than");
      const retention = {
        deliveredEventsMs: duration(options.eventsOlderThan, "--events-older-than") ?? both,
        processedWebhooksMs: duration(options.webhooksOlderThan, "--webhooks-older-than") ?? both,
      };
      if (retention.processedWebhooksMs !== undefined && retention.processedWebhooksMs < MIN_WEBHOOK_RETENTION_MS) {
        throw new CliError(
          "retention_too_short",
          "processed webhooks must be kept at least 3d: a provider may still redeliver one purged sooner, and it would be applied again",
          EXIT.usage,
          "pass --webhooks-older-than 3d or more",
        );
      }
      await withRuntime(context, async ({ store, rawStore }) => {
        const purged = await purgeHousekeeping(store, { now: context.now, retention });
        const statisticsRefreshed = await refreshPlannerStatistics(rawStore);
        const report = { before: purged.eventsBefore, ...purged, statisticsRefreshed };
        context.out.result(report, () =>
          renderFields([
            ["expired idempotency records", String(purged.idempotencyRecords)],
            [`outbox events delivered before ${purged.eventsBefore}`, String(purged.outboxEvents)],
            [`processed webhooks processed before ${purged.webhooksBefore}`, String(purged.webhookEvents)],
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
