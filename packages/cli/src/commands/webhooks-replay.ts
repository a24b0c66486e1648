import type { Command } from "commander";
import type { WebhookResult, WebhookStatus } from "@org/payments-core";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import { renderFields } from "../output/table.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";
import { findInboxEvent } from "./webhooks-show.js";

/** Held or orphaned: the payment is still unknown (7); failed: applying threw again (1). */
const EXIT_FOR: Record<WebhookStatus, ExitCode> = {
  applied: EXIT.ok,
  ignored: EXIT.ok,
  duplicate: EXIT.ok,
  held: EXIT.notFound,
  orphaned: EXIT.notFound,
  failed: EXIT.error,
};

function describe(result: WebhookResult): string {
  if (result.status === "duplicate") return `${result.eventId} was already processed; nothing to do\n`;
  if (result.status === "held" || result.status === "orphaned") return `${result.eventId} is still ${result.status}: its payment is not in the store\n`;
  return `${result.eventId}: ${result.status}${result.outcome ? ` (${result.outcome})` : ""}\n`;
}

export function registerWebhooksReplay(webhooks: Command, session: CliSession): void {
  webhooks
    .command("replay")
    .description("apply a stored webhook that was not processed (held, orphaned, failed) now, exactly once")
    .argument("<eventId>", "the provider's event id")
    .option("--provider <name>", "when two providers used the same event id")
    .addHelpText(
      "after",
      "\nExample:\n  $ payments-cli webhooks replay evt_1Qx2Yz\n\nA processed event is not applied again. Exit code 7 while its payment is still unknown, 1 if applying failed.\n",
    )
    .action(async (eventId: string, options: { provider?: string }, command: Command) => {
      const context = contextFor(command, session);
      await withRuntime(context, async ({ store, service }) => {
        const event = await findInboxEvent(store, eventId, options.provider);
        const result = await service.replayWebhook(event.provider, event.eventId);
        context.out.result(result, () => describe(result));
        return EXIT_FOR[result.status];
      });
    });

  webhooks
    .command("process")
    .description("the inbox sweep a host runs on a timer: apply held events whose payment appeared, retry failed ones")
    .option("--limit <n>", "at most this many events", "500")
    .addHelpText("after", "\nExample:\n  $ payments-cli webhooks process\n\nHeld events older than the service's orphanAfterMs (1 h) become orphaned.\n")
    .action(async (options: { limit: string }, command: Command) => {
      const context = contextFor(command, session);
      const limit = parseCount(options.limit, "--limit", { min: 1, max: 10_000 });
      await withRuntime(context, async ({ service }) => {
        context.out.progress("processing held webhooks…");
        const report = await service.processHeldWebhooks({ limit });
        context.out.result(report, () =>
          renderFields([
            ["examined", String(report.examined)],
            ...Object.entries(report.results).map(([status, count]) => [status, String(count)] as [string, string]),
            ["failed too often (replay by hand)", String(report.gaveUp)],
          ]),
        );
        return report.results.failed > 0 ? EXIT.error : EXIT.ok;
      });
    });
}
