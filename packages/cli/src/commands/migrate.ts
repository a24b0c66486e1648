import type { Command } from "commander";
import { EXIT } from "../errors/exit-codes.js";
import { openForMigration } from "../runtime/runtime.js";
import { type CliSession, contextFor } from "../runtime/session.js";

export function registerMigrate(program: Command, session: CliSession): void {
  program
    .command("migrate")
    .description("apply pending database migrations (the only command that changes the schema)")
    .option("--status", "only show the applied and pending migrations; exit 4 if any are pending")
    .addHelpText("after", "\nExamples:\n  $ payments-cli migrate --db ./payments.db\n  $ payments-cli migrate --status --db 'postgres://app@db/payments?schema=payments'\n")
    .action(async (options: { status?: boolean }, command: Command) => {
      const context = contextFor(command, session);
      const { connection, opened } = await openForMigration(context.globals, session.env, { statusOnly: options.status === true });
      try {
        if (options.status) {
          const status = await opened.status();
          context.out.result({ database: connection.display, ...status }, () =>
            [
              `database  ${connection.display}`,
              `current   ${status.current ?? "(empty)"}`,
              `pending   ${status.pending.length === 0 ? "none" : status.pending.join(", ")}`,
              "",
            ].join("\n"),
          );
          session.exitCode = status.pending.length > 0 ? EXIT.schemaOutOfDate : EXIT.ok;
          return;
        }
        const report = await opened.migrate();
        context.out.result({ database: connection.display, ...report }, () =>
          report.applied.length === 0
            ? `${connection.display} is up to date (${report.current ?? "no migrations"})\n`
            : `migrated ${connection.display}: applied ${report.applied.join(", ")}; now at ${report.current}\n`,
        );
      } finally {
        await opened.close();
      }
    });
}
