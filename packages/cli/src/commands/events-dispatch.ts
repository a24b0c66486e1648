import type { Command } from "commander";
import { type DispatchReport, type OutboxEntry, dispatchOutbox, startOutboxDispatcher } from "@org/payments-core";
import { publisherFromEnv } from "../config/publisher.js";
import { EXIT } from "../errors/exit-codes.js";
import { redactSecrets } from "../errors/redact.js";
import { renderFields } from "../output/table.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

interface DispatchOptions {
  once?: boolean;
  maxAttempts: string;
}

export function registerEventsDispatch(events: Command, session: CliSession): void {
  events
    .command("dispatch")
    .description("publish the outbox (in order per payment, at least once) until stopped, or one pass with --once")
    .option("--once", "deliver what is due now, then exit")
    .option("--max-attempts <n>", "failed publishes before an event is dead-lettered", "10")
    .addHelpText(
      "after",
      "\nExamples:\n  $ payments-cli events dispatch --once        # with PAYMENTS_RABBITMQ_URL=amqp://… set\n" +
        "  $ payments-cli events dispatch               # with PAYMENTS_EVENTS_WEBHOOK_URL and _SECRET set\n\n" +
        "Without --once it runs until SIGINT/SIGTERM, then lets the batch in flight finish.\n" +
        "Exit code 8 when some publishes failed (they are retried with backoff, dead-lettered after --max-attempts).\n",
    )
    .action(async (options: DispatchOptions, command: Command) => {
      const context = contextFor(command, session);
      const maxAttempts = parseCount(options.maxAttempts, "--max-attempts", { min: 1, max: 1000 });
      const configured = await publisherFromEnv(session.env);
      try {
        await withRuntime(context, async ({ store, interrupts }) => {
          const totals: DispatchReport = { delivered: 0, failed: 0, dead: 0 };
          const onError = (error: unknown, entry: OutboxEntry | undefined, dead: boolean | undefined) => {
            const what = entry ? `event ${entry.sequence} (${entry.event.type}, ${entry.event.paymentId})` : "a dispatch round";
            context.out.note(`${dead ? "dead-lettered" : "publish failed"}: ${what}: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
          };
          if (options.once) {
            // One pass that drains what is due now; an event that failed waits for its backoff, so this ends.
            Object.assign(
              totals,
              await dispatchOutbox({ store, publisher: configured.publisher, maxAttempts, maxRounds: 100_000, onFailure: (entry, error, dead) => onError(error, entry, dead) }),
            );
          } else {
            const dispatcher = startOutboxDispatcher({
              store,
              publisher: configured.publisher,
              maxAttempts,
              onError: (error, { entry, dead }) => onError(error, entry, dead),
            });
            context.out.note(`dispatching to ${configured.target}; Ctrl-C to stop`);
            // The first SIGINT/SIGTERM ends the loop; a second one stops at once (leases expire by themselves).
            await (interrupts?.stopRequested() ?? new Promise<never>(() => undefined));
            // Lets the batch in flight finish: nothing is left leased and half-published.
            await dispatcher.stop();
          }
          const report = { target: configured.target, ...totals, deadInStore: (await store.listOutbox({ status: "dead", limit: 1000 })).length };
          context.out.result(report, () =>
            renderFields([
              ["published to", configured.target],
              ...(options.once
                ? ([
                    ["delivered", String(totals.delivered)],
                    ["failed (will retry)", String(totals.failed)],
                    ["dead-lettered now", String(totals.dead)],
                  ] as Array<[string, string]>)
                : []),
              ["dead events waiting", String(report.deadInStore)],
            ]),
          );
          return totals.failed + totals.dead > 0 ? EXIT.gatewayUnavailable : EXIT.ok;
        });
      } finally {
        await configured.close();
      }
    });
}
