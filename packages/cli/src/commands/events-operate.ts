import type { Command } from "commander";
import { CliError } from "../errors/cli-error.js";
import { EXIT } from "../errors/exit-codes.js";
import { parseCount } from "../parse/integer.js";
import { type CliSession, contextFor, withRuntime } from "../runtime/session.js";

function notDead(sequence: number): CliError {
  return new CliError(
    "event_not_dead",
    `outbox event ${sequence} is not dead-lettered (or does not exist); only dead events can be retried or skipped`,
    EXIT.refused,
    "see `payments-cli events list --failed`",
  );
}

/** `events retry` and `events skip`: the operator's two answers to a dead-lettered event. */
export function registerEventsOperate(events: Command, session: CliSession): void {
  events
    .command("retry")
    .description("send a dead-lettered event again (due now; its attempts are kept)")
    .argument("<sequence>", "the event's SEQ from `events list --failed`")
    .addHelpText("after", "\nExample:\n  $ payments-cli events retry 1042\n\nThe next dispatcher round delivers it; the payment's later events follow it.\n")
    .action(async (sequenceText: string, _options: unknown, command: Command) => {
      const context = contextFor(command, session);
      const sequence = parseCount(sequenceText, "<sequence>", { min: 1 });
      await withRuntime(context, async ({ store }) => {
        if (!(await store.retryOutboxEvent(sequence, context.now.toISOString()))) throw notDead(sequence);
        context.out.result({ sequence, status: "pending" }, () => `event ${sequence} is pending again; the next dispatcher round sends it\n`);
      });
    });

  events
    .command("skip")
    .description("give up on a dead-lettered event, so its payment's later events flow again")
    .argument("<sequence>", "the event's SEQ from `events list --failed`")
    .requiredOption("--reason <text>", "why (kept with the event)")
    .addHelpText("after", '\nExample:\n  $ payments-cli events skip 1042 --reason "consumer rejects schema v1; replayed by hand"\n\nConsumers never receive a skipped event.\n')
    .action(async (sequenceText: string, options: { reason: string }, command: Command) => {
      const context = contextFor(command, session);
      const sequence = parseCount(sequenceText, "<sequence>", { min: 1 });
      const reason = options.reason.trim();
      if (reason === "") throw new CliError("reason_required", "--reason must not be empty", EXIT.usage, 'say why, e.g. --reason "consumer gone"');
      await withRuntime(context, async ({ store, operator }) => {
        const recorded = `${reason} (${operator.actor})`;
        if (!(await store.skipOutboxEvent(sequence, recorded))) throw notDead(sequence);
        context.out.result({ sequence, status: "skipped", skipReason: recorded }, () => `event ${sequence} skipped; its payment's later events flow again\n`);
      });
    });
}
